package dev.trunkline.store;

import static dev.trunkline.contract.testing.Await.await;
import static dev.trunkline.contract.testing.SecretAssertions.assertNoSecret;
import static dev.trunkline.store.StoreTestSupport.assertFailure;
import static dev.trunkline.store.StoreTestSupport.call;
import static dev.trunkline.store.StoreTestSupport.failure;
import static dev.trunkline.store.StoreTestSupport.newTenant;
import static dev.trunkline.store.StoreTestSupport.sid;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trunkline.contract.Addresses.Store;
import dev.trunkline.contract.CredentialPurpose;
import dev.trunkline.contract.Secret;
import dev.trunkline.contract.ServiceException;
import dev.trunkline.contract.StoreMessages.Connector;
import dev.trunkline.contract.StoreMessages.PasswordState;
import dev.trunkline.contract.StoreMessages.PingReply;
import dev.trunkline.contract.StoreMessages.PromoteSip;
import dev.trunkline.contract.StoreMessages.PutPendingSip;
import dev.trunkline.contract.StoreMessages.PutRetellKey;
import dev.trunkline.contract.StoreMessages.PutTwilioAccount;
import dev.trunkline.contract.TenantRef;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.MongoClient;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A secret that cannot be decrypted is a 500 VAULT_DECRYPT_FAILED naming tenant and field: never a crash, never
 * a silent null, and the store keeps serving everything else.
 */
@ExtendWith(VertxExtension.class)
class VaultFailuresTest {
  private static final String PASSWORD = "Tq8wLm3Zx5Nc2Vb";

  @TempDir
  Path dataDir;
  private final String k1 = StoreTestSupport.newKeyBase64();
  private final String tenant = newTenant();

  @Test
  void aTamperedCiphertextIsNamedAndTheStoreKeepsServing(Vertx vertx) {
    StoreTestSupport.deploy(vertx, StoreTestSupport.config(dataDir, "k1:" + k1));
    storePassword(vertx, tenant);
    withRaw(vertx, raw -> {
      JsonObject doc = findTwilio(raw, tenant);
      String ct = ConnectorDocs.getString(doc, SecretField.SIP_PASSWORD.path() + ".ct");
      byte[] bytes = Base64.getDecoder().decode(ct);
      bytes[bytes.length - 1] ^= 0x40;
      await(raw.updateCollection("connectorsubaccount", key(tenant), new JsonObject().put("$set",
          new JsonObject().put(SecretField.SIP_PASSWORD.path() + ".ct", Base64.getEncoder().encodeToString(bytes)))));
    });

    ServiceException error = failure(vertx, Store.SIP_GET, new TenantRef(tenant));
    // First: the assertions below print the message when they fail.
    assertNoSecret("the decryption failure's message", error.getMessage(), "the SIP password", PASSWORD);
    assertFailure(error, 500, "VAULT_DECRYPT_FAILED");
    assertThat(error.getMessage()).isEqualTo("cannot decrypt sipPassword of tenant " + tenant
        + ": authentication failed with key id k1 (wrong key, or the ciphertext was altered or moved)");

    assertThat(call(vertx, Store.CONNECTOR_GET, new TenantRef(tenant), Connector.class).passwordState())
        .as("what needs no decryption still works").isEqualTo(PasswordState.KNOWN);
    assertThat(call(vertx, Store.PING, new JsonObject(), PingReply.class).ok()).isTrue();
  }

  @Test
  void anUnknownKeyIdIsNamed(Vertx vertx) {
    String deployment = StoreTestSupport.deploy(vertx,
        StoreTestSupport.config(dataDir, "k9:" + StoreTestSupport.newKeyBase64()));
    storePassword(vertx, tenant);
    call(vertx, Store.TWILIO_ACCOUNT_PUT, new PutTwilioAccount(tenant, sid("AC"), new Secret("tok-unknown-kid")),
        Connector.class);
    await(vertx.undeploy(deployment));

    StoreTestSupport.deploy(vertx, StoreTestSupport.config(dataDir, "k1:" + k1));
    ServiceException sip = failure(vertx, Store.SIP_GET, new TenantRef(tenant));
    assertFailure(sip, 500, "VAULT_DECRYPT_FAILED");
    assertThat(sip.getMessage()).isEqualTo("cannot decrypt sipPassword of tenant " + tenant + ": unknown key id k9");
    ServiceException token = failure(vertx, Store.TWILIO_ACCOUNT_GET, new TenantRef(tenant));
    assertThat(token.getMessage())
        .isEqualTo("cannot decrypt twilioAuthToken of tenant " + tenant + ": unknown key id k9");
  }

