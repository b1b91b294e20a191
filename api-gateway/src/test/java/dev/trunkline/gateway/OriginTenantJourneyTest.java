package dev.trunkline.gateway;

import static dev.trunkline.contract.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trunkline.contract.Addresses;
import dev.trunkline.contract.StoreMessages.RetellStatus;
import dev.trunkline.contract.StoreMessages;
import dev.trunkline.contract.testing.OriginFormat.Encrypted;
import dev.trunkline.contract.testing.OriginFormat;
import dev.trunkline.contract.testing.TestEnvironment;
import dev.trunkline.store.EmbeddedMongo;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.MongoClient;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 19, end to end for the shape the origin's code writes today: a tenant set up by the origin service (its
 * trunk, credential list and credential in Twilio; its {@code connectorsubaccount} document with the SID and the
 * token encrypted, their IVs and tags under {@code metadata}, the SIP password encrypted beside its username) is
 * used through Trunkline's HTTP API as it is: the status reads the account, setup keeps the origin's trunk,
 * credential list and credential (and its password), and the fix hands Retell the origin's SIP password.
 */
class OriginTenantJourneyTest {
  private static final String LEGACY_KEY = "the-origin-services-ENCRYPTION_KEY";
  private static TrunklineHarness h;

  @RegisterExtension
  static final SharedHarness HARNESS = SharedHarness.of(
      new JsonObject().put("vault", new JsonObject().put("legacyEncryptionKey", LEGACY_KEY)), harness -> h = harness);

  @BeforeAll
  static void start() {
    h.secret("the legacy ENCRYPTION_KEY", LEGACY_KEY);
  }

