package dev.trunkline.twilio.client;

import io.vertx.core.http.HttpMethod;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Which failed Twilio calls are retried, and after how long.
 *
 * <p>Twilio's 429 (error 20429) is retried for as long as the caller waits when it said how long
 * ({@link #delayBeforeRateLimitRetry}), honouring {@code Retry-After}; otherwise it is one of the retries below.
 *
 * <p>Only what cannot do harm twice is retried: GET and DELETE on a network error or a 5xx (they are
 * idempotent), and any request on 429 or 503 (Twilio did not process it). A POST that failed otherwise is not
 * repeated, because it may have taken effect (the setup flow converges on re-run instead). Timeouts are not
 * retried: the attempt already spent its budget, and the caller's own bus timeout is counting.
 *
 * <p>Backoff is exponential with full jitter, {@code random(0, min(cap, base * 2^retry))}; a
 * {@code Retry-After} from Twilio replaces it when it fits under the cap, and ends the retries when it does
 * not (the caller gets the 429 with the wait Twilio asked for).
 */
public final class RetryPolicy {
  /** Twilio's error code for "Too Many Requests" (its body says it with HTTP 429). */
  public static final int TOO_MANY_REQUESTS = 20429;
  /**
   * A 429 is retried only when the retry can leave this long before the caller's deadline: an answer that comes
   * after the caller stopped waiting is worth less than the 429.
   */
  static final long DEADLINE_RESERVE_MS = 1_000;
  private final int maxRetries;
  private final long baseDelayMs;
  private final long maxDelayMs;

  public RetryPolicy(int maxRetries, long baseDelayMs, long maxDelayMs) {
    this.maxRetries = maxRetries;
    this.baseDelayMs = Math.max(1, baseDelayMs);
    this.maxDelayMs = Math.max(this.baseDelayMs, maxDelayMs);
  }

  /**
   * The delay before retry number {@code retry + 1} after {@code failure}, or -1 when it must not be retried.
   *
   * @param retry how many retries were already made (0 after the first attempt)
   */
  public long delayBeforeRetry(HttpMethod method, TwilioApiException failure, int retry) {
    if (retry >= maxRetries || !retryable(method, failure)) {
      return -1;
    }
    Long retryAfter = failure.retryAfterMs();
    if (retryAfter != null) {
      return retryAfter <= maxDelayMs ? retryAfter : -1;
    }
    long ceiling = Math.min(maxDelayMs, baseDelayMs << Math.min(retry, 20));
    return ThreadLocalRandom.current().nextLong(ceiling + 1);
  }

  /** Twilio refused for rate: HTTP 429 or its error code 20429. It did not process the request. */
  public static boolean rateLimited(TwilioApiException failure) {
    return failure.kind() == TwilioApiException.Kind.HTTP
        && (failure.httpStatus() == 429 || failure.hasCode(TOO_MANY_REQUESTS));
  }

  /**
   * The delay before retrying a request Twilio refused for rate ({@link #rateLimited}) when its caller said how long
   * it waits, or -1 when the retry could not leave {@value #DEADLINE_RESERVE_MS} ms before that deadline. Such
   * retries do not count against {@code maxRetries}: a 429 is Twilio pacing the account, not a failure. The delay
   * is Twilio's {@code Retry-After} when it sent one, else the backoff of the {@code throttled}-th retry.
   *
   * @param throttled how many 429s this call already met (0 after the first)
   */
  public long delayBeforeRateLimitRetry(TwilioApiException failure, int throttled, long deadlineMillis,
      long nowMillis) {
    Long retryAfter = failure.retryAfterMs();
    long delay = retryAfter != null ? retryAfter
        : ThreadLocalRandom.current().nextLong(Math.min(maxDelayMs, baseDelayMs << Math.min(throttled, 20)) + 1);
    return nowMillis + delay + DEADLINE_RESERVE_MS < deadlineMillis ? delay : -1;
  }

  static boolean retryable(HttpMethod method, TwilioApiException failure) {
    boolean idempotent = method == HttpMethod.GET || method == HttpMethod.DELETE;
    return switch (failure.kind()) {
      case HTTP -> rateLimited(failure) || failure.httpStatus() == 503
          || (idempotent && failure.httpStatus() >= 500);
      case NETWORK -> idempotent;
      case TIMEOUT, PAGING -> false;
    };
  }

  /** Reads {@code Retry-After} as delta-seconds or an HTTP date; null when absent or unreadable. */
  public static Long parseRetryAfter(String header, long nowMillis) {
    if (header == null || header.isBlank()) {
      return null;
    }
    String value = header.trim();
    try {
      long seconds = Long.parseLong(value);
      return seconds < 0 ? null : Duration.ofSeconds(seconds).toMillis();
    } catch (NumberFormatException notSeconds) {
      try {
        long at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli();
        return Math.max(0, at - nowMillis);
      } catch (DateTimeParseException unreadable) {
        return null;
      }
    }
  }
}
