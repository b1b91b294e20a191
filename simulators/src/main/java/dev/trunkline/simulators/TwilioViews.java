package dev.trunkline.simulators;

import dev.trunkline.simulators.TwilioModel.Account;
import dev.trunkline.simulators.TwilioModel.Credential;
import dev.trunkline.simulators.TwilioModel.CredentialList;
import dev.trunkline.simulators.TwilioModel.IncomingNumber;
import dev.trunkline.simulators.TwilioModel.OriginationUrl;
import dev.trunkline.simulators.TwilioModel.Trunk;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Locale;

/**
 * Renders the simulator's resources in the reply shapes of the official documents: the 2010 API with RFC 2822 dates
 * and relative {@code uri}s, the trunking v1 API with ISO 8601 dates and absolute {@code url}s (built on the base URL
 * the client used, so following them comes back to the simulator). No view renders a password or auth token.
 */
final class TwilioViews {

  static final String API = "/2010-04-01";
  private static final DateTimeFormatter RFC_2822 =
      DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss Z", Locale.US).withZone(ZoneOffset.UTC);

  private TwilioViews() {
  }

  static String rfc2822(Instant instant) {
    return RFC_2822.format(instant);
  }

  static String iso(Instant instant) {
    return instant.truncatedTo(ChronoUnit.SECONDS).toString();
  }

  static JsonObject account(Account account) {
    String uri = API + "/Accounts/" + account.sid;
    JsonObject subresources = new JsonObject();
    for (String name : new String[] {"IncomingPhoneNumbers", "AvailablePhoneNumbers"}) {
      subresources.put(snake(name), uri + "/" + name + ".json");
    }
    subresources.put("sip", uri + "/SIP.json");
    return new JsonObject()
        // The real API returns the auth token to its owner; the simulator never echoes a secret.
        .put("auth_token", null)
        .put("date_created", rfc2822(account.created))
        .put("date_updated", rfc2822(account.created))
        .put("friendly_name", "Simulated account " + account.sid)
        .put("owner_account_sid", account.sid)
        .put("sid", account.sid)
        .put("status", "active")
        .put("subresource_uris", subresources)
        .put("type", "Full")
        .put("uri", uri + ".json");
  }

  static JsonObject trunk(Trunk trunk, String baseUrl) {
    String url = baseUrl + "/v1/Trunks/" + trunk.sid;
    boolean credentialAuth = !trunk.credentialLists.isEmpty();
    return new JsonObject()
        .put("account_sid", trunk.accountSid)
        .put("domain_name", trunk.domainName)
        .put("disaster_recovery_method", trunk.disasterRecoveryMethod)
        .put("disaster_recovery_url", trunk.disasterRecoveryUrl)
        .put("friendly_name", trunk.friendlyName)
        .put("secure", trunk.secure)
        .put("recording", new JsonObject().put("mode", "do-not-record").put("trim", "do-not-trim"))
        .put("transfer_mode", trunk.transferMode)
        .put("transfer_caller_id", trunk.transferCallerId)
        .put("cnam_lookup_enabled", trunk.cnamLookupEnabled)
        .put("auth_type", credentialAuth ? "CREDENTIAL_LIST" : "")
        .put("symmetric_rtp_enabled", false)
        .put("auth_type_set", credentialAuth ? new JsonArray().add("CREDENTIAL_LIST") : new JsonArray())
        .put("date_created", iso(trunk.created))
        .put("date_updated", iso(trunk.updated))
        .put("sid", trunk.sid)
        .put("url", url)
        .put("links", new JsonObject()
            .put("origination_urls", url + "/OriginationUrls")
            .put("credential_lists", url + "/CredentialLists")
            .put("ip_access_control_lists", url + "/IpAccessControlLists")
            .put("phone_numbers", url + "/PhoneNumbers")
            .put("recording", url + "/Recording"));
  }

  static JsonObject trunkCredentialList(Trunk trunk, CredentialList list, String baseUrl) {
    return new JsonObject()
        .put("account_sid", trunk.accountSid)
        .put("sid", list.sid)
        .put("trunk_sid", trunk.sid)
        .put("friendly_name", list.friendlyName)
        .put("date_created", iso(trunk.credentialLists.get(list.sid)))
        .put("date_updated", iso(trunk.credentialLists.get(list.sid)))
        .put("url", baseUrl + "/v1/Trunks/" + trunk.sid + "/CredentialLists/" + list.sid);
  }

  static JsonObject originationUrl(Trunk trunk, OriginationUrl origination, String baseUrl) {
    return new JsonObject()
        .put("account_sid", trunk.accountSid)
        .put("sid", origination.sid)
        .put("trunk_sid", trunk.sid)
        .put("weight", origination.weight)
        .put("enabled", origination.enabled)
        .put("sip_url", origination.sipUrl)
        .put("friendly_name", origination.friendlyName)
        .put("priority", origination.priority)
        .put("date_created", iso(origination.created))
        .put("date_updated", iso(origination.updated))
        .put("url", baseUrl + "/v1/Trunks/" + trunk.sid + "/OriginationUrls/" + origination.sid);
  }

