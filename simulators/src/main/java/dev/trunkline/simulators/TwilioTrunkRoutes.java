package dev.trunkline.simulators;

import static dev.trunkline.simulators.TwilioRoute.trunking;

import dev.trunkline.simulators.TwilioModel.Account;
import dev.trunkline.simulators.TwilioModel.CredentialList;
import dev.trunkline.simulators.TwilioModel.IncomingNumber;
import dev.trunkline.simulators.TwilioModel.OriginationUrl;
import dev.trunkline.simulators.TwilioModel.Trunk;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Elastic SIP Trunking v1 ({@code twilio_trunking_v1.json}): trunks, their credential-list associations, origination
 * URLs and phone numbers.
 */
final class TwilioTrunkRoutes {

  static final String DOMAIN_SUFFIX = ".pstn.twilio.com";
  private static final Pattern DOMAIN_LABEL = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");
  private static final int MAX_FRIENDLY_NAME = 64;

  private final TwilioState state;

  TwilioTrunkRoutes(TwilioState state) {
    this.state = state;
  }

  List<TwilioRoute> routes() {
    String trunks = "/v1/Trunks";
    String trunk = "/v1/Trunks/{Sid}";
    String lists = "/v1/Trunks/{TrunkSid}/CredentialLists";
    String origins = "/v1/Trunks/{TrunkSid}/OriginationUrls";
    String numbers = "/v1/Trunks/{TrunkSid}/PhoneNumbers";
    return List.of(
        trunking(HttpMethod.POST, trunks, "CreateTrunk", this::createTrunk),
        trunking(HttpMethod.GET, trunks, "ListTrunk", this::listTrunks),
        trunking(HttpMethod.GET, trunk, "FetchTrunk", call -> fetch(call, t -> TwilioViews.trunk(t, call.baseUrl()))),
        trunking(HttpMethod.POST, trunk, "UpdateTrunk", this::updateTrunk),
        trunking(HttpMethod.DELETE, trunk, "DeleteTrunk", this::deleteTrunk),
        trunking(HttpMethod.POST, lists, "CreateCredentialList", this::associateCredentialList),
        trunking(HttpMethod.GET, lists, "ListCredentialList", this::listCredentialLists),
        trunking(HttpMethod.GET, lists + "/{Sid}", "FetchCredentialList", this::fetchCredentialList),
        trunking(HttpMethod.DELETE, lists + "/{Sid}", "DeleteCredentialList", this::dissociateCredentialList),
        trunking(HttpMethod.POST, origins, "CreateOriginationUrl", this::createOriginationUrl),
        trunking(HttpMethod.GET, origins, "ListOriginationUrl", this::listOriginationUrls),
        trunking(HttpMethod.GET, origins + "/{Sid}", "FetchOriginationUrl", this::fetchOriginationUrl),
        trunking(HttpMethod.POST, origins + "/{Sid}", "UpdateOriginationUrl", this::updateOriginationUrl),
        trunking(HttpMethod.DELETE, origins + "/{Sid}", "DeleteOriginationUrl", this::deleteOriginationUrl),
        trunking(HttpMethod.POST, numbers, "CreatePhoneNumber", this::associatePhoneNumber),
        trunking(HttpMethod.GET, numbers, "ListPhoneNumber", this::listPhoneNumbers),
        trunking(HttpMethod.GET, numbers + "/{Sid}", "FetchPhoneNumber", this::fetchPhoneNumber),
        trunking(HttpMethod.DELETE, numbers + "/{Sid}", "DeletePhoneNumber", this::dissociatePhoneNumber));
  }

  // ---- trunks

  private void createTrunk(TwilioCall call) {
    JsonObject reply;
    synchronized (state) {
      Account account = call.account();
      TwilioState.checkCapacity(account.trunks, "trunks");
      Trunk trunk = new Trunk(state.newSid("TK"), account.sid);
      applyTrunkFields(call, trunk);
      account.trunks.put(trunk.sid, trunk);
      reply = TwilioViews.trunk(trunk, call.baseUrl());
    }
    call.reply(201, reply);
  }

  private void updateTrunk(TwilioCall call) {
    JsonObject reply;
    synchronized (state) {
      Trunk trunk = trunk(call.account(), call.path("Sid"));
      applyTrunkFields(call, trunk);
      trunk.updated = Instant.now();
      reply = TwilioViews.trunk(trunk, call.baseUrl());
    }
    call.reply(200, reply);
  }

