package dev.trunkline.store;

import static dev.trunkline.contract.testing.Await.await;
import static dev.trunkline.contract.testing.SecretAssertions.assertNoSecrets;
import static dev.trunkline.contract.testing.SecretAssertions.secrets;
import static dev.trunkline.store.StoreTestSupport.call;
import static dev.trunkline.store.StoreTestSupport.failure;
import static dev.trunkline.store.StoreTestSupport.newTenant;
import static dev.trunkline.store.StoreTestSupport.sid;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trunkline.contract.Addresses.Store;
import dev.trunkline.contract.CredentialPurpose;
import dev.trunkline.contract.Secret;
import dev.trunkline.contract.StoreMessages.ClaimIdempotency;
import dev.trunkline.contract.StoreMessages.CompleteIdempotency;
import dev.trunkline.contract.StoreMessages.Connector;
import dev.trunkline.contract.StoreMessages.IdempotencyClaim;
import dev.trunkline.contract.StoreMessages.PhoneNumber;
import dev.trunkline.contract.StoreMessages.PromoteSip;
import dev.trunkline.contract.StoreMessages.PutPendingSip;
import dev.trunkline.contract.StoreMessages.PutRetellKey;
import dev.trunkline.contract.StoreMessages.PutTrunk;
import dev.trunkline.contract.StoreMessages.PutTwilioAccount;
import dev.trunkline.contract.StoreMessages.RetellKey;
import dev.trunkline.contract.StoreMessages.RetellStatus;
import dev.trunkline.contract.StoreMessages.RekeyVault;
import dev.trunkline.contract.StoreMessages.RekeyReport;
import dev.trunkline.contract.StoreMessages.SipCredentials;
import dev.trunkline.contract.StoreMessages.Trunk;
import dev.trunkline.contract.StoreMessages.TwilioAccount;
import dev.trunkline.contract.TenantRef;
import dev.trunkline.contract.testing.Await;
import dev.trunkline.contract.testing.LogCapture;
import dev.trunkline.contract.testing.OriginFormat;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.MongoClient;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * No password, auth token or API key is stored in plaintext (neither in the documents read back through a
 * MongoDB client nor anywhere in the data file), and none appears in any log line, through every address that
 * handles one, the failure paths and the legacy adoption included.
 */
@ExtendWith(VertxExtension.class)
class SecretsNeverInClearTest {
  private static final String LEGACY_KEY = "legacy-passphrase-Qm7";

  @TempDir
  Path dataDir;
  private final String keyMaterial = StoreTestSupport.newKeyBase64();
  private final String oldKeyMaterial = StoreTestSupport.newKeyBase64();
  private final String tenant = newTenant();
  private final String authToken = "tok" + UUID.randomUUID().toString().replace("-", "");
  private final String retellKey = "key_" + UUID.randomUUID().toString().replace("-", "");
  private final String sipPassword = "Sip" + UUID.randomUUID().toString().replace("-", "").substring(0, 14);
  private final String pendingPassword = "Pend" + UUID.randomUUID().toString().replace("-", "").substring(0, 13);
  /** Not secret: proves that a string written through the store is findable in the raw data. */
  private final String marker = "trunk-marker-" + UUID.randomUUID();

  @Test
  void rawDocumentsAndTheDataFileHoldNoSecretInPlaintext(Vertx vertx) throws Exception {
    String deployment = StoreTestSupport.deploy(vertx, StoreTestSupport.config(dataDir, "k1:" + keyMaterial));
    writeEverySecret(vertx);

    EmbeddedMongo server = StoreTestSupport.embedded(vertx, dataDir);
    MongoClient raw = StoreTestSupport.rawClient(vertx, server);
    try {
      List<JsonObject> docs = new ArrayList<>();
      for (String collection : await(raw.getCollections())) {
        docs.addAll(await(raw.find(collection, new JsonObject())));
      }
      String all = docs.stream().map(JsonObject::encode).reduce("", String::concat);
      // The scan comes before the control, which prints the documents when it fails.
      assertNoSecrets("the raw documents", all, secretsWritten());
      assertThat(all).as("control").contains(marker).contains(tenant);
      JsonObject twilio = docs.stream().filter(d -> "twilio".equals(d.getString("connectorType"))).findFirst()
          .orElseThrow();
      assertThat(Vault.isEnvelope(ConnectorDocs.get(twilio, "config.authToken"))).isTrue();
      assertThat(Vault.isEnvelope(ConnectorDocs.get(twilio, SecretField.SIP_PASSWORD.path()))).isTrue();
      assertThat(Vault.isEnvelope(ConnectorDocs.get(twilio, SecretField.SIP_PENDING_PASSWORD.path()))).isTrue();
    } finally {
      await(raw.close());
      await(server.release());
    }

    await(vertx.undeploy(deployment));
    byte[] file = Files.readAllBytes(dataDir.resolve("store.mv"));
    String bytes = new String(file, StandardCharsets.ISO_8859_1);
    Map<String, String> inEitherEncoding = new LinkedHashMap<>();
    secretsWritten().forEach((name, secret) -> {
      inEitherEncoding.put(name, secret);
      inEitherEncoding.put(name + " (UTF-16LE)", new String(secret.getBytes(StandardCharsets.UTF_16LE),
          StandardCharsets.ISO_8859_1));
    });
    assertNoSecrets("the data file store.mv", bytes, inEitherEncoding);
    assertThat(bytes).as("control: the file holds what was written").contains(marker);
  }