  @Test
  void theWrongKeyUnderTheRightKeyIdFailsAuthentication(Vertx vertx) {
    String deployment = StoreTestSupport.deploy(vertx, StoreTestSupport.config(dataDir, "k1:" + k1));
    call(vertx, Store.RETELL_KEY_PUT, new PutRetellKey(tenant, new Secret("key_wrong_key_case")), Connector.class);
    await(vertx.undeploy(deployment));

    StoreTestSupport.deploy(vertx, StoreTestSupport.config(dataDir, "k1:" + StoreTestSupport.newKeyBase64()));
    ServiceException error = failure(vertx, Store.RETELL_KEY_GET, new TenantRef(tenant));
    assertFailure(error, 500, "VAULT_DECRYPT_FAILED");
    assertThat(error.getMessage()).startsWith("cannot decrypt retellApiKey of tenant " + tenant
        + ": authentication failed with key id k1");
  }

  @Test
  void anEnvelopeCopiedToAnotherTenantDoesNotDecryptThere(Vertx vertx) {
    StoreTestSupport.deploy(vertx, StoreTestSupport.config(dataDir, "k1:" + k1));
    String victim = newTenant();
    storePassword(vertx, tenant);
    storePassword(vertx, victim);
    withRaw(vertx, raw -> {
      Object envelope = ConnectorDocs.get(findTwilio(raw, tenant), SecretField.SIP_PASSWORD.path());
      await(raw.updateCollection("connectorsubaccount", key(victim), new JsonObject().put("$set",
          new JsonObject().put(SecretField.SIP_PASSWORD.path(), envelope))));
    });

    ServiceException error = failure(vertx, Store.SIP_GET, new TenantRef(victim));
    assertFailure(error, 500, "VAULT_DECRYPT_FAILED");
    assertThat(error.getMessage()).contains(victim).contains("sipPassword");
  }

  @Test
  void aStoredValueOfAnUnexpectedShapeIsAnErrorNotACrash(Vertx vertx) {
    StoreTestSupport.deploy(vertx, StoreTestSupport.config(dataDir, "k1:" + k1));
    storePassword(vertx, tenant);
    withRaw(vertx, raw -> await(raw.updateCollection("connectorsubaccount", key(tenant), new JsonObject().put("$set",
        new JsonObject().put(SecretField.SIP_PASSWORD.path(), 12345)))));

    ServiceException error = failure(vertx, Store.SIP_GET, new TenantRef(tenant));
    assertFailure(error, 500, "VAULT_DECRYPT_FAILED");
    assertThat(error.getMessage()).isEqualTo("cannot decrypt sipPassword of tenant " + tenant
        + ": the stored value is neither an envelope nor a legacy value");
  }

  private static void storePassword(Vertx vertx, String tenant) {
    call(vertx, Store.SIP_PENDING_PUT, new PutPendingSip(tenant, "tl_user", new Secret(PASSWORD), CredentialPurpose.SETUP, null),
        Connector.class);
    call(vertx, Store.SIP_PROMOTE, new PromoteSip(tenant, "tl_user", null), Connector.class);
  }

  private void withRaw(Vertx vertx, java.util.function.Consumer<MongoClient> action) {
    EmbeddedMongo server = StoreTestSupport.embedded(vertx, dataDir);
    MongoClient raw = StoreTestSupport.rawClient(vertx, server);
    try {
      action.accept(raw);
    } finally {
      await(raw.close());
      await(server.release());
    }
  }

  private static JsonObject findTwilio(MongoClient raw, String tenant) {
    return await(raw.findOne("connectorsubaccount", key(tenant), null));
  }

  private static JsonObject key(String tenant) {
    return new JsonObject().put("subaccountId", tenant).put("connectorType", "twilio");
  }
}
