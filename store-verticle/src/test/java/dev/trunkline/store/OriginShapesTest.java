package dev.trunkline.store;

import static dev.trunkline.contract.testing.Await.await;
import static dev.trunkline.contract.testing.SecretAssertions.assertNoSecrets;
import static dev.trunkline.contract.testing.SecretAssertions.secrets;
import static dev.trunkline.store.StoreTestSupport.assertFailure;
import static dev.trunkline.store.StoreTestSupport.call;
import static dev.trunkline.store.StoreTestSupport.failure;
import static dev.trunkline.store.StoreTestSupport.newTenant;
import static dev.trunkline.store.StoreTestSupport.sid;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trunkline.contract.Addresses.Store;
import dev.trunkline.contract.Bus;
import dev.trunkline.contract.ServiceException;
import dev.trunkline.contract.StoreMessages.Connector;
import dev.trunkline.contract.Secret;
import dev.trunkline.contract.StoreMessages.PasswordState;
import dev.trunkline.contract.StoreMessages.PutTwilioAccount;
import dev.trunkline.contract.StoreMessages.RekeyVault;
import dev.trunkline.contract.StoreMessages.RekeyReport;
import dev.trunkline.contract.StoreMessages.SipCredentials;
import dev.trunkline.contract.StoreMessages.TwilioAccount;
import dev.trunkline.contract.TenantRef;
import dev.trunkline.contract.testing.LogCapture;
import dev.trunkline.contract.testing.OriginFormat;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.MongoClient;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every shape in which the origin service's code writes and reads a Twilio connector (issue 19), built here with
 * the origin's algorithm ({@link OriginFormat}: hex AES-256-GCM, 16-byte IV, scrypt key with salt
 * {@code twilio-connector-salt}), inserted raw, then read through the bus: the SID and token come back, and the
 * document is left in Trunkline's shape. A wrong key or an altered ciphertext fails naming tenant and field and
 * writes nothing.
 */
@ExtendWith(VertxExtension.class)
class OriginShapesTest {
  private static final String LEGACY_KEY = "origin-ENCRYPTION_KEY-for-shapes";
  private static final String TOKEN = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";
  private static final String SIP_PASSWORD = "Origin-Sip-Pass-42";

  /** Where the origin put a field's IV and tag, in its lookup order. */
  enum Place { METADATA, CONFIG_METADATA, BESIDE, SHORT_NAME }

  @TempDir
  Path dataDir;
  private final String keys = "k1:" + StoreTestSupport.newKeyBase64();
  private EmbeddedMongo server;
  private MongoClient raw;

  @BeforeEach
  void openDatabase(Vertx vertx) {
    server = StoreTestSupport.embedded(vertx, dataDir);
    raw = StoreTestSupport.rawClient(vertx, server);
  }

  @AfterEach
  void closeDatabase() {
    await(raw.close());
    await(server.release());
  }

  @Test
  void everyEncryptedShapeIsReadAndAdoptedIntoTrunklinesShape(Vertx vertx) throws Exception {
    record Shape(String tenant, String sidName, String tokenName, Place place, String accountSid) {}
    List<Shape> shapes = new ArrayList<>();
    for (String sidName : List.of("SID", "accountSid")) {
      for (String tokenName : List.of("AuthToken", "authToken")) {
        for (Place place : Place.values()) {
          Shape shape = new Shape(newTenant(), sidName, tokenName, place, sid("AC"));
          JsonObject doc = originDoc(shape.tenant());
          putEncrypted(doc, sidName, "sid", place, shape.accountSid());
          putEncrypted(doc, tokenName, "token", place, TOKEN);
          insert(doc);
          shapes.add(shape);
        }
      }
    }
    List<String> lines;
    try (LogCapture logs = LogCapture.start()) {
      deploy(vertx, LEGACY_KEY, false);
      for (Shape shape : shapes) {
        TenantRef ref = new TenantRef(shape.tenant());
        TwilioAccount account = call(vertx, Store.TWILIO_ACCOUNT_GET, ref, TwilioAccount.class);
        assertThat(account.accountSid()).as("SID of %s", shape).isEqualTo(shape.accountSid());
        assertThat(account.authToken().reveal()).as("token of %s", shape).isEqualTo(TOKEN);
        assertAdopted(shape.tenant(), shape.accountSid(), shape.toString());
        Connector connector = call(vertx, Store.CONNECTOR_GET, ref, Connector.class);
        assertThat(connector.twilioAccountSid()).as("status of %s", shape).isEqualTo(shape.accountSid());
        assertThat(connector.twilioConnected()).as("status of %s", shape).isTrue();
        assertThat(connector.version()).as("one adoption write for %s", shape).isEqualTo(1L);
      }
      lines = logs.lines(LogCapture.DATABASE_WIRE);
    }
    assertNoSecrets("a captured log line", lines, secrets("the origin's auth token", TOKEN));
  }