  static JsonObject trunkPhoneNumber(Trunk trunk, IncomingNumber number, String baseUrl) {
    String url = baseUrl + "/v1/Trunks/" + trunk.sid + "/PhoneNumbers/" + number.sid;
    return new JsonObject()
        .put("account_sid", trunk.accountSid)
        .put("address_requirements", "none")
        .put("api_version", "2010-04-01")
        .put("beta", false)
        .put("capabilities", capabilities(number))
        .put("date_created", iso(number.trunkAssociated == null ? number.created : number.trunkAssociated))
        .put("date_updated", iso(number.updated))
        .put("friendly_name", number.friendlyName)
        .put("links", new JsonObject())
        .put("phone_number", number.phoneNumber)
        .put("sid", number.sid)
        .put("sms_application_sid", null)
        .put("sms_fallback_method", "POST")
        .put("sms_fallback_url", null)
        .put("sms_method", number.smsMethod)
        .put("sms_url", number.smsUrl)
        .put("status_callback", number.statusCallback)
        .put("status_callback_method", "POST")
        .put("trunk_sid", trunk.sid)
        .put("url", url)
        .put("voice_application_sid", null)
        .put("voice_caller_id_lookup", false)
        .put("voice_fallback_method", "POST")
        .put("voice_fallback_url", null)
        .put("voice_method", number.voiceMethod)
        .put("voice_url", number.voiceUrl);
  }

  static JsonObject credentialList(String accountSid, CredentialList list) {
    String uri = API + "/Accounts/" + accountSid + "/SIP/CredentialLists/" + list.sid;
    return new JsonObject()
        .put("account_sid", accountSid)
        .put("date_created", rfc2822(list.created))
        .put("date_updated", rfc2822(list.updated))
        .put("friendly_name", list.friendlyName)
        .put("sid", list.sid)
        .put("subresource_uris", new JsonObject().put("credentials", uri + "/Credentials.json"))
        .put("uri", uri + ".json");
  }

  static JsonObject credential(String accountSid, CredentialList list, Credential credential) {
    return new JsonObject()
        .put("sid", credential.sid)
        .put("account_sid", accountSid)
        .put("credential_list_sid", list.sid)
        .put("username", credential.username)
        .put("date_created", rfc2822(credential.created))
        .put("date_updated", rfc2822(credential.updated))
        .put("uri", API + "/Accounts/" + accountSid + "/SIP/CredentialLists/" + list.sid + "/Credentials/"
            + credential.sid + ".json");
  }

  static JsonObject incomingNumber(String accountSid, IncomingNumber number) {
    String uri = API + "/Accounts/" + accountSid + "/IncomingPhoneNumbers/" + number.sid;
    return new JsonObject()
        .put("account_sid", accountSid)
        .put("address_sid", number.addressSid)
        .put("address_requirements", "none")
        .put("api_version", "2010-04-01")
        .put("beta", false)
        .put("capabilities", capabilities(number))
        .put("date_created", rfc2822(number.created))
        .put("date_updated", rfc2822(number.updated))
        .put("friendly_name", number.friendlyName)
        .put("identity_sid", number.identitySid)
        .put("phone_number", number.phoneNumber)
        .put("origin", "twilio")
        .put("sid", number.sid)
        .put("sms_application_sid", null)
        .put("sms_fallback_method", "POST")
        .put("sms_fallback_url", null)
        .put("sms_method", number.smsMethod)
        .put("sms_url", number.smsUrl)
        .put("status_callback", number.statusCallback)
        .put("status_callback_method", "POST")
        .put("trunk_sid", number.trunkSid)
        .put("uri", uri + ".json")
        .put("voice_receive_mode", number.voiceReceiveMode)
        .put("voice_application_sid", null)
        .put("voice_caller_id_lookup", false)
        .put("voice_fallback_method", "POST")
        .put("voice_fallback_url", null)
        .put("voice_method", number.voiceMethod)
        .put("voice_url", number.voiceUrl)
        .put("emergency_status", "Inactive")
        .put("emergency_address_sid", number.emergencyAddressSid)
        .put("emergency_address_status", number.emergencyAddressSid == null ? "unregistered" : "registered")
        .put("bundle_sid", number.bundleSid)
        .put("status", "in-use")
        .put("type", number.type)
        .put("subresource_uris", new JsonObject().put("assigned_add_ons", uri + "/AssignedAddOns.json"));
  }

  private static JsonObject capabilities(IncomingNumber number) {
    boolean nanp = number.phoneNumber.startsWith("+1");
    return new JsonObject().put("voice", true).put("sms", true).put("mms", nanp).put("fax", false);
  }

  private static String snake(String pascal) {
    return pascal.replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
  }
}
