package dev.trunkline.store;

import static dev.trunkline.contract.testing.Await.await;
import static dev.trunkline.contract.testing.SecretAssertions.assertNoSecret;
import static dev.trunkline.contract.testing.SecretAssertions.assertNoSecrets;
import static dev.trunkline.contract.testing.SecretAssertions.secrets;
import static dev.trunkline.store.StoreTestSupport.assertFailure;
import static dev.trunkline.store.StoreTestSupport.call;
import static dev.trunkline.store.StoreTestSupport.failure;
import static dev.trunkline.store.StoreTestSupport.newTenant;
import static dev.trunkline.store.StoreTestSupport.sid;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trunkline.contract.Addresses.Store;
import dev.trunkline.contract.StoreMessages.Connector;
import dev.trunkline.contract.StoreMessages.PasswordState;
import dev.trunkline.contract.StoreMessages.PutTrunk;
import dev.trunkline.contract.StoreMessages.SipCredentials;
import dev.trunkline.contract.StoreMessages.Trunk;
import dev.trunkline.contract.StoreMessages.TwilioAccount;
import dev.trunkline.contract.TenantRef;
import dev.trunkline.contract.testing.OriginFormat;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.MongoClient;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Documents written by the origin Node service, inserted raw, are read and rewritten into the envelope on first
 * use. The origin's ciphertext is made here with its documented algorithm ({@link OriginFormat}); its plain text
 * is adopted with {@code vault.adoptLegacyPlaintext} on.
 */
@ExtendWith(VertxExtension.class)
class LegacyAdoptionTest {
  private static final String LEGACY_KEY = "origin-ENCRYPTION_KEY-value";
  private static final String PLAIN_PASSWORD = "Origin-Fixed-Pass9";
  private static final String ENCRYPTED_PASSWORD = "Orig1nEncrypted!";
  private static final String PLAIN_TOKEN = "origintoken0123456789abcdef0123";

  @TempDir
  Path dataDir;
  private final String keys = "k1:" + StoreTestSupport.newKeyBase64();
  private EmbeddedMongo server;
  private MongoClient raw;

  @BeforeEach
  void openDatabase(Vertx vertx) {
    // The origin database exists before Trunkline starts.
    server = StoreTestSupport.embedded(vertx, dataDir);
    raw = StoreTestSupport.rawClient(vertx, server);
  }

  @AfterEach
  void closeDatabase() {
    await(raw.close());
    await(server.release());
  }

  @Test
  void plaintextPasswordAndAuthTokenAreAdoptedIntoTheEnvelope(Vertx vertx) {
    String tenant = newTenant();
    insert(originDoc(tenant, new JsonObject().put("username", "scalai5jj7w1sp_user").put("password", PLAIN_PASSWORD))
        .put("config", new JsonObject().put("accountSid", sid("AC")).put("authToken", PLAIN_TOKEN)));
    // Plain text is trusted only when the operator asks for its adoption (PlaintextSecretsTest: refused otherwise).
    JsonObject config = StoreTestSupport.config(dataDir, keys);
    config.getJsonObject("vault").put("adoptLegacyPlaintext", true);
    StoreTestSupport.deploy(vertx, config);

    assertThat(call(vertx, Store.CONNECTOR_GET, new TenantRef(tenant), Connector.class).passwordState())
        .isEqualTo(PasswordState.KNOWN);
    SipCredentials sip = call(vertx, Store.SIP_GET, new TenantRef(tenant), SipCredentials.class);
    assertThat(sip.passwordState()).isEqualTo(PasswordState.KNOWN);
    assertThat(sip.username()).isEqualTo("scalai5jj7w1sp_user");
    assertThat(sip.password().reveal()).isEqualTo(PLAIN_PASSWORD);
    assertThat(sip.terminationUri()).isEqualTo("scalai5jj7w1sp.pstn.twilio.com");
    assertThat(call(vertx, Store.TWILIO_ACCOUNT_GET, new TenantRef(tenant), TwilioAccount.class).authToken().reveal())
        .isEqualTo(PLAIN_TOKEN);

    JsonObject stored = rawDoc(tenant);
    assertNoSecrets("the stored document", stored.encode(),
        secrets("the origin's plaintext password", PLAIN_PASSWORD, "the origin's plaintext auth token", PLAIN_TOKEN));
    assertThat(Vault.isEnvelope(ConnectorDocs.get(stored, SecretField.SIP_PASSWORD.path()))).isTrue();
    assertThat(Vault.isEnvelope(ConnectorDocs.get(stored, SecretField.TWILIO_AUTH_TOKEN.path()))).isTrue();
    assertThat(ConnectorDocs.getString(stored, ConnectorDocs.RI + ".trunkFriendlyName"))
        .as("the rest of the origin document is kept").isEqualTo("scalai5jj7w1sp");
    assertThat(call(vertx, Store.SIP_GET, new TenantRef(tenant), SipCredentials.class).password().reveal())
        .as("and reads the same afterwards").isEqualTo(PLAIN_PASSWORD);
  }