  @Test
  void theStatusReadAdoptsTooAndTheOriginTrunkAndSipCredentialsAreKept(Vertx vertx) throws Exception {
    String tenant = newTenant();
    String accountSid = sid("AC");
    String trunkSid = sid("TK");
    String credentialListSid = sid("CL");
    String credentialSid = sid("CR");
    JsonObject doc = originDoc(tenant);
    putEncrypted(doc, "SID", "sid", Place.METADATA, accountSid);
    putEncrypted(doc, "AuthToken", "token", Place.METADATA, TOKEN);
    OriginFormat.Encrypted password = OriginFormat.encrypt(LEGACY_KEY, SIP_PASSWORD);
    doc.getJsonObject("metadata").put("retellIntegration", new JsonObject()
        .put("trunkSid", trunkSid).put("credentialListSid", credentialListSid).put("credentialSid", credentialSid)
        .put("terminationSipUri", "scalaiorigin.pstn.twilio.com")
        .put("sipCredentials", new JsonObject().put("username", "scalai_origin_user").put("password", password.hex())
            .put("passwordIV", password.ivHex()).put("passwordAuthTag", password.tagHex())));
    insert(doc);
    deploy(vertx, LEGACY_KEY, false);

    Connector connector = call(vertx, Store.CONNECTOR_GET, new TenantRef(tenant), Connector.class);
    assertThat(connector.twilioAccountSid()).isEqualTo(accountSid);
    assertThat(connector.twilioConnected()).isTrue();
    assertThat(connector.trunk().trunkSid()).isEqualTo(trunkSid);
    assertThat(connector.trunk().credentialListSid()).isEqualTo(credentialListSid);
    assertThat(connector.trunk().credentialSid()).isEqualTo(credentialSid);
    assertThat(connector.passwordState()).isEqualTo(PasswordState.KNOWN);
    assertAdopted(tenant, accountSid, "the status read");
    assertThat(ConnectorDocs.getString(rawDoc(tenant), "metadata.retellIntegration.trunkSid")).isEqualTo(trunkSid);

    SipCredentials sip = call(vertx, Store.SIP_GET, new TenantRef(tenant), SipCredentials.class);
    assertThat(sip.username()).isEqualTo("scalai_origin_user");
    assertThat(sip.password().reveal()).isEqualTo(SIP_PASSWORD);
  }

  @Test
  void plainTextSidUnderEitherNameNeedsNoSwitchButAPlainTokenDoes(Vertx vertx) throws Exception {
    String encryptedToken = newTenant();
    String plainToken = newTenant();
    String sidOne = sid("AC");
    String sidTwo = sid("AC");
    JsonObject one = originDoc(encryptedToken);
    one.getJsonObject("config").put("SID", sidOne);
    putEncrypted(one, "AuthToken", "token", Place.METADATA, TOKEN);
    insert(one);
    JsonObject two = originDoc(plainToken);
    two.getJsonObject("config").put("SID", sidTwo).put("AuthToken", TOKEN);
    insert(two);
    deploy(vertx, LEGACY_KEY, false);

    TwilioAccount account = call(vertx, Store.TWILIO_ACCOUNT_GET, new TenantRef(encryptedToken), TwilioAccount.class);
    assertThat(account.accountSid()).isEqualTo(sidOne);
    assertThat(account.authToken().reveal()).isEqualTo(TOKEN);
    assertAdopted(encryptedToken, sidOne, "plain SID, encrypted token");

    // docs/security.md: a plain-text secret is an integrity error unless adoption of plain text is on.
    JsonObject before = rawDoc(plainToken);
    ServiceException refused = failure(vertx, Store.TWILIO_ACCOUNT_GET, new TenantRef(plainToken));
    assertFailure(refused, 500, VaultException.INTEGRITY);
    assertThat(refused.getMessage()).startsWith("integrity error in twilioAuthToken of tenant " + plainToken + ":");
    assertThat(rawDoc(plainToken)).isEqualTo(before);
  }