  @Test
  void noSecretOrKeyMaterialAppearsInAnyLogLine(Vertx vertx) throws Exception {
    String plainLegacy = "LegacyPlain" + UUID.randomUUID().toString().substring(0, 8);
    String encryptedLegacy = "LegacyEnc" + UUID.randomUUID().toString().substring(0, 8);
    String legacyTenant = newTenant();
    String legacyEncTenant = newTenant();
    OriginFormat.Encrypted origin = OriginFormat.encrypt(LEGACY_KEY, encryptedLegacy);

    // The origin service's documents are in the database before Trunkline runs (inserting them is not logged
    // by the store, so it happens before the capture).
    EmbeddedMongo server = StoreTestSupport.embedded(vertx, dataDir);
    MongoClient raw = StoreTestSupport.rawClient(vertx, server);
    try {
      await(raw.insert("connectorsubaccount", LegacyAdoptionTest.originDoc(legacyTenant,
          new JsonObject().put("username", "legacy_user").put("password", plainLegacy))));
      await(raw.insert("connectorsubaccount", LegacyAdoptionTest.originDoc(legacyEncTenant,
          new JsonObject().put("username", "legacy_user2").put("password", origin.hex())
              .put("passwordIV", origin.ivHex()).put("passwordAuthTag", origin.tagHex()))));
    } finally {
      await(raw.close());
      await(server.release());
    }

    List<String> lines;
    // Every logger at every level, but for the embedded server's and the driver's wire traces under WARN: they
    // print whole documents, which before adoption include origin plaintext (docs/store.md says to keep them at
    // WARN). Their WARN and ERROR lines, which quote the failing command, are captured and checked.
    try (LogCapture logs = LogCapture.start()) {
      // A misconfigured start (its message names the key id, never the material).
      String shortKey = java.util.Base64.getEncoder().encodeToString(new byte[31]);
      assertThat(Await.awaitFailure(vertx.deployVerticle(new StoreVerticle(), new DeploymentOptions()
          .setConfig(StoreTestSupport.config(dataDir, "k1:" + shortKey)))))
          .hasMessageContaining("vault.keys key k1 must decode to 32 bytes");

      JsonObject config = StoreTestSupport.config(dataDir, "k0:" + oldKeyMaterial);
      config.getJsonObject("vault").put("legacyEncryptionKey", LEGACY_KEY).put("adoptLegacyPlaintext", true);
      String first = StoreTestSupport.deploy(vertx, config);
      writeEverySecret(vertx);
      await(vertx.undeploy(first));

      // The store restarts with a new active key, the old one still readable.
      JsonObject rotated = StoreTestSupport.config(dataDir, "k1:" + keyMaterial + ",k0:" + oldKeyMaterial);
      rotated.getJsonObject("vault").put("legacyEncryptionKey", LEGACY_KEY).put("adoptLegacyPlaintext", true);
      String second = StoreTestSupport.deploy(vertx, rotated);
      readEverySecret(vertx);
      assertThat(call(vertx, Store.SIP_GET, new TenantRef(legacyTenant), SipCredentials.class).password().reveal())
          .isEqualTo(plainLegacy);
      assertThat(call(vertx, Store.SIP_GET, new TenantRef(legacyEncTenant), SipCredentials.class).password()
          .reveal()).isEqualTo(encryptedLegacy);
      call(vertx, Store.ADMIN_ROTATE_KEYS, new RekeyVault(1), RekeyReport.class);
      await(vertx.undeploy(second));

      // Failure paths: the old key removed and a wrong legacy key.
      JsonObject wrong = StoreTestSupport.config(dataDir, "k9:" + StoreTestSupport.newKeyBase64());
      wrong.getJsonObject("vault").put("legacyEncryptionKey", "wrong-legacy");
      StoreTestSupport.deploy(vertx, wrong);
      failure(vertx, Store.SIP_GET, new TenantRef(tenant));
      failure(vertx, Store.TWILIO_ACCOUNT_GET, new TenantRef(tenant));
      failure(vertx, Store.RETELL_KEY_GET, new TenantRef(tenant));
      call(vertx, Store.ADMIN_ROTATE_KEYS, new RekeyVault(null), RekeyReport.class);
      lines = logs.lines(LogCapture.DATABASE_WIRE);
    }

    Map<String, String> forbidden = new LinkedHashMap<>(secretsWritten());
    forbidden.putAll(secrets("the legacy plaintext password", plainLegacy, "the legacy encrypted password",
        encryptedLegacy, "the legacy encryption key", LEGACY_KEY, "the vault key k1", keyMaterial,
        "the vault key k0", oldKeyMaterial));
    // The scan comes before the control, which prints every line when it fails.
    assertNoSecrets("a captured log line", lines, forbidden);
    assertThat(lines).as("control: the capture saw the store working")
        .anyMatch(l -> l.contains("store ready"))
        .anyMatch(l -> l.contains("VAULT_DECRYPT_FAILED") || l.contains("cannot decrypt"))
        .anyMatch(l -> l.contains("key rotation finished"));
  }

