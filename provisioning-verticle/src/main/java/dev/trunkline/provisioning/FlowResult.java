package dev.trunkline.provisioning;

import dev.trunkline.contract.ProvisioningMessages.FlowReply;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;

/** What a flow answers while it is built: a status and a JSON body (plus the odd header); sent as a FlowReply. */
record FlowResult(int status, JsonObject body, Map<String, String> headers) {

  static FlowResult of(int status, JsonObject body) {
    return new FlowResult(status, body, Map.of());
  }

  /** {@code {"success": true, "data": ...}} with an optional message. */
  static FlowResult success(int status, String message, Object data) {
    JsonObject body = new JsonObject().put("success", true);
    if (message != null) {
      body.put("message", message);
    }
    body.put("data", data);
    return of(status, body);
  }

  static FlowResult ok(Object data) {
    return success(200, null, data);
  }

  FlowResult withHeader(String name, String value) {
    HashMap<String, String> all = new HashMap<>(headers);
    all.put(name, value);
    return new FlowResult(status, body, Map.copyOf(all));
  }

  FlowReply toReply() {
    return new FlowReply(status, body.getMap(), headers);
  }
}