  /** Validates everything first, then claims the domain, then applies: a rejected request changes nothing. */
  private void applyTrunkFields(TwilioCall call, Trunk trunk) {
    String friendlyName = call.string("FriendlyName");
    if (friendlyName != null && friendlyName.length() > MAX_FRIENDLY_NAME) {
      throw TwilioException.invalid("FriendlyName must be at most " + MAX_FRIENDLY_NAME + " characters");
    }
    if (call.has("DomainName")) {
      String domain = call.string("DomainName").trim();
      if (domain.isEmpty()) {
        state.releaseDomain(trunk.domainName);
        trunk.domainName = null;
      } else {
        checkDomain(domain);
        state.claimDomain(domain, trunk.sid);
        if (trunk.domainName != null && !trunk.domainName.equalsIgnoreCase(domain)) {
          state.releaseDomain(trunk.domainName);
        }
        trunk.domainName = domain.toLowerCase(Locale.ROOT);
      }
    }
    if (friendlyName != null) {
      trunk.friendlyName = friendlyName;
    }
    if (call.has("DisasterRecoveryUrl")) {
      trunk.disasterRecoveryUrl = call.string("DisasterRecoveryUrl");
    }
    if (call.has("DisasterRecoveryMethod")) {
      trunk.disasterRecoveryMethod = call.string("DisasterRecoveryMethod");
    }
    if (call.has("TransferMode")) {
      trunk.transferMode = call.string("TransferMode");
    }
    if (call.has("TransferCallerId")) {
      trunk.transferCallerId = call.string("TransferCallerId");
    }
    if (call.has("Secure")) {
      trunk.secure = call.form().getBoolean("Secure");
    }
    if (call.has("CnamLookupEnabled")) {
      trunk.cnamLookupEnabled = call.form().getBoolean("CnamLookupEnabled");
    }
  }

  static void checkDomain(String domain) {
    String lower = domain.toLowerCase(Locale.ROOT);
    if (!lower.endsWith(DOMAIN_SUFFIX)) {
      throw TwilioException.invalid("DomainName must end with " + DOMAIN_SUFFIX);
    }
    String label = lower.substring(0, lower.length() - DOMAIN_SUFFIX.length());
    if (!DOMAIN_LABEL.matcher(label).matches()) {
      throw TwilioException.invalid("DomainName must be <label>" + DOMAIN_SUFFIX
          + " where the label has 1-63 letters, digits or inner hyphens");
    }
  }

  private void listTrunks(TwilioCall call) {
    JsonObject reply;
    synchronized (state) {
      List<Trunk> all = new ArrayList<>(call.account().trunks.values());
      TwilioPaging.Page<Trunk> page = TwilioPaging.cut(all, t -> t.sid, call.query());
      reply = TwilioPaging.v1("trunks", render(page, t -> TwilioViews.trunk(t, call.baseUrl())), call.baseUrl(),
          call.requestPath(), call.query());
    }
    call.reply(200, reply);
  }

  private void deleteTrunk(TwilioCall call) {
    synchronized (state) {
      Account account = call.account();
      Trunk trunk = trunk(account, call.path("Sid"));
      state.releaseDomain(trunk.domainName);
      for (IncomingNumber number : account.numbers.values()) {
        if (trunk.sid.equals(number.trunkSid)) {
          number.trunkSid = null;
          number.updated = Instant.now();
        }
      }
      account.trunks.remove(trunk.sid);
    }
    call.noContent();
  }

  private void fetch(TwilioCall call, Function<Trunk, JsonObject> view) {
    JsonObject reply;
    synchronized (state) {
      reply = view.apply(trunk(call.account(), call.path("Sid")));
    }
    call.reply(200, reply);
  }

  // ---- credential list associations

  private void associateCredentialList(TwilioCall call) {
    JsonObject reply;
    synchronized (state) {
      Account account = call.account();
      Trunk trunk = trunk(account, call.path("TrunkSid"));
      String listSid = call.string("CredentialListSid");
      CredentialList list = account.credentialLists.get(listSid);
      if (list == null) {
        throw TwilioException.invalid("CredentialListSid " + listSid + " is not a credential list of this account");
      }
      if (trunk.credentialLists.containsKey(listSid)) {
        throw new TwilioException(409, TwilioErrors.ALREADY_ASSOCIATED,
            "Credential list " + listSid + " is already associated with trunk " + trunk.sid);
      }
      trunk.credentialLists.put(listSid, Instant.now());
      reply = TwilioViews.trunkCredentialList(trunk, list, call.baseUrl());
    }
    call.reply(201, reply);
  }

