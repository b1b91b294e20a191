package dev.trunkline.twilio;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trunkline.contract.Addresses;
import dev.trunkline.contract.Json;
import dev.trunkline.contract.Secret;
import dev.trunkline.contract.StoreMessages.SipCredentials;
import dev.trunkline.contract.StoreMessages.Trunk;
import dev.trunkline.contract.TenantRef;
import dev.trunkline.contract.TwilioMessages.AccountInfo;
import dev.trunkline.contract.TwilioMessages.AvailableNumbers;
import dev.trunkline.contract.TwilioMessages.EnsureTrunk;
import dev.trunkline.contract.TwilioMessages.FinishCredentialRotation;
import dev.trunkline.contract.TenantNumber;
import dev.trunkline.contract.TwilioMessages.NumberRemoved;
import dev.trunkline.contract.TwilioMessages.Released;
import dev.trunkline.contract.TwilioMessages.CredentialRotationFinished;
import dev.trunkline.contract.TwilioMessages.CredentialRotationStarted;
import dev.trunkline.contract.TwilioMessages.SearchNumbers;
import dev.trunkline.contract.TwilioMessages.TeardownResult;
import dev.trunkline.contract.TwilioMessages.TrunkInfo;
import dev.trunkline.contract.TwilioMessages.TrunkNumber;
import dev.trunkline.contract.TwilioMessages.TrunkNumbers;
import dev.trunkline.contract.TwilioMessages.TrunkStatus;
import dev.trunkline.contract.TwilioMessages.VerifyAccount;
import dev.trunkline.twilio.TwilioTestEnv.Tenant;
import dev.trunkline.twilio.client.Resources;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One run through every address of the Twilio verticle, arranged so that every Twilio operation the client
 * knows is called at least once (a legacy trunk without a domain and with a disabled origination URL, a fresh
 * setup, rotation, search of each number type, purchase, import, list, remove, release, teardown). Collects every
 * secret it sees and every reply, for the tests that check what appears where.
 */
final class EveryOperation {
  /** Every auth token and SIP password the run used or produced. */
  final Set<String> secrets = new LinkedHashSet<>();
  /** Every reply, encoded as it crossed the bus. */
  final List<String> replies = new ArrayList<>();

  private final TwilioTestEnv env;

  EveryOperation(TwilioTestEnv env) {
    this.env = env;
  }

  private <R> R call(String address, Object body, Class<R> type) {
    R reply = env.call(address, body, type);
    replies.add(Json.toJson(reply).encode());
    return reply;
  }

  private void rememberSip(Tenant t) {
    SipCredentials sip = env.sip(t);
    if (sip.password() != null) {
      secrets.add(sip.password().reveal());
    }
    if (sip.pending() != null && sip.pending().password() != null) {
      secrets.add(sip.pending().password().reveal());
    }
  }