  @Test
  void plainTextTokenUnderTheOriginNameIsAdoptedWhenAsked(Vertx vertx) {
    String tenant = newTenant();
    String accountSid = sid("AC");
    JsonObject doc = originDoc(tenant);
    doc.getJsonObject("config").put("SID", accountSid).put("AuthToken", TOKEN);
    insert(doc);
    deploy(vertx, null, true);

    TwilioAccount account = call(vertx, Store.TWILIO_ACCOUNT_GET, new TenantRef(tenant), TwilioAccount.class);
    assertThat(account.accountSid()).isEqualTo(accountSid);
    assertThat(account.authToken().reveal()).isEqualTo(TOKEN);
    assertAdopted(tenant, accountSid, "plain SID and token");
  }

  @Test
  void anInactiveConnectorIsNotConnectedAndIsLeftAlone(Vertx vertx) throws Exception {
    String tenant = newTenant();
    // The shape Trunkline has always read, so only isActive makes the difference.
    JsonObject doc = originDoc(tenant).put("isActive", false);
    doc.getJsonObject("config").put("accountSid", sid("AC"));
    putEncrypted(doc, "authToken", "token", Place.BESIDE, TOKEN);
    insert(doc);
    JsonObject before = rawDoc(tenant);
    deploy(vertx, LEGACY_KEY, false);

    Connector connector = call(vertx, Store.CONNECTOR_GET, new TenantRef(tenant), Connector.class);
    assertThat(connector.twilioConnected()).isFalse();
    assertThat(connector.twilioAccountSid()).isNull();
    assertFailure(failure(vertx, Store.TWILIO_ACCOUNT_GET, new TenantRef(tenant)), 404, "TWILIO_ACCOUNT_NOT_FOUND");
    assertThat(rawDoc(tenant)).isEqualTo(before);
  }

  @Test
  void theWrongKeyNamesTenantAndFieldAndWritesNothing(Vertx vertx) throws Exception {
    String tenant = newTenant();
    String accountSid = sid("AC");
    JsonObject doc = originDoc(tenant);
    putEncrypted(doc, "SID", "sid", Place.METADATA, accountSid);
    putEncrypted(doc, "AuthToken", "token", Place.METADATA, TOKEN);
    insert(doc);
    JsonObject before = rawDoc(tenant);
    ServiceException error;
    Connector connector;
    List<String> lines;
    try (LogCapture logs = LogCapture.start()) {
      deploy(vertx, "not-the-origin-key", false);
      error = failure(vertx, Store.TWILIO_ACCOUNT_GET, new TenantRef(tenant));
      connector = call(vertx, Store.CONNECTOR_GET, new TenantRef(tenant), Connector.class);
      lines = logs.lines(LogCapture.DATABASE_WIRE);
    }
    assertNoSecrets("a captured log line", lines, secrets("the origin's auth token", TOKEN));
    assertNoSecrets("the failure", error.getMessage(), secrets("the origin's auth token", TOKEN));

    assertFailure(error, 500, VaultException.DECRYPT_FAILED);
    assertThat(error.getMessage()).isEqualTo("cannot decrypt twilioAccountSid of tenant " + tenant
        + ": legacy authentication failed (wrong legacyEncryptionKey, or the ciphertext was altered)");
    assertThat(connector.twilioConnected()).as("the status still answers, without what it cannot read").isFalse();
    assertThat(rawDoc(tenant)).isEqualTo(before);
  }

