package dev.trunkline.contract.retry;

/**
 * Whether an upstream operation may be sent again when it is not known whether the first attempt took effect (a
 * 5xx, a dropped connection, a timeout). Every operation a client sends declares one; the HTTP method alone does not
 * decide it (a POST that sets fields of an existing resource is safe to repeat, a POST that buys a number is not).
 */
public enum Idempotency {
  /**
   * Doing it twice leaves the upstream as doing it once, and the client can take what the repeat answers: a read, a
   * delete, setting fields of an existing resource, or a create keyed by an identity of the caller's whose repeat the
   * client converges on (Retell's import of a number). A link that a repeat answers with "already linked" is not.
   */
  IDEMPOTENT,
  /**
   * A repeat could act twice (create a second trunk, buy a second number): it is sent again only when the upstream
   * said it did not act on the first attempt ({@link AttemptOutcome#RATE_LIMITED}, {@link AttemptOutcome#NOT_ACTED}).
   */
  NOT_IDEMPOTENT
}
