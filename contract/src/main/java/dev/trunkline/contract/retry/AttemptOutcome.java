package dev.trunkline.contract.retry;

/**
 * What a failed attempt says about a repeat. Each client maps its upstream's answers to one of these (the upstream's
 * documents say which statuses mean what); {@link RetryPolicy} decides from it.
 */
public enum AttemptOutcome {
  /**
   * The upstream refused for pace (429): it did not act. While the caller's deadline is known this is retried for
   * as long as it allows, without using up {@code maxRetries}: a 429 is the upstream pacing the key, not a failure.
   */
  RATE_LIMITED,
  /** The upstream said it did not act (503 Service Unavailable): a repeat is safe for any operation. */
  NOT_ACTED,
  /** It may have acted: a 5xx, a broken connection, a timeout. Repeated only for an idempotent operation. */
  UNKNOWN,
  /** A final answer (a 4xx, a redirect, a listing too long): a repeat would get the same. */
  FINAL
}
