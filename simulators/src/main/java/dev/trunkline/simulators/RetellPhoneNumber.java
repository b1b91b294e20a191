package dev.trunkline.simulators;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * One number in a Retell workspace. Mutable, guarded by the owning {@link RetellWorkspaces} lock. The SIP password is
 * held here and nowhere else; {@link #toResponse()} (the only JSON view) never includes it.
 */
final class RetellPhoneNumber {

  final String phoneNumber;
  final long sequence;
  String nickname;
  JsonArray inboundAgents;
  JsonArray outboundAgents;
  JsonArray inboundSmsAgents;
  JsonArray outboundSmsAgents;
  String inboundSmsWebhookUrl;
  String inboundWebhookUrl;
  String fallbackNumber;
  JsonArray allowedInboundCountries;
  JsonArray allowedOutboundCountries;
  String terminationUri;
  String transport;
  String authUsername;
  String authPassword;
  long lastModified;

  RetellPhoneNumber(String phoneNumber, long sequence) {
    this.phoneNumber = phoneNumber;
    this.sequence = sequence;
  }

  /** The API's PhoneNumberResponse for a number imported from a custom SIP trunk. */
  JsonObject toResponse() {
    JsonObject sip = new JsonObject().put("termination_uri", terminationUri).put("transport", transport)
        .put("auth_username", authUsername);
    JsonObject response = new JsonObject()
        .put("phone_number", phoneNumber)
        .put("phone_number_type", "custom")
        .put("phone_number_pretty", pretty(phoneNumber));
    Integer areaCode = areaCode(phoneNumber);
    if (areaCode != null) {
      // An integer in the document, not nullable: absent for numbers outside the NANP.
      response.put("area_code", areaCode);
    }
    return response
        .put("nickname", nickname)
        .put("inbound_agents", copy(inboundAgents))
        .put("outbound_agents", copy(outboundAgents))
        .put("inbound_sms_agents", copy(inboundSmsAgents))
        .put("outbound_sms_agents", copy(outboundSmsAgents))
        .put("inbound_webhook_url", inboundWebhookUrl)
        .put("inbound_sms_webhook_url", inboundSmsWebhookUrl)
        .put("fallback_number", fallbackNumber)
        .put("allowed_inbound_country_list", copy(allowedInboundCountries))
        .put("allowed_outbound_country_list", copy(allowedOutboundCountries))
        .put("sip_outbound_trunk_config", sip)
        .put("last_modification_timestamp", lastModified);
  }

  private static JsonArray copy(JsonArray array) {
    return array == null ? null : array.copy();
  }

  /** "+14155550100" -> "+1 (415) 555-0100" for NANP numbers; other numbers are shown as they are. */
  static String pretty(String e164) {
    if (isNanp(e164)) {
      return "+1 (" + e164.substring(2, 5) + ") " + e164.substring(5, 8) + "-" + e164.substring(8);
    }
    return e164;
  }

  /** The NANP area code, or null for numbers outside +1. */
  static Integer areaCode(String e164) {
    return isNanp(e164) ? Integer.valueOf(e164.substring(2, 5)) : null;
  }

  private static boolean isNanp(String e164) {
    return e164.length() == 12 && e164.startsWith("+1") && e164.substring(1).chars().allMatch(Character::isDigit);
  }
}
