package dev.trunkline.twilio.client;

import dev.trunkline.contract.Identifiers;
import dev.trunkline.contract.Secret;
import dev.trunkline.contract.TwilioMessages.AvailableNumber;
import dev.trunkline.contract.retry.Idempotency;
import dev.trunkline.twilio.client.Resources.Account;
import dev.trunkline.twilio.client.Resources.Credential;
import dev.trunkline.twilio.client.Resources.CredentialList;
import dev.trunkline.twilio.client.Resources.OriginationUrl;
import dev.trunkline.twilio.client.Resources.PhoneNumber;
import dev.trunkline.twilio.client.Resources.Trunk;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The Twilio operations Trunkline uses, one method each, named after their {@code operationId} in
 * {@code twilio_trunking_v1.json} / {@code twilio_api_v2010.json}, with exactly the PascalCase parameters those
 * documents define. Every SID that goes into a path is checked against its documented pattern first.
 *
 * <p>Each POST says whether it may be repeated when its outcome is unknown ({@link Idempotency}): one that sets fields
 * of an existing resource is idempotent; one that creates, links or buys something is not (a repeat could make a
 * second trunk or buy a second number, or answer "already linked" for a link that was made). Setup converges on re-run
 * instead.
 */
public final class TwilioApi {

  private final TwilioHttp http;

  public TwilioApi(TwilioHttp http) {
    this.http = http;
  }

  // ---- accounts (2010) ----

  public Future<Account> fetchAccount(TwilioAuth auth) {
    return http.get(TwilioHost.API, "/2010-04-01/Accounts/" + auth.accountSid() + ".json", Map.of(), auth,
        "FetchAccount").map(Account::of);
  }

  // ---- trunks (trunking v1) ----

  public Future<List<Trunk>> listTrunks(TwilioAuth auth) {
    return http.listAll(TwilioHost.TRUNKING, "/v1/Trunks", Map.of(), "trunks", auth, "ListTrunk")
        .map(items -> items.stream().map(Trunk::of).toList());
  }

  public Future<Trunk> fetchTrunk(TwilioAuth auth, String trunkSid) {
    return http.get(TwilioHost.TRUNKING, "/v1/Trunks/" + sid(Identifiers.TRUNK_SID, trunkSid), Map.of(), auth, "FetchTrunk")
        .map(Trunk::of);
  }

  public Future<Trunk> createTrunk(TwilioAuth auth, String friendlyName, String domainName) {
    MultiMap form = MultiMap.caseInsensitiveMultiMap().add("FriendlyName", friendlyName);
    if (domainName != null) {
      form.add("DomainName", domainName);
    }
    return http.post(TwilioHost.TRUNKING, "/v1/Trunks", form, auth, "CreateTrunk", Idempotency.NOT_IDEMPOTENT).map(Trunk::of);
  }

  public Future<Trunk> updateTrunkDomainName(TwilioAuth auth, String trunkSid, String domainName) {
    MultiMap form = MultiMap.caseInsensitiveMultiMap().add("DomainName", domainName);
    return http.post(TwilioHost.TRUNKING, "/v1/Trunks/" + sid(Identifiers.TRUNK_SID, trunkSid), form, auth, "UpdateTrunk", Idempotency.IDEMPOTENT)
        .map(Trunk::of);
  }

  public Future<Void> deleteTrunk(TwilioAuth auth, String trunkSid) {
    return http.delete(TwilioHost.TRUNKING, "/v1/Trunks/" + sid(Identifiers.TRUNK_SID, trunkSid), auth, "DeleteTrunk");
  }

  // ---- credential lists and credentials (2010) ----

  public Future<List<CredentialList>> listCredentialLists(TwilioAuth auth) {
    return http.listAll(TwilioHost.API, sipPath(auth) + "/CredentialLists.json", Map.of(), "credential_lists", auth,
        "ListSipCredentialList").map(items -> items.stream().map(CredentialList::of).toList());
  }

