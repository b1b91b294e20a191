package dev.trunkline.twilio.client;

import io.vertx.core.json.JsonObject;

/** The few fields of Twilio's resources that Trunkline reads (names as in the OpenAPI documents). */
public final class Resources {
  private Resources() {}

  public record Account(String sid, String friendlyName, String status) {
    static Account of(JsonObject j) {
      // The API also returns auth_token here: it is deliberately not read.
      return new Account(j.getString("sid"), j.getString("friendly_name"), j.getString("status"));
    }
  }

  public record Trunk(String sid, String friendlyName, String domainName, String dateCreated) {
    static Trunk of(JsonObject j) {
      return new Trunk(j.getString("sid"), j.getString("friendly_name"), j.getString("domain_name"),
          j.getString("date_created"));
    }
  }

  public record CredentialList(String sid, String friendlyName) {
    static CredentialList of(JsonObject j) {
      return new CredentialList(j.getString("sid"), j.getString("friendly_name"));
    }
  }

  public record Credential(String sid, String username) {
    static Credential of(JsonObject j) {
      return new Credential(j.getString("sid"), j.getString("username"));
    }
  }

  public record OriginationUrl(String sid, String sipUrl, boolean enabled, String friendlyName) {
    static OriginationUrl of(JsonObject j) {
      return new OriginationUrl(j.getString("sid"), j.getString("sip_url"),
          Boolean.TRUE.equals(j.getValue("enabled")), j.getString("friendly_name"));
    }
  }

  /** An incoming phone number of the account, or a number associated with a trunk. */
  public record PhoneNumber(String sid, String phoneNumber, String trunkSid, String friendlyName) {
    static PhoneNumber of(JsonObject j) {
      return new PhoneNumber(j.getString("sid"), j.getString("phone_number"), j.getString("trunk_sid"),
          j.getString("friendly_name"));
    }
  }
}