  @Test
  void anOriginTenantIsUsedAsItIsAndRetellGetsTheOriginsPassword() throws Exception {
    String tenant = TrunklineHarness.newTenant();
    String token = h.token(tenant);
    String accountSid = TestEnvironment.newSid("AC");
    String authToken = h.secret("the origin's Twilio auth token", TrunklineHarness.randomSecret("twtok"));
    String sipPassword = h.secret("the origin's SIP password", "Orig1n" + TrunklineHarness.randomSecret("Sip9"));
    String friendlyName = "scalai" + tenant.substring(0, 8);
    String username = friendlyName + "_user";
    String domain = friendlyName + ".pstn.twilio.com";
    String retellKey = h.secret("the Retell key", TrunklineHarness.randomSecret("retell"));
    String number = "+14155550190";

    // What the origin created in Twilio.
    String trunkSid = twilio("/v1/Trunks", accountSid, authToken,
        MultiMap.caseInsensitiveMultiMap().add("FriendlyName", friendlyName).add("DomainName", domain));
    String sipBase = "/2010-04-01/Accounts/" + accountSid + "/SIP/CredentialLists";
    String listSid = twilio(sipBase + ".json", accountSid, authToken,
        MultiMap.caseInsensitiveMultiMap().add("FriendlyName", friendlyName + "-credentials"));
    String credentialSid = twilio(sipBase + "/" + listSid + "/Credentials.json", accountSid, authToken,
        MultiMap.caseInsensitiveMultiMap().add("Username", username).add("Password", sipPassword));
    twilio("/v1/Trunks/" + trunkSid + "/CredentialLists", accountSid, authToken,
        MultiMap.caseInsensitiveMultiMap().add("CredentialListSid", listSid));

    // What the origin stored: encryptConfig's output for twilio, and the trunk state under retellIntegration.
    Encrypted sid = OriginFormat.encrypt(LEGACY_KEY, accountSid);
    Encrypted tok = OriginFormat.encrypt(LEGACY_KEY, authToken);
    Encrypted pass = OriginFormat.encrypt(LEGACY_KEY, sipPassword);
    JsonObject origin = new JsonObject()
        .put("subaccountId", tenant)
        .put("connectorId", "64f0c0ffee0000000000abcd")
        .put("connectorType", "twilio")
        .put("isActive", true)
        .put("config", new JsonObject().put("SID", sid.hex()).put("AuthToken", tok.hex()))
        .put("metadata", new JsonObject()
            .put("SIDIV", sid.ivHex()).put("SIDAuthTag", sid.tagHex())
            .put("AuthTokenIV", tok.ivHex()).put("AuthTokenAuthTag", tok.tagHex())
            .put("retellIntegration", new JsonObject()
                .put("trunkSid", trunkSid).put("trunkFriendlyName", friendlyName).put("trunkDomainName", domain)
                .put("terminationSipUri", domain).put("credentialListSid", listSid)
                .put("credentialSid", credentialSid)
                .put("sipCredentials", new JsonObject().put("username", username).put("password", pass.hex())
                    .put("passwordIV", pass.ivHex()).put("passwordAuthTag", pass.tagHex()))));
    insert(origin);
    // The Retell key lives in the origin's tenant manager (item 2 of the issue imports it): connected here.
    assertThat(await(h.call(HttpMethod.PUT, h.path(tenant, "/retell"), token,
        new JsonObject().put("apiKey", retellKey))).statusCode()).isEqualTo(200);

    HttpResponse<Buffer> status = await(h.call(HttpMethod.GET, h.path(tenant, "/twilio/trunk"), token, null));
    assertThat(status.statusCode()).as(status.bodyAsString()).isEqualTo(200);
    assertThat(status.bodyAsJsonObject().getJsonObject("data").getBoolean("exists")).isTrue();
    assertThat(status.bodyAsJsonObject().getJsonObject("data").getBoolean("passwordKnown")).isTrue();

    HttpResponse<Buffer> setup = await(h.call(HttpMethod.POST, h.path(tenant, "/twilio/setup"), token, null));
    assertThat(setup.statusCode()).as(setup.bodyAsString()).isEqualTo(200);
    JsonObject data = setup.bodyAsJsonObject().getJsonObject("data");
    assertThat(data.getBoolean("created")).isFalse();
    assertThat(data.getString("trunkSid")).isEqualTo(trunkSid);
    assertThat(data.getString("username")).isEqualTo(username);
    assertThat(h.twilio.trunks(accountSid)).hasSize(1);
    assertThat(h.twilio.credentialLists(accountSid)).as("the origin's list, and no second one").hasSize(1);
    assertThat(h.twilio.credentialLists(accountSid).get(0).getJsonArray("credentials"))
        .as("the origin's credential, and no second one").hasSize(1);
    assertThat(h.twilio.checkPassword(accountSid, listSid, username, sipPassword))
        .as("the origin's password still works in Twilio").isTrue();

    await(h.bus(Addresses.Store.NUMBER_SAVE, new StoreMessages.PhoneNumber(tenant, number,
        TestEnvironment.newSid("PN"), trunkSid, RetellStatus.IMPORTED, null, 0, 0)));
    h.retell.seedBroken(retellKey, number, domain);
    HttpResponse<Buffer> fix = await(h.call(HttpMethod.POST, h.path(tenant, "/twilio/fix-retell-credentials"), token,
        new JsonObject()));
    assertThat(fix.statusCode()).as(fix.bodyAsString()).isEqualTo(200);
    assertThat(fix.bodyAsJsonObject().getString("message")).isEqualTo("Fixed credentials for 1 of 1 phone numbers");
    assertThat(h.retell.checkPassword(retellKey, number, sipPassword))
        .as("Retell has the origin's SIP password").isTrue();
  }

  /** A POST to the Twilio simulator with the account's credentials; the created resource's SID. */
  private static String twilio(String path, String accountSid, String authToken, MultiMap form) {
    HttpResponse<Buffer> r = await(h.client.postAbs(h.twilio.baseUrl() + path)
        .basicAuthentication(accountSid, authToken).sendForm(form));
    assertThat(r.statusCode()).as("%s: %s", path, r.bodyAsString()).isIn(200, 201);
    return r.bodyAsJsonObject().getString("sid");
  }

  private static void insert(JsonObject doc) {
    EmbeddedMongo server = await(EmbeddedMongo.acquire(h.vertx, h.config.getString("dataDir")));
    MongoClient raw = MongoClient.create(h.vertx, new JsonObject()
        .put("connection_string", server.connectionString()).put("db_name", "trunkline"));
    try {
      await(raw.insert("connectorsubaccount", doc));
    } finally {
      await(raw.close());
      await(server.release());
    }
  }
}
