package dev.trunkline.retell;

import dev.trunkline.contract.Secret;

/**
 * Who a Retell call is for: the API key to send, its fingerprint (for the rate limiter and logs), the bus
 * request id that correlates log lines, the tenant it acts for (null when the caller did not say), whose
 * share of the key's rate limit it takes, and when the caller stops waiting (epoch milliseconds, 0 when it did
 * not say), which bounds how long Retell's 429s are waited out. {@code toString()} never shows the key.
 */
record RequestScope(Secret apiKey, String keyFingerprint, String requestId, String tenant, long deadlineMillis) {
  static RequestScope of(Secret apiKey, String requestId, String tenant) {
    return of(apiKey, requestId, tenant, 0);
  }

  static RequestScope of(Secret apiKey, String requestId, String tenant, long deadlineMillis) {
    return new RequestScope(apiKey, ApiKeys.fingerprint(apiKey), requestId, tenant, deadlineMillis);
  }
}