  @Test
  void anAlteredTokenNamesTheTokenAndWritesNothingNotEvenTheSid(Vertx vertx) throws Exception {
    String tenant = newTenant();
    JsonObject doc = originDoc(tenant);
    putEncrypted(doc, "accountSid", "sid", Place.BESIDE, sid("AC"));
    putEncrypted(doc, "authToken", "token", Place.CONFIG_METADATA, TOKEN);
    String ct = doc.getJsonObject("config").getString("authToken");
    doc.getJsonObject("config").put("authToken", (ct.charAt(0) == '0' ? "1" : "0") + ct.substring(1));
    insert(doc);
    JsonObject before = rawDoc(tenant);
    deploy(vertx, LEGACY_KEY, false);

    ServiceException error = failure(vertx, Store.TWILIO_ACCOUNT_GET, new TenantRef(tenant));
    assertFailure(error, 500, VaultException.DECRYPT_FAILED);
    assertThat(error.getMessage()).isEqualTo("cannot decrypt twilioAuthToken of tenant " + tenant
        + ": legacy authentication failed (wrong legacyEncryptionKey, or the ciphertext was altered)");
    assertThat(rawDoc(tenant)).isEqualTo(before);
  }

  @Test
  void twoNodesAdoptingAtOnceWriteOnceAndLoseNothing(Vertx vertx) throws Exception {
    String tenant = newTenant();
    String accountSid = sid("AC");
    JsonObject doc = originDoc(tenant);
    putEncrypted(doc, "SID", "sid", Place.METADATA, accountSid);
    putEncrypted(doc, "AuthToken", "token", Place.METADATA, TOKEN);
    insert(doc);
    // Two store verticles on one database: the bus spreads the reads over both, as over two nodes.
    deploy(vertx, LEGACY_KEY, false);
    deploy(vertx, LEGACY_KEY, false);

    List<Future<TwilioAccount>> reads = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      reads.add(Bus.request(vertx, Store.TWILIO_ACCOUNT_GET, new TenantRef(tenant), TwilioAccount.class,
          StoreTestSupport.TIMEOUT_MS, null));
    }
    await(Future.all(reads));
    for (Future<TwilioAccount> read : reads) {
      assertThat(read.result().accountSid()).isEqualTo(accountSid);
      assertThat(read.result().authToken().reveal()).isEqualTo(TOKEN);
    }
    assertAdopted(tenant, accountSid, "concurrent reads");
    assertThat(ConnectorDocs.version(rawDoc(tenant))).as("exactly one adoption write applied").isEqualTo(1L);
  }

  @Test
  void keyRotationAdoptsTooAndNeverTakesTheOriginCiphertextForPlainText(Vertx vertx) throws Exception {
    String tenant = newTenant();
    String accountSid = sid("AC");
    JsonObject doc = originDoc(tenant);
    doc.getJsonObject("config").put("accountSid", accountSid);
    // What the origin writes today: the token's IV and tag at document level, none beside it.
    putEncrypted(doc, "authToken", "token", Place.METADATA, TOKEN);
    insert(doc);
    // With plain-text adoption on (the documented adoption run), a hex token without IV beside it looks plain.
    deploy(vertx, LEGACY_KEY, true);

    RekeyReport report = call(vertx, Store.ADMIN_ROTATE_KEYS, new RekeyVault(null), RekeyReport.class);
    assertThat(report.failed()).as("failures: %s", report.failures()).isZero();
    assertThat(report.reencrypted()).isEqualTo(1L);
    assertAdopted(tenant, accountSid, "the rotation");
    assertThat(call(vertx, Store.TWILIO_ACCOUNT_GET, new TenantRef(tenant), TwilioAccount.class).authToken().reveal())
        .isEqualTo(TOKEN);
    assertThat(call(vertx, Store.ADMIN_ROTATE_KEYS, new RekeyVault(null), RekeyReport.class).alreadyCurrent())
        .as("a second run changes nothing").isEqualTo(1L);
  }

  @Test
  void aNewAccountReplacesEveryOriginFieldAndConnectsAnInactiveConnector(Vertx vertx) throws Exception {
    String tenant = newTenant();
    JsonObject doc = originDoc(tenant).put("isActive", false);
    putEncrypted(doc, "SID", "sid", Place.METADATA, sid("AC"));
    putEncrypted(doc, "AuthToken", "token", Place.SHORT_NAME, TOKEN);
    insert(doc);
    deploy(vertx, LEGACY_KEY, false);

    String accountSid = sid("AC");
    String token = "fedcba9876543210fedcba9876543210";
    Connector connector = call(vertx, Store.TWILIO_ACCOUNT_PUT,
        new PutTwilioAccount(tenant, accountSid, Secret.of(token)), Connector.class);
    assertThat(connector.twilioConnected()).isTrue();
    TwilioAccount account = call(vertx, Store.TWILIO_ACCOUNT_GET, new TenantRef(tenant), TwilioAccount.class);
    assertThat(account.accountSid()).as("the origin's SID must not win over the new one").isEqualTo(accountSid);
    assertThat(account.authToken().reveal()).isEqualTo(token);
    assertAdopted(tenant, accountSid, "the put");
    assertThat(rawDoc(tenant).containsKey("isActive")).isFalse();
  }

  /** The document now has Trunkline's shape only: plain SID, token envelope, no origin name, IV or tag. */
  private void assertAdopted(String tenant, String accountSid, String what) {
    JsonObject stored = rawDoc(tenant);
    JsonObject config = stored.getJsonObject("config").copy();
    if (config.getJsonObject("metadata", new JsonObject()).isEmpty()) {
      config.remove("metadata"); // the origin's config.metadata, emptied of its IVs and tags
    }
    assertThat(config.fieldNames()).as("config of %s", what).containsExactlyInAnyOrder("accountSid", "authToken");
    assertThat(config.getString("accountSid")).as(what).isEqualTo(accountSid);
    assertThat(Vault.isEnvelope(config.getValue("authToken"))).as("token envelope of %s", what).isTrue();
    JsonObject metadata = stored.getJsonObject("metadata");
    assertThat(metadata.fieldNames()).as("metadata of %s: no IV or tag left", what)
        .allMatch(name -> name.equals("retellIntegration"));
    assertNoSecrets("the stored document", stored.encode(), secrets("the origin's auth token", TOKEN));
  }

  /**
   * One field as the origin's {@code encryptConfig} stores it: hex ciphertext under {@code config.<name>}, IV and
   * tag at {@code place}.
   */
  private static void putEncrypted(JsonObject doc, String name, String shortName, Place place, String value)
      throws Exception {
    OriginFormat.Encrypted e = OriginFormat.encrypt(LEGACY_KEY, value);
    JsonObject config = doc.getJsonObject("config");
    config.put(name, e.hex());
    JsonObject target = switch (place) {
      case METADATA -> doc.getJsonObject("metadata");
      case CONFIG_METADATA -> config.getJsonObject("metadata", new JsonObject());
      case BESIDE, SHORT_NAME -> config;
    };
    if (place == Place.CONFIG_METADATA) {
      config.put("metadata", target);
    }
    String prefix = place == Place.SHORT_NAME ? shortName : name;
    target.put(prefix + "IV", e.ivHex()).put(prefix + "AuthTag", e.tagHex());
  }

  /** The origin's document: its own fields, no {@code version} (it never had one). */
  private static JsonObject originDoc(String tenant) {
    return new JsonObject()
        .put("subaccountId", tenant)
        .put("connectorId", "64f0c0ffee0000000000abcd")
        .put("connectorType", "twilio")
        .put("isActive", true)
        .put("config", new JsonObject())
        .put("metadata", new JsonObject());
  }

  private void deploy(Vertx vertx, String legacyKey, boolean adoptPlaintext) {
    JsonObject config = StoreTestSupport.config(dataDir, keys);
    if (legacyKey != null) {
      config.getJsonObject("vault").put("legacyEncryptionKey", legacyKey);
    }
    config.getJsonObject("vault").put("adoptLegacyPlaintext", adoptPlaintext);
    StoreTestSupport.deploy(vertx, config);
  }

  private void insert(JsonObject doc) {
    await(raw.insert("connectorsubaccount", doc));
  }

  private JsonObject rawDoc(String tenant) {
    return await(raw.findOne("connectorsubaccount",
        new JsonObject().put("subaccountId", tenant).put("connectorType", "twilio"), null));
  }
}