  private void listCredentialLists(TwilioCall call) {
    JsonObject reply;
    synchronized (state) {
      Account account = call.account();
      Trunk trunk = trunk(account, call.path("TrunkSid"));
      List<CredentialList> all = new ArrayList<>();
      trunk.credentialLists.keySet().forEach(sid -> all.add(account.credentialLists.get(sid)));
      TwilioPaging.Page<CredentialList> page = TwilioPaging.cut(all, l -> l.sid, call.query());
      reply = TwilioPaging.v1("credential_lists",
          render(page, l -> TwilioViews.trunkCredentialList(trunk, l, call.baseUrl())), call.baseUrl(),
          call.requestPath(), call.query());
    }
    call.reply(200, reply);
  }

  private void fetchCredentialList(TwilioCall call) {
    JsonObject reply;
    synchronized (state) {
      Account account = call.account();
      Trunk trunk = trunk(account, call.path("TrunkSid"));
      String sid = call.path("Sid");
      if (!trunk.credentialLists.containsKey(sid)) {
        throw TwilioException.notFound("/v1/Trunks/" + trunk.sid + "/CredentialLists/" + sid);
      }
      reply = TwilioViews.trunkCredentialList(trunk, account.credentialLists.get(sid), call.baseUrl());
    }
    call.reply(200, reply);
  }

  private void dissociateCredentialList(TwilioCall call) {
    synchronized (state) {
      Trunk trunk = trunk(call.account(), call.path("TrunkSid"));
      String sid = call.path("Sid");
      if (trunk.credentialLists.remove(sid) == null) {
        throw TwilioException.notFound("/v1/Trunks/" + trunk.sid + "/CredentialLists/" + sid);
      }
    }
    call.noContent();
  }

  // ---- origination URLs

  private void createOriginationUrl(TwilioCall call) {
    JsonObject reply;
    synchronized (state) {
      Trunk trunk = trunk(call.account(), call.path("TrunkSid"));
      TwilioState.checkCapacity(trunk.originationUrls, "origination URLs");
      OriginationUrl origination = new OriginationUrl(state.newSid("OU"));
      applyOriginationFields(call, origination);
      trunk.originationUrls.put(origination.sid, origination);
      reply = TwilioViews.originationUrl(trunk, origination, call.baseUrl());
    }
    call.reply(201, reply);
  }

  private void updateOriginationUrl(TwilioCall call) {
    JsonObject reply;
    synchronized (state) {
      Trunk trunk = trunk(call.account(), call.path("TrunkSid"));
      OriginationUrl origination = originationUrl(trunk, call.path("Sid"));
      applyOriginationFields(call, origination);
      origination.updated = Instant.now();
      reply = TwilioViews.originationUrl(trunk, origination, call.baseUrl());
    }
    call.reply(200, reply);
  }

  private static void applyOriginationFields(TwilioCall call, OriginationUrl origination) {
    JsonObject form = call.form();
    Long weight = form.getLong("Weight");
    Long priority = form.getLong("Priority");
    String sipUrl = form.getString("SipUrl");
    String friendlyName = form.getString("FriendlyName");
    if (weight != null && (weight < 1 || weight > 65535)) {
      throw TwilioException.invalid("Weight must be within 1..65535");
    }
    if (priority != null && (priority < 0 || priority > 65535)) {
      throw TwilioException.invalid("Priority must be within 0..65535");
    }
    if (sipUrl != null && !sipUrl.regionMatches(true, 0, "sip:", 0, 4)) {
      throw TwilioException.invalid("SipUrl must be a SIP URI starting with sip:");
    }
    if (friendlyName != null && friendlyName.length() > MAX_FRIENDLY_NAME) {
      throw TwilioException.invalid("FriendlyName must be at most " + MAX_FRIENDLY_NAME + " characters");
    }
    if (weight != null) {
      origination.weight = weight;
    }
    if (priority != null) {
      origination.priority = priority;
    }
    if (form.containsKey("Enabled")) {
      origination.enabled = form.getBoolean("Enabled");
    }
    if (sipUrl != null) {
      origination.sipUrl = sipUrl;
    }
    if (friendlyName != null) {
      origination.friendlyName = friendlyName;
    }
  }

  private void listOriginationUrls(TwilioCall call) {
    JsonObject reply;
    synchronized (state) {
      Trunk trunk = trunk(call.account(), call.path("TrunkSid"));
      TwilioPaging.Page<OriginationUrl> page = TwilioPaging.cut(new ArrayList<>(trunk.originationUrls.values()),
          o -> o.sid, call.query());
      reply = TwilioPaging.v1("origination_urls",
          render(page, o -> TwilioViews.originationUrl(trunk, o, call.baseUrl())), call.baseUrl(),
          call.requestPath(), call.query());
    }
    call.reply(200, reply);
  }

