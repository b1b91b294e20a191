package dev.trunkline.gateway;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** Every tenant route with a request that passes validation, for tests that must cover all of them. */
final class Routes {
  record Call(HttpMethod method, String path, JsonObject body, String idempotencyKey) {
    String uri(String tenant) {
      return "/api/connectors/" + tenant + path;
    }
  }

  static final List<Call> TENANT_ROUTES = List.of(
      new Call(HttpMethod.PUT, "/twilio", new JsonObject().put("accountSid", "AC" + "0".repeat(32))
          .put("authToken", "0123456789abcdef0123456789abcdef"), null),
      new Call(HttpMethod.PUT, "/retell", new JsonObject().put("apiKey", "key_0123456789"), null),
      new Call(HttpMethod.POST, "/twilio/setup", new JsonObject(), null),
      new Call(HttpMethod.GET, "/twilio/trunk", null, null),
      new Call(HttpMethod.GET, "/twilio/availablePhoneNumbers?areaCode=415", null, null),
      new Call(HttpMethod.POST, "/twilio/phoneNumbers/purchase", new JsonObject().put("phoneNumber", "+14155550100"),
          "key-1"),
      new Call(HttpMethod.POST, "/twilio/phoneNumbers/import", new JsonObject().put("phoneNumber", "+14155550100"),
          null),
      new Call(HttpMethod.GET, "/phone-numbers", null, null),
      new Call(HttpMethod.DELETE, "/phone-numbers/%2B14155550100", null, null),
      new Call(HttpMethod.GET, "/twilio/retell-credentials", null, null),
      new Call(HttpMethod.POST, "/twilio/fix-retell-credentials", new JsonObject(), null),
      new Call(HttpMethod.POST, "/twilio/credentials/rotate", null, null));

  private Routes() {}
}
