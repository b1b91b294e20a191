package dev.trunkline.contract.retry;

import java.util.concurrent.ThreadLocalRandom;

/**
 * The one rule for repeating a failed upstream call, used by every client (Twilio's {@code TwilioHttp}, Retell's
 * {@code RetellHttp}); each keeps its own loop (Retell's goes through its rate limiter) and asks this class what to
 * do after each failed attempt.
 *
 * <ul>
 *   <li><b>What:</b> a {@link AttemptOutcome#FINAL} answer is never repeated; an {@link AttemptOutcome#UNKNOWN}
 *       outcome only for an {@link Idempotency#IDEMPOTENT} operation (a timed-out purchase is never sent twice);
 *       {@link AttemptOutcome#NOT_ACTED} and {@link AttemptOutcome#RATE_LIMITED} for any operation.
 *   <li><b>Budget:</b> a failure is repeated at most {@code maxRetries} times, so a call's worst case is
 *       {@code (1 + maxRetries) x} the attempt timeout plus back-off, which configuration sizes to the caller's
 *       wait. A repeat of a failure may outlive the caller (a Retell write that lands after a fix stopped waiting still
 *       fixes the number; the credential leases are built for it). A 429 is different: while the caller's deadline is
 *       known ({@code deadlineMillis > 0}, the bus request's) it does not use up a retry, and it is repeated only while
 *       the repeat can leave {@link #DEADLINE_RESERVE_MS} before that deadline: waiting out a rate limit for nobody
 *       only adds to the load that caused it.
 *   <li><b>When:</b> the upstream's {@code Retry-After} ({@link RetryAfter}) as given; one longer than
 *       {@code maxRetryAfterMs} is not waited for and ends the retries (the caller gets the 429 with the wait).
 *       Otherwise exponential back-off, {@code baseDelayMs * 2^(n-1)} for the n-th repeat capped at
 *       {@code maxDelayMs}, jittered into its upper half so callers that failed together do not return together
 *       and no repeat comes back at once.
 * </ul>
 */
public final class RetryPolicy {
  /** A 429's repeat leaves at least this long before the caller's deadline, or not at all. */
  public static final long DEADLINE_RESERVE_MS = 1_000;

  private final int maxRetries;
  private final long baseDelayMs;
  private final long maxDelayMs;
  private final long maxRetryAfterMs;

  /**
   * @param maxRetries repeats after the first attempt (429s within a deadline not counted)
   * @param baseDelayMs the first back-off step
   * @param maxDelayMs the cap of a back-off step
   * @param maxRetryAfterMs the longest {@code Retry-After} waited for
   */
  public RetryPolicy(int maxRetries, long baseDelayMs, long maxDelayMs, long maxRetryAfterMs) {
    this.maxRetries = Math.max(0, maxRetries);
    this.baseDelayMs = Math.max(1, baseDelayMs);
    this.maxDelayMs = Math.max(this.baseDelayMs, maxDelayMs);
    this.maxRetryAfterMs = Math.max(0, maxRetryAfterMs);
  }

  /**
   * What to do after a failed attempt.
   *
   * @param retryAfterMs the upstream's wait ({@link RetryAfter#parse}), or null
   * @param retries repeats made so far that count against {@code maxRetries}
   * @param throttled 429s so far that did not count (retried within the deadline)
   * @param deadlineMillis when the caller stops waiting (epoch ms), 0 when unknown
   */
  public Decision decide(Idempotency idempotency, AttemptOutcome outcome, Long retryAfterMs, int retries,
      int throttled, long deadlineMillis, long nowMillis) {
    if (outcome == AttemptOutcome.FINAL) {
      return Decision.stop(-1, "a final answer");
    }
    if (outcome == AttemptOutcome.UNKNOWN && idempotency != Idempotency.IDEMPOTENT) {
      return Decision.stop(-1, "it may have taken effect and is not idempotent");
    }
    long wait = retryAfterMs != null ? retryAfterMs : backoffMs(retries + throttled + 1);
    if (retryAfterMs != null && retryAfterMs > maxRetryAfterMs) {
      return Decision.stop(wait, "Retry-After " + retryAfterMs + " ms exceeds " + maxRetryAfterMs + " ms");
    }
    if (outcome == AttemptOutcome.RATE_LIMITED && deadlineMillis > 0) {
      return nowMillis + wait + DEADLINE_RESERVE_MS < deadlineMillis ? Decision.retry(wait, false)
          : Decision.stop(wait, "no time left before the caller's deadline");
    }
    return retries < maxRetries ? Decision.retry(wait, true) : Decision.stop(wait, "retries used up");
  }

  /**
   * The back-off before the {@code n}-th repeat (1 for the first) when the upstream named no wait: {@code base *
   * 2^(n-1)} capped at {@code maxDelayMs}, then a random point in its upper half.
   */
  public long backoffMs(int n) {
    long exp = baseDelayMs << Math.min(Math.max(0, n - 1), 20);
    long capped = Math.min(maxDelayMs, exp < 0 ? maxDelayMs : exp);
    long half = capped / 2;
    return half + ThreadLocalRandom.current().nextLong(capped - half + 1);
  }

  public long maxRetryAfterMs() {
    return maxRetryAfterMs;
  }

  /**
   * The answer of {@link #decide}.
   *
   * @param retry whether to send again
   * @param waitMs how long to wait first (also when not retrying: what a rate limiter may hold the key for); -1 when
   *     the outcome names no wait
   * @param counts whether the repeat uses up one of {@code maxRetries} (a 429 within a deadline does not)
   * @param reason why not, for the log line (null when retrying)
   */
  public record Decision(boolean retry, long waitMs, boolean counts, String reason) {
    static Decision retry(long waitMs, boolean counts) {
      return new Decision(true, waitMs, counts, null);
    }

    static Decision stop(long waitMs, String reason) {
      return new Decision(false, waitMs, false, reason);
    }
  }
}