  private void fetchOriginationUrl(TwilioCall call) {
    JsonObject reply;
    synchronized (state) {
      Trunk trunk = trunk(call.account(), call.path("TrunkSid"));
      reply = TwilioViews.originationUrl(trunk, originationUrl(trunk, call.path("Sid")), call.baseUrl());
    }
    call.reply(200, reply);
  }

  private void deleteOriginationUrl(TwilioCall call) {
    synchronized (state) {
      Trunk trunk = trunk(call.account(), call.path("TrunkSid"));
      trunk.originationUrls.remove(originationUrl(trunk, call.path("Sid")).sid);
    }
    call.noContent();
  }

  // ---- phone numbers on the trunk

  private void associatePhoneNumber(TwilioCall call) {
    JsonObject reply;
    synchronized (state) {
      Account account = call.account();
      Trunk trunk = trunk(account, call.path("TrunkSid"));
      String numberSid = call.string("PhoneNumberSid");
      IncomingNumber number = account.numbers.get(numberSid);
      if (number == null) {
        throw TwilioException.invalid("PhoneNumberSid " + numberSid + " is not a phone number of this account");
      }
      if (trunk.sid.equals(number.trunkSid)) {
        throw new TwilioException(409, TwilioErrors.ALREADY_ASSOCIATED,
            "Phone number " + numberSid + " is already associated with trunk " + trunk.sid);
      }
      // Like Twilio, a number belongs to at most one trunk: associating it here moves it from any other.
      number.trunkSid = trunk.sid;
      number.trunkAssociated = Instant.now();
      number.updated = number.trunkAssociated;
      reply = TwilioViews.trunkPhoneNumber(trunk, number, call.baseUrl());
    }
    call.reply(201, reply);
  }

  private void listPhoneNumbers(TwilioCall call) {
    JsonObject reply;
    synchronized (state) {
      Account account = call.account();
      Trunk trunk = trunk(account, call.path("TrunkSid"));
      List<IncomingNumber> all = account.numbers.values().stream().filter(n -> trunk.sid.equals(n.trunkSid)).toList();
      TwilioPaging.Page<IncomingNumber> page = TwilioPaging.cut(all, n -> n.sid, call.query());
      reply = TwilioPaging.v1("phone_numbers",
          render(page, n -> TwilioViews.trunkPhoneNumber(trunk, n, call.baseUrl())), call.baseUrl(),
          call.requestPath(), call.query());
    }
    call.reply(200, reply);
  }

  private void fetchPhoneNumber(TwilioCall call) {
    JsonObject reply;
    synchronized (state) {
      Account account = call.account();
      Trunk trunk = trunk(account, call.path("TrunkSid"));
      reply = TwilioViews.trunkPhoneNumber(trunk, numberOnTrunk(account, trunk, call.path("Sid")), call.baseUrl());
    }
    call.reply(200, reply);
  }

  private void dissociatePhoneNumber(TwilioCall call) {
    synchronized (state) {
      Account account = call.account();
      IncomingNumber number = numberOnTrunk(account, trunk(account, call.path("TrunkSid")), call.path("Sid"));
      number.trunkSid = null;
      number.trunkAssociated = null;
      number.updated = Instant.now();
    }
    call.noContent();
  }

  // ---- lookups

  static Trunk trunk(Account account, String sid) {
    Trunk trunk = account.trunks.get(sid);
    if (trunk == null) {
      throw TwilioException.notFound("/v1/Trunks/" + sid);
    }
    return trunk;
  }

  private static OriginationUrl originationUrl(Trunk trunk, String sid) {
    OriginationUrl origination = trunk.originationUrls.get(sid);
    if (origination == null) {
      throw TwilioException.notFound("/v1/Trunks/" + trunk.sid + "/OriginationUrls/" + sid);
    }
    return origination;
  }

  private static IncomingNumber numberOnTrunk(Account account, Trunk trunk, String sid) {
    IncomingNumber number = account.numbers.get(sid);
    if (number == null || !trunk.sid.equals(number.trunkSid)) {
      throw TwilioException.notFound("/v1/Trunks/" + trunk.sid + "/PhoneNumbers/" + sid);
    }
    return number;
  }

  static <T> TwilioPaging.Page<JsonObject> render(TwilioPaging.Page<T> page,
      Function<T, JsonObject> view) {
    return new TwilioPaging.Page<>(page.items().stream().map(view).toList(), page.page(), page.pageSize(),
        page.start(), page.nextToken());
  }
}