  public Future<CredentialList> fetchCredentialList(TwilioAuth auth, String listSid) {
    return http.get(TwilioHost.API, sipPath(auth) + "/CredentialLists/" + sid(Identifiers.CREDENTIAL_LIST_SID, listSid) + ".json",
        Map.of(), auth, "FetchSipCredentialList").map(CredentialList::of);
  }

  public Future<CredentialList> createCredentialList(TwilioAuth auth, String friendlyName) {
    MultiMap form = MultiMap.caseInsensitiveMultiMap().add("FriendlyName", friendlyName);
    return http.post(TwilioHost.API, sipPath(auth) + "/CredentialLists.json", form, auth, "CreateSipCredentialList", Idempotency.NOT_IDEMPOTENT)
        .map(CredentialList::of);
  }

  public Future<Void> deleteCredentialList(TwilioAuth auth, String listSid) {
    return http.delete(TwilioHost.API, sipPath(auth) + "/CredentialLists/" + sid(Identifiers.CREDENTIAL_LIST_SID, listSid)
        + ".json", auth, "DeleteSipCredentialList");
  }

  public Future<List<Credential>> listCredentials(TwilioAuth auth, String listSid) {
    return http.listAll(TwilioHost.API, credentialsPath(auth, listSid) + ".json", Map.of(), "credentials", auth,
        "ListSipCredential").map(items -> items.stream().map(Credential::of).toList());
  }

  public Future<Credential> createCredential(TwilioAuth auth, String listSid, String username, Secret password) {
    MultiMap form = MultiMap.caseInsensitiveMultiMap()
        .add("Username", username)
        .add("Password", password.reveal());
    return http.post(TwilioHost.API, credentialsPath(auth, listSid) + ".json", form, auth, "CreateSipCredential",
        Idempotency.NOT_IDEMPOTENT, password).map(Credential::of);
  }

  /** Sets a new password on an existing credential: the username, and every number using it, stay. */
  public Future<Credential> updateCredentialPassword(TwilioAuth auth, String listSid, String credentialSid,
      Secret password) {
    MultiMap form = MultiMap.caseInsensitiveMultiMap().add("Password", password.reveal());
    return http.post(TwilioHost.API, credentialsPath(auth, listSid) + "/" + sid(Identifiers.CREDENTIAL_SID, credentialSid)
        + ".json", form, auth, "UpdateSipCredential", Idempotency.IDEMPOTENT, password).map(Credential::of);
  }

  public Future<Void> deleteCredential(TwilioAuth auth, String listSid, String credentialSid) {
    return http.delete(TwilioHost.API, credentialsPath(auth, listSid) + "/" + sid(Identifiers.CREDENTIAL_SID, credentialSid)
        + ".json", auth, "DeleteSipCredential");
  }

  // ---- a trunk's credential lists, origination URLs and phone numbers (trunking v1) ----

  public Future<List<CredentialList>> listTrunkCredentialLists(TwilioAuth auth, String trunkSid) {
    return http.listAll(TwilioHost.TRUNKING, trunkPath(trunkSid) + "/CredentialLists", Map.of(), "credential_lists",
        auth, "ListCredentialList").map(items -> items.stream().map(CredentialList::of).toList());
  }

  public Future<Void> associateCredentialList(TwilioAuth auth, String trunkSid, String listSid) {
    MultiMap form = MultiMap.caseInsensitiveMultiMap().add("CredentialListSid", sid(Identifiers.CREDENTIAL_LIST_SID, listSid));
    return http.post(TwilioHost.TRUNKING, trunkPath(trunkSid) + "/CredentialLists", form, auth,
        "CreateCredentialList", Idempotency.NOT_IDEMPOTENT).mapEmpty();
  }

  public Future<List<OriginationUrl>> listOriginationUrls(TwilioAuth auth, String trunkSid) {
    return http.listAll(TwilioHost.TRUNKING, trunkPath(trunkSid) + "/OriginationUrls", Map.of(), "origination_urls",
        auth, "ListOriginationUrl").map(items -> items.stream().map(OriginationUrl::of).toList());
  }

