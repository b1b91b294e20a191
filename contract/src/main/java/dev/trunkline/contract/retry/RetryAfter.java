package dev.trunkline.contract.retry;

import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** Reads how long an upstream asked to wait before the next request. */
public final class RetryAfter {
  private RetryAfter() {}

  /**
   * The wait in milliseconds from {@code retry-after-ms} (Retell's SDK honours it) or else {@code Retry-After}
   * (delta-seconds, fractions allowed, or an HTTP date); null when neither is there or readable. A negative
   * value or a date in the past counts as zero.
   */
  public static Long parse(String retryAfterMsHeader, String retryAfterHeader, long nowMillis) {
    if (retryAfterMsHeader != null) {
      try {
        return Math.max(0, (long) Double.parseDouble(retryAfterMsHeader.trim()));
      } catch (NumberFormatException ignored) {
        // fall through to Retry-After
      }
    }
    if (retryAfterHeader == null || retryAfterHeader.isBlank()) {
      return null;
    }
    String value = retryAfterHeader.trim();
    try {
      double seconds = Double.parseDouble(value);
      if (Double.isNaN(seconds) || Double.isInfinite(seconds)) {
        return null;
      }
      return Math.max(0, (long) Math.ceil(Math.min(seconds, Long.MAX_VALUE / 1000.0) * 1000));
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
