package dev.trunkline.simulators;

import static dev.trunkline.simulators.TwilioRoute.api;

import dev.trunkline.simulators.TwilioModel.Account;
import dev.trunkline.simulators.TwilioModel.IncomingNumber;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The 2010 API's AvailablePhoneNumbers (Local, Mobile, TollFree searches over {@link TwilioInventory}) and
 * IncomingPhoneNumbers (purchase, list, fetch, update, release). A purchase names the exact number or an area code;
 * a number that is not available is refused (400/21422), never replaced by another one.
 */
final class TwilioNumberRoutes {

  private static final Pattern COUNTRY = Pattern.compile("[A-Za-z]{2}");
  private static final String ACCOUNT = "/2010-04-01/Accounts/{AccountSid}";

  private final TwilioState state;

  TwilioNumberRoutes(TwilioState state) {
    this.state = state;
  }

  List<TwilioRoute> routes() {
    String available = ACCOUNT + "/AvailablePhoneNumbers/{CountryCode}/";
    String numbers = ACCOUNT + "/IncomingPhoneNumbers.json";
    String number = ACCOUNT + "/IncomingPhoneNumbers/{Sid}.json";
    return List.of(
        api(HttpMethod.GET, available + "Local.json", "ListAvailablePhoneNumberLocal",
            call -> search(call, TwilioInventory.Type.LOCAL)),
        api(HttpMethod.GET, available + "Mobile.json", "ListAvailablePhoneNumberMobile",
            call -> search(call, TwilioInventory.Type.MOBILE)),
        api(HttpMethod.GET, available + "TollFree.json", "ListAvailablePhoneNumberTollFree",
            call -> search(call, TwilioInventory.Type.TOLL_FREE)),
        api(HttpMethod.POST, numbers, "CreateIncomingPhoneNumber", this::purchase),
        api(HttpMethod.GET, numbers, "ListIncomingPhoneNumber", this::list),
        api(HttpMethod.GET, number, "FetchIncomingPhoneNumber", this::fetch),
        api(HttpMethod.POST, number, "UpdateIncomingPhoneNumber", this::update),
        api(HttpMethod.DELETE, number, "DeleteIncomingPhoneNumber", this::release));
  }

  private void search(TwilioCall call, TwilioInventory.Type type) {
    String country = call.path("CountryCode");
    if (!COUNTRY.matcher(country).matches()) {
      throw TwilioException.notFound("AvailablePhoneNumbers/" + country);
    }
    String areaCode = TwilioInventory.areaCode(call.queryParam("AreaCode"));
    String pageSize = call.queryParam("PageSize");
    int limit = pageSize == null ? TwilioPaging.DEFAULT_PAGE_SIZE : Integer.parseInt(pageSize.trim());
    List<JsonObject> found;
    synchronized (state) {
      found = TwilioInventory.search(country, type, areaCode, call.queryParam("Contains"), limit, state.sold())
          .stream().map(TwilioInventory::availableView).toList();
    }
    // Twilio answers a search with one page and no next page.
    TwilioPaging.Page<JsonObject> page = new TwilioPaging.Page<>(found, 0, limit, 0, null);
    call.reply(200, TwilioPaging.v2010("available_phone_numbers", page, call.requestPath(), call.query()));
  }

  private void purchase(TwilioCall call) {
    JsonObject reply;
    synchronized (state) {
      Account account = call.account();
      TwilioState.checkCapacity(account.numbers, "phone numbers");
      String trunkSid = call.string("TrunkSid");
      if (trunkSid != null && !account.trunks.containsKey(trunkSid)) {
        throw TwilioException.invalid("TrunkSid " + trunkSid + " is not a trunk of this account");
      }
      String e164 = chooseNumber(call.string("PhoneNumber"), call.string("AreaCode"));
      IncomingNumber number = new IncomingNumber(state.newSid("PN"), e164, typeName(TwilioInventory.typeOf(e164)));
      number.friendlyName = call.has("FriendlyName") ? call.string("FriendlyName") : TwilioInventory.friendlyName(e164);
      applyUpdatableFields(call, number);
      if (trunkSid != null) {
        number.trunkSid = trunkSid;
        number.trunkAssociated = number.created;
      }
      state.sold().add(e164);
      account.numbers.put(number.sid, number);
      reply = TwilioViews.incomingNumber(account.sid, number);
    }
    call.reply(201, reply);
  }

  /** The exact number asked for, or the first available one in the area code; never a substitute. */
  private String chooseNumber(String phoneNumber, String rawAreaCode) {
    if (phoneNumber != null && !phoneNumber.isBlank()) {
      String e164 = phoneNumber.trim();
      if (!TwilioInventory.isAvailable(e164, state.sold())) {
        throw new TwilioException(400, TwilioErrors.NUMBER_NOT_AVAILABLE,
            "Phone number " + e164 + " is not available");
      }
      return e164;
    }
    if (rawAreaCode != null) {
      String areaCode = TwilioInventory.areaCode(rawAreaCode);
      List<String> found = TwilioInventory.search("US", TwilioInventory.Type.LOCAL, areaCode, null, 1, state.sold());
      if (found.isEmpty()) {
        throw new TwilioException(400, TwilioErrors.NUMBER_NOT_AVAILABLE,
            "No phone numbers are available in area code " + areaCode);
      }
      return found.get(0);
    }
    throw TwilioException.invalid("PhoneNumber or AreaCode is required");
  }

