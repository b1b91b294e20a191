package dev.trunkline.store;

import io.vertx.core.json.JsonObject;
import java.time.Instant;

/** BSON dates as vertx-mongo-client writes and reads them: {@code {"$date": "ISO-8601"}}. */
final class Dates {
  private Dates() {}

  static JsonObject of(Instant instant) {
    return new JsonObject().put("$date", instant.truncatedTo(java.time.temporal.ChronoUnit.MILLIS).toString());
  }

  /** Milliseconds since the epoch of a stored date ({@code $date} string or number, or a bare number); 0 if none. */
  static long millis(Object value) {
    if (value instanceof JsonObject json) {
      value = json.getValue("$date");
    }
    if (value instanceof Number n) {
      return n.longValue();
    }
    if (value instanceof String s) {
      try {
        return Instant.parse(s).toEpochMilli();
      } catch (RuntimeException e) {
        return 0L;
      }
    }
    return 0L;
  }
}
