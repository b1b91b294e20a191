package dev.trunkline.gateway;

import static dev.trunkline.contract.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trunkline.contract.Addresses;
import dev.trunkline.contract.Bus;
import dev.trunkline.contract.StoreMessages.SipCredentials;
import dev.trunkline.contract.TenantRef;
import dev.trunkline.simulators.FaultRule;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * What the rotation tests share, over one harness: tenants onboarded through the API, calls, blocking waits on
 * the JUnit thread, and the invariant "every number in Retell uses a credential that exists at Twilio".
 */
final class RotationFixtures {
  static final long WAIT_S = 40;
  final TrunklineHarness h;

  /** A tenant connected and set up through the API, with its Twilio account and Retell key. */
  record T(String id, String token, String accountSid, String authToken, String retellKey) {}

  RotationFixtures(TrunklineHarness h) {
    this.h = h;
  }

  FaultRule hold(String method, String path) {
    return h.retell.faults().add(FaultRule.on(method, path).hold(30_000).times(1));
  }

  HttpResponse<Buffer> call(T t, HttpMethod method, String rest, Object body) {
    return await(callAsync(t, method, rest, body));
  }

  Future<HttpResponse<Buffer>> callAsync(T t, HttpMethod method, String rest, Object body) {
    return h.call(method, h.path(t.id(), rest), t.token(), body);
  }

  HttpResponse<Buffer> call(String tenant, HttpMethod method, String rest, Object body) {
    return await(h.call(method, h.path(tenant, rest), h.token(tenant), body));
  }

  Future<HttpResponse<Buffer>> rotate(T t) {
    return h.call(HttpMethod.POST, h.path(t.id(), "/twilio/credentials/rotate"), t.token(), null);
  }

  HttpResponse<Buffer> purchase(T t, String phone) {
    return await(h.send(h.request(HttpMethod.POST, h.path(t.id(), "/twilio/phoneNumbers/purchase"), t.token())
        .putHeader("Idempotency-Key", "buy-" + phone.substring(1)), new JsonObject().put("phoneNumber", phone)));
  }

  /** Connects Twilio and Retell, sets the trunk up and buys the numbers, all through the API. */
  T onboard(List<String> numbers) {
    String id = TrunklineHarness.newTenant();
    T t = new T(id, h.token(id), "AC" + id + "00000000", h.secret(TrunklineHarness.randomSecret("twtok")),
        h.secret(TrunklineHarness.randomSecret("retell")));
    assertThat(call(t, HttpMethod.PUT, "/twilio", new JsonObject().put("accountSid", t.accountSid())
        .put("authToken", t.authToken())).statusCode()).isEqualTo(200);
    assertThat(call(t, HttpMethod.PUT, "/retell", new JsonObject().put("apiKey", t.retellKey())).statusCode())
        .isEqualTo(200);
    assertThat(call(t, HttpMethod.POST, "/twilio/setup", null).statusCode()).isEqualTo(201);
    for (String n : numbers) {
      HttpResponse<Buffer> bought = purchase(t, n);
      assertThat(bought.statusCode()).as(bought.bodyAsString()).isEqualTo(201);
    }
    SipCredentials sip = sip(t);
    h.secret(sip.password().reveal());
    for (String n : numbers) {
      assertThat(retellUsername(t, n)).isEqualTo(sip.username());
    }
    return t;
  }

  /** The tenant's account buys a number in Twilio's console: owned, on no trunk. */
  void ownAtTwilio(T t, String phone) {
    HttpResponse<Buffer> r = await(h.client.postAbs(h.twilio.baseUrl() + "/2010-04-01/Accounts/" + t.accountSid()
            + "/IncomingPhoneNumbers.json").basicAuthentication(t.accountSid(), t.authToken())
        .sendForm(MultiMap.caseInsensitiveMultiMap().add("PhoneNumber", phone)));
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(201);
  }