  private static String typeName(TwilioInventory.Type type) {
    return switch (type) {
      case LOCAL -> "local";
      case MOBILE -> "mobile";
      case TOLL_FREE -> "tollfree";
    };
  }

  private void list(TwilioCall call) {
    JsonObject reply;
    synchronized (state) {
      Account account = call.account();
      String phoneFilter = digits(call.queryParam("PhoneNumber"));
      String nameFilter = call.queryParam("FriendlyName");
      List<IncomingNumber> all = new ArrayList<>();
      for (IncomingNumber number : account.numbers.values()) {
        if ((phoneFilter == null || digits(number.phoneNumber).contains(phoneFilter))
            && (nameFilter == null || nameFilter.equals(number.friendlyName))) {
          all.add(number);
        }
      }
      TwilioPaging.Page<IncomingNumber> page = TwilioPaging.cut(all, n -> n.sid, call.query());
      reply = TwilioPaging.v2010("incoming_phone_numbers",
          TwilioTrunkRoutes.render(page, n -> TwilioViews.incomingNumber(account.sid, n)), call.requestPath(),
          call.query());
    }
    call.reply(200, reply);
  }

  private static String digits(String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    return value.replaceAll("[^0-9]", "");
  }

  private void fetch(TwilioCall call) {
    JsonObject reply;
    synchronized (state) {
      Account account = call.account();
      reply = TwilioViews.incomingNumber(account.sid, number(account, call.path("Sid")));
    }
    call.reply(200, reply);
  }

  private void update(TwilioCall call) {
    JsonObject reply;
    synchronized (state) {
      Account account = call.account();
      IncomingNumber number = number(account, call.path("Sid"));
      String accountSid = call.string("AccountSid");
      if (accountSid != null && !accountSid.equals(account.sid)) {
        throw TwilioException.invalid("Moving a number to another account is not supported by the simulator");
      }
      if (call.has("TrunkSid")) {
        String trunkSid = call.string("TrunkSid");
        if (trunkSid.isEmpty()) {
          number.trunkSid = null;
          number.trunkAssociated = null;
        } else if (!account.trunks.containsKey(trunkSid)) {
          throw TwilioException.invalid("TrunkSid " + trunkSid + " is not a trunk of this account");
        } else if (!trunkSid.equals(number.trunkSid)) {
          number.trunkSid = trunkSid;
          number.trunkAssociated = Instant.now();
        }
      }
      if (call.has("FriendlyName")) {
        number.friendlyName = call.string("FriendlyName");
      }
      applyUpdatableFields(call, number);
      number.updated = Instant.now();
      reply = TwilioViews.incomingNumber(account.sid, number);
    }
    call.reply(200, reply);
  }

  private static void applyUpdatableFields(TwilioCall call, IncomingNumber number) {
    if (call.has("AddressSid")) {
      number.addressSid = call.string("AddressSid");
    }
    if (call.has("EmergencyAddressSid")) {
      number.emergencyAddressSid = call.string("EmergencyAddressSid");
    }
    if (call.has("BundleSid")) {
      number.bundleSid = call.string("BundleSid");
    }
    if (call.has("IdentitySid")) {
      number.identitySid = call.string("IdentitySid");
    }
    if (call.has("VoiceUrl")) {
      number.voiceUrl = call.string("VoiceUrl");
    }
    if (call.has("VoiceMethod")) {
      number.voiceMethod = call.string("VoiceMethod").toUpperCase(Locale.ROOT);
    }
    if (call.has("SmsUrl")) {
      number.smsUrl = call.string("SmsUrl");
    }
    if (call.has("SmsMethod")) {
      number.smsMethod = call.string("SmsMethod").toUpperCase(Locale.ROOT);
    }
    if (call.has("StatusCallback")) {
      number.statusCallback = call.string("StatusCallback");
    }
    if (call.has("VoiceReceiveMode")) {
      number.voiceReceiveMode = call.string("VoiceReceiveMode");
    }
  }

  private void release(TwilioCall call) {
    synchronized (state) {
      Account account = call.account();
      account.numbers.remove(number(account, call.path("Sid")).sid);
    }
    call.noContent();
  }

  private static IncomingNumber number(Account account, String sid) {
    IncomingNumber number = account.numbers.get(sid);
    if (number == null) {
      throw TwilioException.notFound("/2010-04-01/Accounts/" + account.sid + "/IncomingPhoneNumbers/" + sid + ".json");
    }
    return number;
  }
}
