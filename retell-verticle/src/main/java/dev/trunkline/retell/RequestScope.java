package dev.trunkline.retell;

import dev.trunkline.contract.Secret;

/**
 * Who a Retell call is for: the API key to send, its fingerprint (for the rate limiter and logs), the bus
 * request id that correlates log lines, and the tenant it acts for (null when the caller did not say), whose
 * share of the key's rate limit it takes. {@code toString()} never shows the key.
 */
record RequestScope(Secret apiKey, String keyFingerprint, String requestId, String tenant) {
  static RequestScope of(Secret apiKey, String requestId, String tenant) {
    return new RequestScope(apiKey, ApiKeys.fingerprint(apiKey), requestId, tenant);
  }
}
