package dev.trunkline.store;

import static dev.trunkline.contract.testing.Await.await;
import static dev.trunkline.store.StoreTestSupport.call;
import static dev.trunkline.store.StoreTestSupport.newTenant;
import static dev.trunkline.store.StoreTestSupport.sid;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trunkline.contract.Addresses.Store;
import dev.trunkline.contract.CredentialPurpose;
import dev.trunkline.contract.Secret;
import dev.trunkline.contract.StoreMessages.Connector;
import dev.trunkline.contract.StoreMessages.PromoteSip;
import dev.trunkline.contract.StoreMessages.PutPendingSip;
import dev.trunkline.contract.StoreMessages.PutRetellKey;
import dev.trunkline.contract.StoreMessages.PutTwilioAccount;
import dev.trunkline.contract.StoreMessages.RetellKey;
import dev.trunkline.contract.StoreMessages.RekeyVault;
import dev.trunkline.contract.StoreMessages.RekeyReport;
import dev.trunkline.contract.StoreMessages.SipCredentials;
import dev.trunkline.contract.StoreMessages.TwilioAccount;
import dev.trunkline.contract.TenantRef;
import dev.trunkline.contract.testing.LogCapture;
import dev.trunkline.contract.testing.OriginFormat;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.MongoClient;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Two keys: rotate everything to the new one, then drop the old one. */
@ExtendWith(VertxExtension.class)
class VaultRekeyTest {
  private static final String LEGACY_KEY = "origin-key-for-rotation";
  private static final int TENANTS = 5;

  @TempDir
  Path dataDir;
  private final String oldKey = "k1:" + StoreTestSupport.newKeyBase64();
  private final String newKey = "k2:" + StoreTestSupport.newKeyBase64();

