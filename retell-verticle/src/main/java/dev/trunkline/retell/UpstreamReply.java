package dev.trunkline.retell;

import io.vertx.core.json.JsonObject;
import java.util.regex.Pattern;

/**
 * The final answer of Retell to a call: a success, a status not worth retrying, or the last status when the
 * retries ran out.
 *
 * @param status HTTP status
 * @param json the body when it is a JSON object, else null
 * @param bodyPresent whether the body had any bytes (a 2xx with a non-JSON body is a bad reply)
 * @param retryAfterMs what the upstream asked for on its last answer, or null
 * @param attempts how many HTTP attempts were made
 */
record UpstreamReply(int status, JsonObject json, boolean bodyPresent, Long retryAfterMs, int attempts) {
  /**
   * How Retell says it has no such number: 422 with "Cannot find requested asset under given api key." (its
   * OpenAPI document lists no 404 for get, update or delete). Any other 422 is a rejection of the input.
   */
  private static final Pattern CANNOT_FIND = Pattern.compile("(?i)\\b(cannot|can't|could not) find\\b");

  boolean ok() {
    return status >= 200 && status < 300;
  }

  /** Retell does not have the asset: its 422 whose message says it cannot find it, or a plain 404. */
  boolean notFound() {
    if (status == 404) {
      return true;
    }
    return status == 422 && json != null && json.getValue("message") instanceof String message
        && CANNOT_FIND.matcher(message).find();
  }
}
