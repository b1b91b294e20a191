package dev.trunkline.gateway;

import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;

/** What a flow answers: a status and a JSON body (plus the odd header), written by the route table. */
record ApiReply(int status, JsonObject body, Map<String, String> headers) {

  static ApiReply of(int status, JsonObject body) {
    return new ApiReply(status, body, Map.of());
  }

  /** {@code {"success": true, "data": ...}} with an optional message. */
  static ApiReply success(int status, String message, Object data) {
    JsonObject body = new JsonObject().put("success", true);
    if (message != null) {
      body.put("message", message);
    }
    body.put("data", data);
    return of(status, body);
  }

  static ApiReply ok(Object data) {
    return success(200, null, data);
  }

  ApiReply withHeader(String name, String value) {
    HashMap<String, String> all = new HashMap<>(headers);
    all.put(name, value);
    return new ApiReply(status, body, Map.copyOf(all));
  }
}
