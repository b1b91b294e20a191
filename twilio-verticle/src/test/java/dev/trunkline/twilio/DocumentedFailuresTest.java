package dev.trunkline.twilio;

import static dev.trunkline.twilio.TwilioTestEnv.assertFailure;
import static dev.trunkline.twilio.TwilioTestEnv.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trunkline.contract.Addresses;
import dev.trunkline.contract.CredentialPurpose;
import dev.trunkline.contract.Secret;
import dev.trunkline.contract.StoreMessages.PutPendingSip;
import dev.trunkline.contract.TenantRef;
import dev.trunkline.contract.TwilioMessages.EnsureTrunk;
import dev.trunkline.contract.TwilioMessages.FinishCredentialRotation;
import dev.trunkline.contract.TwilioMessages.SearchNumbers;
import dev.trunkline.contract.TwilioMessages.TrunkInfo;
import dev.trunkline.store.EmbeddedMongo;
import dev.trunkline.twilio.TwilioTestEnv.Tenant;
import dev.trunkline.twilio.client.Resources.Credential;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.MongoClient;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The failure codes of docs/event-bus.md (Twilio service) that no other test produced: the regulatory SIDs and
 * the search's {@code contains} checks, a rotation refused while a setup is half done, a finish for a credential no
 * rotation began with, and a tenant whose stored Twilio account cannot be used.
 */
@ExtendWith(VertxExtension.class)
class DocumentedFailuresTest {
  private static TwilioTestEnv env;

  @BeforeAll
  static void start(Vertx vertx) {
    // One test adopts an origin record whose secrets are plain text, as an operator adopting origin data does.
    env = TwilioTestEnv.startWith(vertx, null,
        new JsonObject().put("vault", new JsonObject().put("adoptLegacyPlaintext", true)));
  }

  @AfterAll
  static void stop() {
    env.stop();
  }

  private static TrunkInfo setUp(Tenant t) {
    return env.call(Addresses.Twilio.TRUNK_ENSURE, new EnsureTrunk(t.subaccountId(), null, null, null),
        TrunkInfo.class);
  }

  @Test
  void malformedRegulatorySidsAndSearchPatternsAreRefusedBeforeTwilioIsCalled() {
    Tenant t = env.newTenant();
    long before = env.sim.requests().total();
    String address = "AD" + "1".repeat(32);
    assertFailure(env.failure(Addresses.Twilio.TRUNK_ENSURE, new EnsureTrunk(t.subaccountId(), address,
        "BU" + "1".repeat(32), null)), 400, "INVALID_EMERGENCY_ADDRESS_SID");
    assertFailure(env.failure(Addresses.Twilio.TRUNK_ENSURE, new EnsureTrunk(t.subaccountId(), address, address,
        "AD" + "1".repeat(32))), 400, "INVALID_BUNDLE_SID");
    assertFailure(env.failure(Addresses.Twilio.NUMBERS_SEARCH, new SearchNumbers(t.subaccountId(), "US", null,
        "5", null, null)), 400, "INVALID_CONTAINS");
    assertFailure(env.failure(Addresses.Twilio.NUMBERS_SEARCH, new SearchNumbers(t.subaccountId(), "US", null,
        "55-01", null, null)), 400, "INVALID_CONTAINS");
    assertThat(env.sim.requests().total()).as("Twilio requests").isEqualTo(before);
    assertThat(env.sim.trunks(t.accountSid())).isEmpty();
  }

  @Test
  void aRotationIsRefusedWhileASetupsWrittenAheadPasswordIsOpen() {
    Tenant t = env.newTenant();
    TrunkInfo trunk = setUp(t);
    // What a setup that wrote its new password ahead and then stopped leaves behind.
    env.call(Addresses.Store.SIP_PENDING_PUT, new PutPendingSip(t.subaccountId(), trunk.username(),
        new Secret("Written-Ahead-Pw-42"), CredentialPurpose.SETUP, null), JsonObject.class);
    assertFailure(env.failure(Addresses.Twilio.CREDENTIAL_ROTATE_BEGIN, new TenantRef(t.subaccountId())), 409,
        "SETUP_INCOMPLETE");
    assertThat(env.sim.credentialLists(t.accountSid())).singleElement()
        .satisfies(list -> assertThat(list.getJsonArray("credentials")).hasSize(1));
    assertThat(env.sip(t).pending().purpose()).isEqualTo(CredentialPurpose.SETUP);
  }

  @Test
  void finishingIntoACredentialNoRotationBeganWithIsRefused() {
    Tenant t = env.newTenant();
    TrunkInfo trunk = setUp(t);
    // Someone added a credential to the list in Twilio's console.
    Credential added = await(env.api.createCredential(t.auth(), trunk.credentialListSid(), "console_user",
        new Secret("Console-Added-Pw-7")));
    assertFailure(env.failure(Addresses.Twilio.CREDENTIAL_ROTATE_FINISH,
        new FinishCredentialRotation(t.subaccountId(), added.sid())), 409, "ROTATION_NOT_STARTED");
    // Nothing was promoted or deleted.
    assertThat(env.connector(t).trunk().username()).isEqualTo(trunk.username());
    assertThat(env.sim.credentialLists(t.accountSid())).singleElement()
        .satisfies(list -> assertThat(list.getJsonArray("credentials")).hasSize(2));
  }

  @Test
  void aStoredAccountWithAMalformedSidIsNotConnected() {
    // An origin record (adopted as it is) whose account SID is not one: the store hands it out, Twilio cannot
    // be called with it.
    String tenant = TwilioTestEnv.newSubaccountId();
    EmbeddedMongo server = await(EmbeddedMongo.acquire(env.vertx, env.config.getString("dataDir")));
    MongoClient raw = MongoClient.create(env.vertx, new JsonObject()
        .put("connection_string", server.connectionString()).put("db_name", "trunkline"));
    try {
      await(raw.insert("connectorsubaccount", new JsonObject().put("subaccountId", tenant)
          .put("connectorType", "twilio")
          .put("config", new JsonObject().put("accountSid", "AC-not-a-sid").put("authToken", "origin-token-123"))));
    } finally {
      await(raw.close());
      await(server.release());
    }
    long before = env.sim.requests().total();
    assertFailure(env.failure(Addresses.Twilio.TRUNK_ENSURE, new EnsureTrunk(tenant, null, null, null)), 409,
        "TWILIO_NOT_CONNECTED");
    assertFailure(env.failure(Addresses.Twilio.TRUNK_STATUS, new TenantRef(tenant)), 409, "TWILIO_NOT_CONNECTED");
    assertThat(env.sim.requests().total()).as("Twilio requests").isEqualTo(before);
  }
}
