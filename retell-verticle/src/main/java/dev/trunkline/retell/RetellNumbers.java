package dev.trunkline.retell;

import dev.trunkline.contract.RetellMessages.RetellNumber;
import io.vertx.core.json.JsonObject;

/** Reads Retell's PhoneNumberResponse into the fields Trunkline uses. */
final class RetellNumbers {
  private RetellNumbers() {}

  static RetellNumber from(JsonObject json) {
    JsonObject sip = sipConfig(json);
    Object ts = json.getValue("last_modification_timestamp");
    return new RetellNumber(
        text(json, "phone_number"),
        text(json, "phone_number_type"),
        text(json, "nickname"),
        sip == null ? null : text(sip, "termination_uri"),
        sip == null ? null : text(sip, "transport"),
        sip == null ? null : text(sip, "auth_username"),
        ts instanceof Number n ? n.longValue() : null);
  }

  /** {@code sip_outbound_trunk_config}, or null when absent, null or not an object. */
  static JsonObject sipConfig(JsonObject json) {
    return json.getValue("sip_outbound_trunk_config") instanceof JsonObject o ? o : null;
  }

  /** A string field, or null when the object or the field is absent or not a string. */
  static String text(JsonObject json, String field) {
    return json != null && json.getValue(field) instanceof String s ? s : null;
  }
}