  private Map<String, String> secretsWritten() {
    return secrets("the auth token", authToken, "the Retell key", retellKey, "the SIP password", sipPassword,
        "the pending SIP password", pendingPassword);
  }

  private void writeEverySecret(Vertx vertx) {
    call(vertx, Store.TWILIO_ACCOUNT_PUT, new PutTwilioAccount(tenant, sid("AC"), new Secret(authToken)),
        Connector.class);
    call(vertx, Store.RETELL_KEY_PUT, new PutRetellKey(tenant, new Secret(retellKey)), Connector.class);
    call(vertx, Store.TRUNK_PUT, new PutTrunk(tenant, Trunk.builder().trunkSid(sid("TK")).friendlyName(marker)
        .build(), null), Connector.class);
    call(vertx, Store.SIP_PENDING_PUT, new PutPendingSip(tenant, "tl_user", new Secret(sipPassword), CredentialPurpose.SETUP, null),
        Connector.class);
    call(vertx, Store.SIP_PROMOTE, new PromoteSip(tenant, "tl_user", null), Connector.class);
    call(vertx, Store.SIP_PENDING_PUT, new PutPendingSip(tenant, "tl_user2", new Secret(pendingPassword), CredentialPurpose.ROTATION,
        null), Connector.class);
    call(vertx, Store.NUMBER_SAVE, new PhoneNumber(tenant, "+14155550142", sid("PN"), null, RetellStatus.IMPORTED,
        null, 0, 0), PhoneNumber.class);
    call(vertx, Store.IDEMPOTENCY_CLAIM, new ClaimIdempotency(tenant, "k-1", "purchase", "h1"),
        IdempotencyClaim.class);
    call(vertx, Store.IDEMPOTENCY_COMPLETE, new CompleteIdempotency(tenant, "k-1", 201,
        Map.of("phoneNumber", "+14155550142")), IdempotencyClaim.class);
    readEverySecret(vertx);
  }

  private void readEverySecret(Vertx vertx) {
    TenantRef ref = new TenantRef(tenant);
    assertThat(call(vertx, Store.TWILIO_ACCOUNT_GET, ref, TwilioAccount.class).authToken().reveal())
        .isEqualTo(authToken);
    assertThat(call(vertx, Store.RETELL_KEY_GET, ref, RetellKey.class).apiKey().reveal()).isEqualTo(retellKey);
    SipCredentials sip = call(vertx, Store.SIP_GET, ref, SipCredentials.class);
    assertThat(sip.password().reveal()).isEqualTo(sipPassword);
    assertThat(sip.pending().password().reveal()).isEqualTo(pendingPassword);
  }
}
