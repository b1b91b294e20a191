package dev.trunkline.retell;

import dev.trunkline.contract.Secret;

/**
 * Who a Retell call is for: the API key to send, its fingerprint (for the rate limiter and logs) and the
 * bus request id that correlates log lines. {@code toString()} never shows the key.
 */
record RequestScope(Secret apiKey, String keyFingerprint, String requestId) {
  static RequestScope of(Secret apiKey, String requestId) {
    return new RequestScope(apiKey, ApiKeys.fingerprint(apiKey), requestId);
  }
}