  public Future<OriginationUrl> createOriginationUrl(TwilioAuth auth, String trunkSid, String friendlyName,
      String sipUrl, int weight, int priority) {
    MultiMap form = MultiMap.caseInsensitiveMultiMap()
        .add("Weight", Integer.toString(weight))
        .add("Priority", Integer.toString(priority))
        .add("Enabled", "true")
        .add("FriendlyName", friendlyName)
        .add("SipUrl", sipUrl);
    return http.post(TwilioHost.TRUNKING, trunkPath(trunkSid) + "/OriginationUrls", form, auth,
        "CreateOriginationUrl", Idempotency.NOT_IDEMPOTENT).map(OriginationUrl::of);
  }

  /** Re-enables an origination URL that someone disabled; nothing else of it changes. */
  public Future<OriginationUrl> enableOriginationUrl(TwilioAuth auth, String trunkSid, String originationUrlSid) {
    MultiMap form = MultiMap.caseInsensitiveMultiMap().add("Enabled", "true");
    return http.post(TwilioHost.TRUNKING, trunkPath(trunkSid) + "/OriginationUrls/" + sid(Identifiers.ORIGINATION_URL_SID,
        originationUrlSid), form, auth, "UpdateOriginationUrl", Idempotency.IDEMPOTENT).map(OriginationUrl::of);
  }

  /**
   * Points an origination URL at {@code sipUrl} and enables it, in one write: its SID, weight, priority and name
   * stay, so whatever refers to it keeps working.
   */
  public Future<OriginationUrl> updateOriginationSipUrl(TwilioAuth auth, String trunkSid, String originationUrlSid,
      String sipUrl) {
    MultiMap form = MultiMap.caseInsensitiveMultiMap().add("SipUrl", sipUrl).add("Enabled", "true");
    return http.post(TwilioHost.TRUNKING, trunkPath(trunkSid) + "/OriginationUrls/" + sid(Identifiers.ORIGINATION_URL_SID,
        originationUrlSid), form, auth, "UpdateOriginationUrl", Idempotency.IDEMPOTENT).map(OriginationUrl::of);
  }

  public Future<List<PhoneNumber>> listTrunkPhoneNumbers(TwilioAuth auth, String trunkSid) {
    return http.listAll(TwilioHost.TRUNKING, trunkPath(trunkSid) + "/PhoneNumbers", Map.of(), "phone_numbers", auth,
        "ListPhoneNumber").map(items -> items.stream().map(PhoneNumber::of).toList());
  }

  public Future<PhoneNumber> associatePhoneNumber(TwilioAuth auth, String trunkSid, String phoneNumberSid) {
    MultiMap form = MultiMap.caseInsensitiveMultiMap()
        .add("PhoneNumberSid", sid(Identifiers.PHONE_NUMBER_SID, phoneNumberSid));
    return http.post(TwilioHost.TRUNKING, trunkPath(trunkSid) + "/PhoneNumbers", form, auth, "CreatePhoneNumber", Idempotency.NOT_IDEMPOTENT)
        .map(PhoneNumber::of);
  }

  public Future<Void> removeTrunkPhoneNumber(TwilioAuth auth, String trunkSid, String phoneNumberSid) {
    return http.delete(TwilioHost.TRUNKING, trunkPath(trunkSid) + "/PhoneNumbers/" + sid(Identifiers.PHONE_NUMBER_SID,
        phoneNumberSid), auth, "DeletePhoneNumber");
  }

  // ---- phone numbers of the account (2010) ----

  /** The account's numbers equal to {@code phoneNumber} (Twilio's PhoneNumber filter, then an exact check). */
  public Future<List<PhoneNumber>> findIncomingPhoneNumbers(TwilioAuth auth, String phoneNumber) {
    return http.listAll(TwilioHost.API, accountPath(auth) + "/IncomingPhoneNumbers.json",
        Map.of("PhoneNumber", phoneNumber), "incoming_phone_numbers", auth, "ListIncomingPhoneNumber")
        .map(items -> items.stream().map(PhoneNumber::of).filter(n -> phoneNumber.equals(n.phoneNumber())).toList());
  }

