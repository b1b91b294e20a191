package dev.trunkline.store;

import static dev.trunkline.contract.testing.Await.await;
import static dev.trunkline.contract.testing.SecretAssertions.assertNoSecret;
import static dev.trunkline.contract.testing.SecretAssertions.assertNoSecrets;
import static dev.trunkline.contract.testing.SecretAssertions.secrets;
import static dev.trunkline.store.StoreTestSupport.assertFailure;
import static dev.trunkline.store.StoreTestSupport.call;
import static dev.trunkline.store.StoreTestSupport.failure;
import static dev.trunkline.store.StoreTestSupport.newTenant;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trunkline.contract.Addresses.Store;
import dev.trunkline.contract.ServiceException;
import dev.trunkline.contract.StoreMessages.RetellKey;
import dev.trunkline.contract.StoreMessages.RekeyVault;
import dev.trunkline.contract.StoreMessages.RekeyReport;
import dev.trunkline.contract.StoreMessages.SipCredentials;
import dev.trunkline.contract.StoreMessages.TwilioAccount;
import dev.trunkline.contract.TenantRef;
import dev.trunkline.contract.testing.LogCapture;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.MongoClient;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A plain string in a secret field was written around the vault: by the origin service (legacy data to adopt) or
 * by anyone who can write to the database, who could plant a Retell key of their own and receive the tenant's
 * numbers and SIP password in their workspace. It is refused, naming tenant and field, unless the operator turned
 * on {@code vault.adoptLegacyPlaintext}; then it is read once and rewritten as an envelope at once.
 */
@ExtendWith(VertxExtension.class)
class PlaintextSecretsTest {
  private static final String PLANTED_KEY = "key_planted0a1b2c3d4e5f60718293";
  private static final String PLANTED_PASSWORD = "Planted-Sip-Pass7";
  private static final String PLANTED_TOKEN = "plantedtoken0123456789abcdef012";
  private static final Map<String, String> PLANTED = secrets("the planted Retell key", PLANTED_KEY,
      "the planted SIP password", PLANTED_PASSWORD, "the planted auth token", PLANTED_TOKEN);

  @TempDir
  Path dataDir;
  private final String keys = "k1:" + StoreTestSupport.newKeyBase64();
  private final String tenant = newTenant();
  private EmbeddedMongo server;
  private MongoClient raw;

  @BeforeEach
  void plant(Vertx vertx) {
    server = StoreTestSupport.embedded(vertx, dataDir);
    raw = StoreTestSupport.rawClient(vertx, server);
    JsonObject twilio = LegacyAdoptionTest.originDoc(tenant,
        new JsonObject().put("username", "planted_user").put("password", PLANTED_PASSWORD));
    twilio.getJsonObject("config").put("authToken", PLANTED_TOKEN);
    await(raw.insert("connectorsubaccount", twilio));
    await(raw.insert("connectorsubaccount", new JsonObject().put("subaccountId", tenant)
        .put("connectorType", "retell").put("config", new JsonObject().put("apiKey", PLANTED_KEY))));
  }

  @AfterEach
  void closeDatabase() {
    await(raw.close());
    await(server.release());
  }

  @Test
  void plainTextIsAnIntegrityErrorNamingTenantAndFieldAndIsNeverReturned(Vertx vertx) {
    List<String> lines;
    ServiceException key;
    ServiceException sip;
    ServiceException token;
    RekeyReport rotation;
    try (LogCapture logs = LogCapture.start()) {
      StoreTestSupport.deploy(vertx, StoreTestSupport.config(dataDir, keys));
      key = failure(vertx, Store.RETELL_KEY_GET, new TenantRef(tenant));
      sip = failure(vertx, Store.SIP_GET, new TenantRef(tenant));
      token = failure(vertx, Store.TWILIO_ACCOUNT_GET, new TenantRef(tenant));
      rotation = call(vertx, Store.ADMIN_ROTATE_KEYS, new RekeyVault(null), RekeyReport.class);
      // The planted plain text is in the database: its wire traces under WARN print it by design.
      lines = logs.lines(LogCapture.DATABASE_WIRE);
    }
    // The scans come first: the assertions after them print what they compare.
    for (ServiceException e : List.of(key, sip, token)) {
      assertNoSecrets("the failure's message", e.getMessage(), PLANTED);
    }
    assertNoSecrets("the rotation's failures", String.join("\n", rotation.failures()), PLANTED);
    assertNoSecrets("a captured log line", lines, PLANTED);

    assertFailure(key, 500, VaultException.INTEGRITY);
    assertThat(key.getMessage()).isEqualTo("integrity error in retellApiKey of tenant " + tenant
        + ": the stored value is plain text, not an envelope; it is not used (plain text is adopted only with "
        + "vault.adoptLegacyPlaintext)");
    assertFailure(sip, 500, VaultException.INTEGRITY);
    assertThat(sip.getMessage()).startsWith("integrity error in sipPassword of tenant " + tenant + ": ");
    assertFailure(token, 500, VaultException.INTEGRITY);
    assertThat(token.getMessage()).startsWith("integrity error in twilioAuthToken of tenant " + tenant + ": ");

    assertThat(rotation.failed()).as("a rotation adopts nothing either").isEqualTo(2);
    assertThat(rotation.failures()).allMatch(f -> f.startsWith("integrity error in ") && f.contains(tenant));
    assertThat(lines).as("the refusal is logged with tenant and field")
        .anyMatch(l -> l.contains("WARN") && l.contains("integrity error in retellApiKey of tenant " + tenant));
    // Left as found: the operator decides (adopt it, or delete it).
    assertThat(ConnectorDocs.getString(rawDoc("retell"), SecretField.RETELL_API_KEY.path())).isEqualTo(PLANTED_KEY);
  }

