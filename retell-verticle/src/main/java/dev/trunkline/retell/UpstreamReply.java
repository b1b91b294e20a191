package dev.trunkline.retell;

import io.vertx.core.json.JsonObject;

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
  boolean ok() {
    return status >= 200 && status < 300;
  }
}