  void run() {
    Tenant legacy = env.newTenant();
    Tenant fresh = env.newTenant();
    secrets.add(legacy.auth().authToken().reveal());
    secrets.add(fresh.auth().authToken().reveal());

    // account.verify
    AccountInfo account = call(Addresses.Twilio.ACCOUNT_VERIFY, new VerifyAccount(legacy.accountSid(),
        legacy.auth().authToken()), AccountInfo.class);
    assertThat(account.accountSid()).isEqualTo(legacy.accountSid());

    // A half-made legacy trunk: named for the tenant but without a domain, a list that is not associated, a
    // credential whose password is unknown, a disabled origination URL to Retell without a transport.
    String name = "trunkline-" + legacy.subaccountId();
    Resources.Trunk trunk = TwilioTestEnv.await(env.api.createTrunk(legacy.auth(), name, null));
    Resources.CredentialList list = TwilioTestEnv.await(env.api.createCredentialList(legacy.auth(), name));
    String legacyPassword = "LegacyPassw0rdX";
    secrets.add(legacyPassword);
    TwilioTestEnv.await(env.api.createCredential(legacy.auth(), list.sid(), "legacy_user",
        new Secret(legacyPassword)));
    env.putTrunk(legacy, Trunk.builder().credentialListSid(list.sid()).username("legacy_user").build());
    addDisabledOriginationUrl(legacy, trunk.sid());

    TrunkInfo repaired = call(Addresses.Twilio.TRUNK_ENSURE, new EnsureTrunk(legacy.subaccountId(),
        "AD" + "c".repeat(32), "AD" + "c".repeat(32), "BU" + "d".repeat(32)), TrunkInfo.class);
    assertThat(repaired.repaired()).contains("domainName", "credentialListAssociation", "password",
        "originationUrlTransport", "originationUrlEnabled");
    rememberSip(legacy);
    call(Addresses.Twilio.TRUNK_ENSURE, new EnsureTrunk(legacy.subaccountId(), null, null, null), TrunkInfo.class);
    call(Addresses.Twilio.TRUNK_STATUS, new TenantRef(legacy.subaccountId()), TrunkStatus.class);

    // A fresh tenant: everything created.
    TrunkInfo created = call(Addresses.Twilio.TRUNK_ENSURE, new EnsureTrunk(fresh.subaccountId(), null, null, null),
        TrunkInfo.class);
    assertThat(created.created()).isTrue();
    rememberSip(fresh);

    // Rotation.
    CredentialRotationStarted started = call(Addresses.Twilio.CREDENTIAL_ROTATE_BEGIN, new TenantRef(legacy.subaccountId()),
        CredentialRotationStarted.class);
    rememberSip(legacy);
    call(Addresses.Twilio.CREDENTIAL_ROTATE_FINISH, new FinishCredentialRotation(legacy.subaccountId(),
        started.credentialSid()), CredentialRotationFinished.class);
    rememberSip(legacy);

    // Numbers.
    List<String> local = new ArrayList<>();
    for (String type : List.of("local", "mobile", "tollFree")) {
      AvailableNumbers found = call(Addresses.Twilio.NUMBERS_SEARCH, new SearchNumbers(legacy.subaccountId(),
          type.equals("mobile") ? "GB" : "US", null, null, type, 2), AvailableNumbers.class);
      assertThat(found.numbers()).isNotEmpty();
      if (type.equals("local")) {
        found.numbers().forEach(n -> local.add(n.phoneNumber()));
      }
    }
    call(Addresses.Twilio.NUMBERS_PURCHASE, new TenantNumber(legacy.subaccountId(), local.get(0)), TrunkNumber.class);
    buyWithoutTrunk(legacy, local.get(1));
    call(Addresses.Twilio.NUMBERS_IMPORT, new TenantNumber(legacy.subaccountId(), local.get(1)), TrunkNumber.class);
    assertThat(call(Addresses.Twilio.NUMBERS_LIST, new TenantRef(legacy.subaccountId()), TrunkNumbers.class)
        .numbers()).hasSize(2);
    assertThat(call(Addresses.Twilio.NUMBERS_REMOVE, new TenantNumber(legacy.subaccountId(), local.get(1)),
        NumberRemoved.class).removed()).isTrue();
    assertThat(call(Addresses.Twilio.NUMBERS_RELEASE, new TenantNumber(legacy.subaccountId(), local.get(0)),
        Released.class).released()).isTrue();

    TeardownResult down = call(Addresses.Twilio.TRUNK_TEARDOWN, new TenantRef(legacy.subaccountId()),
        TeardownResult.class);
    assertThat(down.removed()).contains("trunk", "credentialList");
  }

  /** The only way to a disabled URL: create and disable it directly (not through the client under test). */
  private void addDisabledOriginationUrl(Tenant t, String trunkSid) {
    WebClient web = WebClient.create(env.vertx);
    try {
      JsonObject url = TwilioTestEnv.await(web.postAbs(env.sim.baseUrl() + "/v1/Trunks/" + trunkSid
              + "/OriginationUrls").basicAuthentication(t.accountSid(), t.auth().authToken().reveal()).timeout(10_000)
          .sendForm(MultiMap.caseInsensitiveMultiMap().add("Weight", "1").add("Priority", "1").add("Enabled",
              "false").add("FriendlyName", "old").add("SipUrl", "sip:sip.retellai.com"))
          .map(r -> {
            assertThat(r.statusCode()).isEqualTo(201);
            return r.bodyAsJsonObject();
          }));
      assertThat(url.getBoolean("enabled")).isFalse();
    } finally {
      web.close();
    }
  }

  private void buyWithoutTrunk(Tenant t, String phoneNumber) {
    WebClient web = WebClient.create(env.vertx);
    try {
      TwilioTestEnv.await(web.postAbs(env.sim.baseUrl() + "/2010-04-01/Accounts/" + t.accountSid()
              + "/IncomingPhoneNumbers.json").basicAuthentication(t.accountSid(), t.auth().authToken().reveal())
          .timeout(10_000).sendForm(MultiMap.caseInsensitiveMultiMap().add("PhoneNumber", phoneNumber))
          .map(r -> {
            assertThat(r.statusCode()).isEqualTo(201);
            return r;
          }));
    } finally {
      web.close();
    }
  }
}
