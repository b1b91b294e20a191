package dev.trunkline.retell;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.OptionalLong;
import java.util.concurrent.ThreadLocalRandom;

/** When to try again: exponential backoff with jitter, or what the upstream asked for. */
final class Backoff {
  private Backoff() {}

  /** Statuses worth another attempt, as Retell's own SDK retries them. */
  static boolean retryable(int status) {
    return status == 408 || status == 409 || status == 429 || status >= 500;
  }

  /**
   * The delay before retry number {@code retry} (1 for the first retry): {@code base * 2^(retry-1)} capped at
   * {@code max}, then a random point in its upper half, so callers that failed together do not return together.
   */
  static long delayMs(int retry, long baseMs, long maxMs) {
    long exp = baseMs << Math.min(retry - 1, 20);
    long capped = Math.min(maxMs, exp < 0 ? maxMs : exp);
    long half = capped / 2;
    return half + ThreadLocalRandom.current().nextLong(capped - half + 1);
  }

  /**
   * Reads {@code retry-after-ms} (Retell's SDK honours it) or {@code Retry-After} (seconds, or an HTTP
   * date). Absent or unreadable: empty. Negative values count as zero.
   */
  static OptionalLong retryAfterMs(String retryAfterMsHeader, String retryAfterHeader, Instant now) {
    if (retryAfterMsHeader != null) {
      try {
        return OptionalLong.of(Math.max(0, (long) Double.parseDouble(retryAfterMsHeader.trim())));
      } catch (NumberFormatException ignored) {
        // fall through to Retry-After
      }
    }
    if (retryAfterHeader == null || retryAfterHeader.isBlank()) {
      return OptionalLong.empty();
    }
    String value = retryAfterHeader.trim();
    try {
      return OptionalLong.of(Math.max(0, (long) Math.ceil(Double.parseDouble(value) * 1000)));
    } catch (NumberFormatException notSeconds) {
      try {
        ZonedDateTime at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME);
        return OptionalLong.of(Math.max(0, Duration.between(now, at.toInstant()).toMillis()));
      } catch (DateTimeParseException notADate) {
        return OptionalLong.empty();
      }
    }
  }
}