  /**
   * Buys exactly {@code phoneNumber} (never an {@code AreaCode} purchase, which lets Twilio pick another) and
   * points it at the trunk in the same call.
   */
  public Future<PhoneNumber> purchasePhoneNumber(TwilioAuth auth, String phoneNumber, String trunkSid,
      String addressSid, String emergencyAddressSid, String bundleSid) {
    MultiMap form = MultiMap.caseInsensitiveMultiMap()
        .add("PhoneNumber", phoneNumber)
        .add("TrunkSid", sid(Identifiers.TRUNK_SID, trunkSid));
    if (addressSid != null) {
      form.add("AddressSid", addressSid);
    }
    if (emergencyAddressSid != null) {
      form.add("EmergencyAddressSid", emergencyAddressSid);
    }
    if (bundleSid != null) {
      form.add("BundleSid", bundleSid);
    }
    return http.post(TwilioHost.API, accountPath(auth) + "/IncomingPhoneNumbers.json", form, auth,
        "CreateIncomingPhoneNumber", Idempotency.NOT_IDEMPOTENT).map(PhoneNumber::of);
  }

  public Future<Void> releasePhoneNumber(TwilioAuth auth, String phoneNumberSid) {
    return http.delete(TwilioHost.API, accountPath(auth) + "/IncomingPhoneNumbers/" + sid(Identifiers.PHONE_NUMBER_SID,
        phoneNumberSid) + ".json", auth, "DeleteIncomingPhoneNumber");
  }

  /**
   * One page of available numbers.
   *
   * @param resource "Local", "Mobile" or "TollFree"
   */
  public Future<List<AvailableNumber>> searchAvailablePhoneNumbers(TwilioAuth auth, String countryCode,
      String resource, Integer areaCode, String contains, int limit) {
    if (!Identifiers.COUNTRY_CODE.matcher(countryCode).matches()) {
      throw new IllegalArgumentException("countryCode must be two capital letters");
    }
    Map<String, String> query = new LinkedHashMap<>();
    if (areaCode != null) {
      query.put("AreaCode", Integer.toString(areaCode));
    }
    if (contains != null) {
      query.put("Contains", contains);
    }
    query.put("PageSize", Integer.toString(limit));
    String path = accountPath(auth) + "/AvailablePhoneNumbers/" + countryCode + "/" + resource + ".json";
    return http.get(TwilioHost.API, path, query, auth, "ListAvailablePhoneNumber" + resource)
        .map(body -> body.getJsonArray("available_phone_numbers", new io.vertx.core.json.JsonArray()).stream()
            .map(o -> availableNumber((JsonObject) o)).limit(limit).toList());
  }

  private static AvailableNumber availableNumber(JsonObject j) {
    Map<String, Boolean> capabilities = new HashMap<>();
    JsonObject caps = j.getJsonObject("capabilities", new JsonObject());
    for (String key : caps.fieldNames()) {
      if (caps.getValue(key) instanceof Boolean b) {
        capabilities.put(key, b);
      }
    }
    return new AvailableNumber(j.getString("phone_number"), j.getString("friendly_name"), j.getString("locality"),
        j.getString("region"), j.getString("iso_country"), j.getString("postal_code"), capabilities);
  }

  // ---- paths ----

  private static String accountPath(TwilioAuth auth) {
    return "/2010-04-01/Accounts/" + auth.accountSid();
  }

  private static String sipPath(TwilioAuth auth) {
    return accountPath(auth) + "/SIP";
  }

  private static String credentialsPath(TwilioAuth auth, String listSid) {
    return sipPath(auth) + "/CredentialLists/" + sid(Identifiers.CREDENTIAL_LIST_SID, listSid) + "/Credentials";
  }

  private static String trunkPath(String trunkSid) {
    return "/v1/Trunks/" + sid(Identifiers.TRUNK_SID, trunkSid);
  }

  private static String sid(Pattern pattern, String sid) {
    if (sid == null || !pattern.matcher(sid).matches()) {
      throw new IllegalArgumentException("malformed Twilio SID for " + pattern.pattern().substring(1, 3));
    }
    return sid;
  }
}