  @Test
  void withAdoptionTurnedOnPlainTextIsReadAndRewrittenAsAnEnvelopeAtOnce(Vertx vertx) {
    String refused = StoreTestSupport.deploy(vertx, StoreTestSupport.config(dataDir, keys));
    // The documented wire code, spelled out (DocumentedCodesTest looks for it).
    assertFailure(failure(vertx, Store.RETELL_KEY_GET, new TenantRef(tenant)), 500, "VAULT_INTEGRITY");
    await(vertx.undeploy(refused));

    JsonObject adopting = StoreTestSupport.config(dataDir, keys);
    adopting.getJsonObject("vault").put("adoptLegacyPlaintext", true);
    StoreTestSupport.deploy(vertx, adopting);
    RetellKey key = call(vertx, Store.RETELL_KEY_GET, new TenantRef(tenant), RetellKey.class);
    assertThat(key.apiKey().reveal().equals(PLANTED_KEY)).as("the adopted key reads back").isTrue();
    SipCredentials sip = call(vertx, Store.SIP_GET, new TenantRef(tenant), SipCredentials.class);
    assertThat(sip.password().reveal().equals(PLANTED_PASSWORD)).as("the adopted password reads back").isTrue();
    TwilioAccount account = call(vertx, Store.TWILIO_ACCOUNT_GET, new TenantRef(tenant), TwilioAccount.class);
    assertThat(account.authToken().reveal().equals(PLANTED_TOKEN)).as("the adopted token reads back").isTrue();

    // Rewritten by the read that adopted it: the documents now hold envelopes under the active key.
    JsonObject retell = rawDoc("retell");
    JsonObject twilio = rawDoc("twilio");
    assertNoSecrets("the stored documents", retell.encode() + twilio.encode(), PLANTED);
    assertThat(ConnectorDocs.get(retell, SecretField.RETELL_API_KEY.path()))
        .isInstanceOfSatisfying(JsonObject.class, env -> assertThat(env.getString("kid")).isEqualTo("k1"));
    assertThat(Vault.isEnvelope(ConnectorDocs.get(twilio, SecretField.SIP_PASSWORD.path()))).isTrue();
    assertThat(Vault.isEnvelope(ConnectorDocs.get(twilio, SecretField.TWILIO_AUTH_TOKEN.path()))).isTrue();
  }

  @Test
  void anEmptyStringIsNoSecretAndReadsAsAbsentWithoutAdoption(Vertx vertx) {
    String other = newTenant();
    await(raw.insert("connectorsubaccount", LegacyAdoptionTest.originDoc(other,
        new JsonObject().put("username", "origin_user").put("password", ""))));
    StoreTestSupport.deploy(vertx, StoreTestSupport.config(dataDir, keys));

    SipCredentials sip = call(vertx, Store.SIP_GET, new TenantRef(other), SipCredentials.class);
    assertThat(sip.password()).isNull();
    assertThat(sip.username()).isEqualTo("origin_user");
    assertNoSecret("the planted tenant's failure", failure(vertx, Store.SIP_GET, new TenantRef(tenant)).getMessage(),
        "the planted SIP password", PLANTED_PASSWORD);
  }

  private JsonObject rawDoc(String type) {
    return await(raw.findOne("connectorsubaccount",
        new JsonObject().put("subaccountId", tenant).put("connectorType", type), null));
  }
}