  @Test
  void rotateEverythingToTheNewKeyThenRemoveTheOldOne(Vertx vertx) throws Exception {
    String deployment = StoreTestSupport.deploy(vertx, StoreTestSupport.config(dataDir, oldKey));
    List<String> tenants = new ArrayList<>();
    for (int i = 0; i < TENANTS; i++) {
      String tenant = newTenant();
      tenants.add(tenant);
      call(vertx, Store.TWILIO_ACCOUNT_PUT, new PutTwilioAccount(tenant, sid("AC"), new Secret("token-" + i)),
          Connector.class);
      call(vertx, Store.RETELL_KEY_PUT, new PutRetellKey(tenant, new Secret("retell-" + i)), Connector.class);
      call(vertx, Store.SIP_PENDING_PUT, new PutPendingSip(tenant, "user_" + i, new Secret("Pw-active-" + i), CredentialPurpose.SETUP,
          null), Connector.class);
      call(vertx, Store.SIP_PROMOTE, new PromoteSip(tenant, "user_" + i, null), Connector.class);
      call(vertx, Store.SIP_PENDING_PUT, new PutPendingSip(tenant, "next_" + i, new Secret("Pw-pending-" + i),
          CredentialPurpose.ROTATION, null), Connector.class);
    }
    await(vertx.undeploy(deployment));

    // An origin document (legacy ciphertext) and one the keyring cannot read are in the same collection.
    String legacyTenant = newTenant();
    String lostTenant = newTenant();
    OriginFormat.Encrypted origin = OriginFormat.encrypt(LEGACY_KEY, "Legacy-Pw-9");
    withRaw(vertx, raw -> {
      await(raw.insert("connectorsubaccount", LegacyAdoptionTest.originDoc(legacyTenant, new JsonObject()
          .put("username", "legacy_user").put("password", origin.hex()).put("passwordIV", origin.ivHex())
          .put("passwordAuthTag", origin.tagHex()))));
      await(raw.insert("connectorsubaccount", LegacyAdoptionTest.originDoc(lostTenant, new JsonObject()
          .put("username", "lost_user").put("password", new JsonObject().put("v", 1).put("kid", "k0")
              .put("iv", "AAAAAAAAAAAAAAAA").put("ct", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")))));
    });

    JsonObject rotating = StoreTestSupport.config(dataDir, newKey + "," + oldKey)
        .put("store", new JsonObject().put("rotationLogEvery", 3));
    rotating.getJsonObject("vault").put("legacyEncryptionKey", LEGACY_KEY);
    deployment = StoreTestSupport.deploy(vertx, rotating);
    RekeyReport report;
    List<String> logLines;
    try (LogCapture logs = LogCapture.start()) {
      report = call(vertx, Store.ADMIN_ROTATE_KEYS, new RekeyVault(2), RekeyReport.class);
      logLines = logs.lines();
    }
    long documents = TENANTS * 2L + 2;
    assertThat(report.scanned()).isEqualTo(documents);
    assertThat(report.reencrypted()).isEqualTo(TENANTS * 2L + 1);
    assertThat(report.alreadyCurrent()).isZero();
    assertThat(report.failed()).isEqualTo(1);
    assertThat(report.failures()).containsExactly(
        "cannot decrypt sipPassword of tenant " + lostTenant + ": unknown key id k0");
    assertThat(logLines).anyMatch(l -> l.contains("key rotation progress: 3 documents scanned"))
        .anyMatch(l -> l.contains("key rotation progress: 9 documents scanned"))
        .anyMatch(l -> l.contains("key rotation finished: " + documents + " documents scanned"));

    withRaw(vertx, raw -> {
      for (JsonObject doc : await(raw.find("connectorsubaccount", new JsonObject()))) {
        if (lostTenant.equals(doc.getString("subaccountId"))) {
          continue;
        }
        for (SecretField field : SecretField.values()) {
          Object value = ConnectorDocs.get(doc, field.path());
          if (value != null) {
            assertThat(value).as("%s of %s", field, doc.getString("subaccountId"))
                .isInstanceOfSatisfying(JsonObject.class, env -> assertThat(env.getString("kid")).isEqualTo("k2"));
          }
        }
        assertThat(ConnectorDocs.get(doc, SecretField.SIP_PASSWORD.path() + "IV")).isNull();
      }
    });

    RekeyReport again = call(vertx, Store.ADMIN_ROTATE_KEYS, new RekeyVault(null), RekeyReport.class);
    assertThat(again.reencrypted()).as("nothing left to do").isZero();
    assertThat(again.alreadyCurrent()).isEqualTo(documents - 1);
    assertThat(again.failed()).isEqualTo(1);
    await(vertx.undeploy(deployment));

    // The old key and the legacy key are gone; every secret still reads.
    StoreTestSupport.deploy(vertx, StoreTestSupport.config(dataDir, newKey));
    for (int i = 0; i < TENANTS; i++) {
      TenantRef ref = new TenantRef(tenants.get(i));
      assertThat(call(vertx, Store.TWILIO_ACCOUNT_GET, ref, TwilioAccount.class).authToken().reveal())
          .isEqualTo("token-" + i);
      assertThat(call(vertx, Store.RETELL_KEY_GET, ref, RetellKey.class).apiKey().reveal()).isEqualTo("retell-" + i);
      SipCredentials sip = call(vertx, Store.SIP_GET, ref, SipCredentials.class);
      assertThat(sip.password().reveal()).isEqualTo("Pw-active-" + i);
      assertThat(sip.pending().password().reveal()).isEqualTo("Pw-pending-" + i);
    }
    assertThat(call(vertx, Store.SIP_GET, new TenantRef(legacyTenant), SipCredentials.class).password().reveal())
        .isEqualTo("Legacy-Pw-9");
  }

  @Test
  void readingASecretUnderAnOldKeyReEncryptsIt(Vertx vertx) {
    String tenant = newTenant();
    String deployment = StoreTestSupport.deploy(vertx, StoreTestSupport.config(dataDir, oldKey));
    call(vertx, Store.RETELL_KEY_PUT, new PutRetellKey(tenant, new Secret("retell-read-path")), Connector.class);
    await(vertx.undeploy(deployment));

    StoreTestSupport.deploy(vertx, StoreTestSupport.config(dataDir, newKey + "," + oldKey));
    assertThat(kidOfRetellKey(vertx, tenant)).isEqualTo("k1");
    assertThat(call(vertx, Store.RETELL_KEY_GET, new TenantRef(tenant), RetellKey.class).apiKey().reveal())
        .isEqualTo("retell-read-path");
    assertThat(kidOfRetellKey(vertx, tenant)).isEqualTo("k2");
  }

  @Test
  void thePlainJavaEntryForTheCliRotatesAndReports(Vertx vertx) {
    String tenant = newTenant();
    String deployment = StoreTestSupport.deploy(vertx, StoreTestSupport.config(dataDir, oldKey));
    call(vertx, Store.RETELL_KEY_PUT, new PutRetellKey(tenant, new Secret("retell-cli")), Connector.class);
    await(vertx.undeploy(deployment));

    RekeyReport report = await(VaultRekeyCommand.run(vertx,
        StoreTestSupport.config(dataDir, newKey + "," + oldKey), 10, 60_000));
    assertThat(report.scanned()).isEqualTo(1);
    assertThat(report.reencrypted()).isEqualTo(1);
    assertThat(vertx.deploymentIDs()).as("the command undeploys what it deployed").isEmpty();
    assertThat(kidOfRetellKey(vertx, tenant)).isEqualTo("k2");
  }

  private String kidOfRetellKey(Vertx vertx, String tenant) {
    String[] kid = new String[1];
    withRaw(vertx, raw -> kid[0] = ConnectorDocs.getString(await(raw.findOne("connectorsubaccount",
        new JsonObject().put("subaccountId", tenant).put("connectorType", "retell"), null)), "config.apiKey.kid"));
    return kid[0];
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
}