  @Test
  void originHexCiphertextIsDecryptedWithTheLegacyKeyAndRewritten(Vertx vertx) throws Exception {
    String tenant = newTenant();
    OriginFormat.Encrypted origin = OriginFormat.encrypt(LEGACY_KEY, ENCRYPTED_PASSWORD);
    insert(originDoc(tenant, new JsonObject().put("username", "scalai_x_user").put("password", origin.hex())
        .put("passwordIV", origin.ivHex()).put("passwordAuthTag", origin.tagHex())));
    deploy(vertx, LEGACY_KEY);

    SipCredentials sip = call(vertx, Store.SIP_GET, new TenantRef(tenant), SipCredentials.class);
    assertThat(sip.passwordState()).isEqualTo(PasswordState.KNOWN);
    assertThat(sip.password().reveal()).isEqualTo(ENCRYPTED_PASSWORD);

    JsonObject credentials = ConnectorDocs.getObject(rawDoc(tenant), ConnectorDocs.SIP);
    // The origin ciphertext opens with the legacy key: it counts as the password itself.
    assertNoSecret("the stored SIP credentials", credentials.encode(), "the origin ciphertext (hex)", origin.hex());
    assertThat(credentials.fieldNames()).containsExactlyInAnyOrder("username", "password");
    assertThat(credentials.getJsonObject("password").getString("kid")).isEqualTo("k1");
  }

  @Test
  void aNullPasswordIsReportedAsUnknownSoTwilioCanBeGivenANewOne(Vertx vertx) {
    String tenant = newTenant();
    insert(originDoc(tenant, new JsonObject().put("username", "scalai_user").putNull("password")));
    deploy(vertx, null);

    SipCredentials sip = call(vertx, Store.SIP_GET, new TenantRef(tenant), SipCredentials.class);
    assertThat(sip.passwordState()).isEqualTo(PasswordState.UNKNOWN);
    assertThat(sip.username()).isEqualTo("scalai_user");
    assertThat(sip.password()).isNull();
    assertThat(call(vertx, Store.CONNECTOR_GET, new TenantRef(tenant), Connector.class).passwordState())
        .isEqualTo(PasswordState.UNKNOWN);
  }

  @Test
  void anOriginDocumentWithoutVersionCanBeWrittenWithExpectedVersionZero(Vertx vertx) {
    String tenant = newTenant();
    insert(originDoc(tenant, new JsonObject().put("username", "scalai_user").putNull("password")));
    deploy(vertx, null);

    Connector before = call(vertx, Store.CONNECTOR_GET, new TenantRef(tenant), Connector.class);
    assertThat(before.version()).isZero();
    String credentialList = sid("CL");
    Connector after = call(vertx, Store.TRUNK_PUT, new PutTrunk(tenant, Trunk.builder()
        .credentialListSid(credentialList).build(), 0L), Connector.class);
    assertThat(after.version()).isEqualTo(1L);
    assertThat(after.trunk().credentialListSid()).isEqualTo(credentialList);
    assertThat(after.trunk().friendlyName()).isEqualTo("scalai5jj7w1sp");
  }

  @Test
  void withoutTheLegacyKeyTheOriginCiphertextIsAClearErrorAndStaysUntouched(Vertx vertx) throws Exception {
    String tenant = newTenant();
    OriginFormat.Encrypted origin = OriginFormat.encrypt(LEGACY_KEY, ENCRYPTED_PASSWORD);
    insert(originDoc(tenant, new JsonObject().put("username", "scalai_x_user").put("password", origin.hex())
        .put("passwordIV", origin.ivHex()).put("passwordAuthTag", origin.tagHex())));
    deploy(vertx, null);

    var error = failure(vertx, Store.SIP_GET, new TenantRef(tenant));
    assertFailure(error, 500, "VAULT_DECRYPT_FAILED");
    assertThat(error.getMessage()).isEqualTo("cannot decrypt sipPassword of tenant " + tenant
        + ": it is in the origin service's encrypted format and vault.legacyEncryptionKey is not configured");
    assertThat(ConnectorDocs.getString(rawDoc(tenant), ConnectorDocs.SIP + ".password")).isEqualTo(origin.hex());
  }

  @Test
  void theWrongLegacyKeyIsAClearError(Vertx vertx) throws Exception {
    String tenant = newTenant();
    OriginFormat.Encrypted origin = OriginFormat.encrypt(LEGACY_KEY, ENCRYPTED_PASSWORD);
    insert(originDoc(tenant, new JsonObject().put("username", "scalai_x_user").put("password", origin.hex())
        .put("passwordIV", origin.ivHex()).put("passwordAuthTag", origin.tagHex())));
    deploy(vertx, "not-the-origin-key");

    var error = failure(vertx, Store.SIP_GET, new TenantRef(tenant));
    assertFailure(error, 500, "VAULT_DECRYPT_FAILED");
    assertThat(error.getMessage()).contains(tenant).contains("sipPassword").contains("legacy authentication failed");
  }

  private void deploy(Vertx vertx, String legacyKey) {
    JsonObject config = StoreTestSupport.config(dataDir, keys);
    if (legacyKey != null) {
      config.getJsonObject("vault").put("legacyEncryptionKey", legacyKey);
    }
    StoreTestSupport.deploy(vertx, config);
  }

  private void insert(JsonObject doc) {
    await(raw.insert("connectorsubaccount", doc));
  }

  private JsonObject rawDoc(String tenant) {
    return await(raw.findOne("connectorsubaccount",
        new JsonObject().put("subaccountId", tenant).put("connectorType", "twilio"), null));
  }

  /** The origin service's document shape (no version field: it never had one). */
  static JsonObject originDoc(String tenant, JsonObject sipCredentials) {
    return new JsonObject()
        .put("subaccountId", tenant)
        .put("connectorType", "twilio")
        .put("config", new JsonObject().put("accountSid", sid("AC")))
        .put("metadata", new JsonObject().put("retellIntegration", new JsonObject()
            .put("trunkSid", sid("TK"))
            .put("trunkFriendlyName", "scalai5jj7w1sp")
            .put("terminationSipUri", "scalai5jj7w1sp.pstn.twilio.com")
            .put("sipCredentials", sipCredentials)))
        .put("createdAt", new JsonObject().put("$date", "2024-05-01T10:00:00Z"));
  }
}