  /** Changes a number in Retell through Retell's own API, as something other than Trunkline would. */
  void setInRetell(T t, String phone, String username, String password) {
    HttpResponse<Buffer> r = await(h.client.patchAbs(h.retell.baseUrl() + "/update-phone-number/"
            + phone.replace("+", "%2B")).bearerTokenAuthentication(t.retellKey())
        .sendJsonObject(new JsonObject().put("auth_username", username).put("auth_password", password)));
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
  }

  /** Decrypted, from the real store; every password read is registered for the leak scan. */
  SipCredentials sip(T t) {
    SipCredentials sip = await(Bus.request(h.vertx, Addresses.Store.SIP_GET, new TenantRef(t.id()),
        SipCredentials.class, 10_000, "test"));
    if (sip.password() != null) {
      h.secret(sip.password().reveal());
    }
    if (sip.pending() != null && sip.pending().password() != null) {
      h.secret(sip.pending().password().reveal());
    }
    return sip;
  }

  String retellUsername(T t, String phone) {
    return h.retell.number(t.retellKey(), phone).orElseThrow(() -> new AssertionError(phone + " not in Retell"))
        .getJsonObject("sip_outbound_trunk_config").getString("auth_username");
  }

  java.util.Map<String, String> statuses(JsonObject data) {
    java.util.Map<String, String> out = new java.util.TreeMap<>();
    data.getJsonArray("results").forEach(r -> out.put(((JsonObject) r).getString("phoneNumber"),
        ((JsonObject) r).getString("status")));
    return out;
  }

  String credentialListSid(T t) {
    List<JsonObject> lists = h.twilio.credentialLists(t.accountSid());
    assertThat(lists).hasSize(1);
    return lists.get(0).getString("sid");
  }

  /** The usernames of the credentials that exist in the trunk's credential list at Twilio. */
  Set<String> twilioUsernames(T t) {
    Set<String> out = new TreeSet<>();
    for (JsonObject list : h.twilio.credentialLists(t.accountSid())) {
      list.getJsonArray("credentials").forEach(c -> out.add(((JsonObject) c).getString("username")));
    }
    return out;
  }

  List<String> retellNumbers(T t) {
    List<String> out = new ArrayList<>();
    h.retell.numbers(t.retellKey()).forEach(n -> out.add(n.getString("phone_number")));
    return out;
  }

  /**
   * The invariant: every number in Retell uses a credential that exists at Twilio, with the password Twilio has
   * for it (the store knows the passwords of the active and the pending credential).
   */
  void assertEveryNumberOnALiveCredential(T t) {
    SipCredentials sip = sip(t);
    Set<String> live = twilioUsernames(t);
    String listSid = credentialListSid(t);
    assertThat(retellNumbers(t)).isNotEmpty();
    for (String phone : retellNumbers(t)) {
      String username = retellUsername(t, phone);
      assertThat(live).as(phone + " uses " + username + ", which must exist at Twilio").contains(username);
      String password = username.equals(sip.username()) ? sip.password().reveal()
          : sip.pending() != null && username.equals(sip.pending().username()) ? sip.pending().password().reveal()
          : null;
      assertThat(password).as(phone + ": a credential the store knows").isNotNull();
      assertThat(h.twilio.checkPassword(t.accountSid(), listSid, username, password)).isTrue();
      assertThat(h.retell.checkPassword(t.retellKey(), phone, password)).as(phone + " password").isTrue();
    }
  }

  /** After a finished rotation: one credential left at Twilio, the new one, and every number on it. */
  void assertEveryNumberOnTheOnlyCredential(T t, String newUser) {
    assertThat(twilioUsernames(t)).as("only the new credential is left at Twilio").containsExactly(newUser);
    SipCredentials sip = sip(t);
    assertThat(sip.username()).isEqualTo(newUser);
    assertThat(sip.pending()).isNull();
    for (String phone : retellNumbers(t)) {
      assertThat(retellUsername(t, phone)).as(phone).isEqualTo(newUser);
    }
    assertEveryNumberOnALiveCredential(t);
  }
}
