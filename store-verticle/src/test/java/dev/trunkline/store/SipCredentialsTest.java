package dev.trunkline.store;

import static dev.trunkline.contract.testing.SecretAssertions.assertNoSecret;
import static dev.trunkline.contract.testing.Await.await;
import static dev.trunkline.store.StoreTestSupport.assertFailure;
import static dev.trunkline.store.StoreTestSupport.call;
import static dev.trunkline.store.StoreTestSupport.callRaw;
import static dev.trunkline.store.StoreTestSupport.failure;
import static dev.trunkline.store.StoreTestSupport.newTenant;
import static dev.trunkline.store.StoreTestSupport.sid;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trunkline.contract.Addresses.Store;
import dev.trunkline.contract.CredentialPurpose;
import dev.trunkline.contract.Secret;
import dev.trunkline.contract.StoreMessages.Connector;
import dev.trunkline.contract.StoreMessages.PasswordState;
import dev.trunkline.contract.StoreMessages.PromoteSip;
import dev.trunkline.contract.StoreMessages.PutPendingSip;
import dev.trunkline.contract.StoreMessages.PutTrunk;
import dev.trunkline.contract.StoreMessages.SipCredentials;
import dev.trunkline.contract.StoreMessages.Trunk;
import dev.trunkline.contract.TenantRef;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.MongoClient;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The write-ahead SIP credential flow: pending.put, promote, get. */
@ExtendWith(VertxExtension.class)
class SipCredentialsTest {
  private static final String PASSWORD = "Gx7kQ2mPz9Lw4Rt";
  private static final String NEXT_PASSWORD = "Hb3nV8cXs1Jd6Kq";

  @TempDir
  Path dataDir;
  private final String tenant = newTenant();
  private final String termination = "tl-" + tenant + ".pstn.twilio.com";

  @BeforeEach
  void deploy(Vertx vertx) {
    StoreTestSupport.deploy(vertx, StoreTestSupport.config(dataDir, "k1:" + StoreTestSupport.newKeyBase64()));
  }

  @Test
  void aPendingCredentialIsKeptApartUntilPromoted(Vertx vertx) {
    call(vertx, Store.TRUNK_PUT, new PutTrunk(tenant, Trunk.builder().trunkSid(sid("TK")).terminationUri(termination)
        .credentialListSid(sid("CL")).build(), null), Connector.class);
    String credentialSid = sid("CR");

    JsonObject pendingReply = callRaw(vertx, Store.SIP_PENDING_PUT,
        new PutPendingSip(tenant, "tl_user", new Secret(PASSWORD), CredentialPurpose.SETUP, null));
    assertNoSecret("the reply to sip.pending.put", pendingReply.encode(), "the SIP password", PASSWORD);
    assertThat(pendingReply.getString("passwordState")).isEqualTo("PENDING");

    SipCredentials pending = call(vertx, Store.SIP_GET, new TenantRef(tenant), SipCredentials.class);
    assertThat(pending.passwordState()).isEqualTo(PasswordState.PENDING);
    assertThat(pending.username()).as("nothing active yet").isNull();
    assertThat(pending.password()).isNull();
    assertThat(pending.pending().username()).isEqualTo("tl_user");
    assertThat(pending.pending().password().reveal()).isEqualTo(PASSWORD);
    assertThat(pending.pending().purpose()).isEqualTo(CredentialPurpose.SETUP);
    assertThat(pending.pending().createdAt()).isPositive();
    assertThat(pending.terminationUri()).isEqualTo(termination);
    assertThat(pending.transport()).isEqualTo("TCP");

    Connector promoted = call(vertx, Store.SIP_PROMOTE, new PromoteSip(tenant, "tl_user", credentialSid),
        Connector.class);
    assertThat(promoted.passwordState()).isEqualTo(PasswordState.KNOWN);
    assertThat(promoted.trunk().credentialSid()).isEqualTo(credentialSid);
    assertThat(promoted.trunk().username()).isEqualTo("tl_user");

    SipCredentials active = call(vertx, Store.SIP_GET, new TenantRef(tenant), SipCredentials.class);
    assertThat(active.passwordState()).isEqualTo(PasswordState.KNOWN);
    assertThat(active.username()).isEqualTo("tl_user");
    assertThat(active.password().reveal()).isEqualTo(PASSWORD);
    assertThat(active.pending()).isNull();

    // A retried promote (the caller crashed before it saw the reply) succeeds without change.
    Connector again = call(vertx, Store.SIP_PROMOTE, new PromoteSip(tenant, "tl_user", credentialSid),
        Connector.class);
    assertThat(again.version()).isEqualTo(promoted.version());
  }

  @Test
  void rotationKeepsTheOldCredentialUntilPromotionAndRecordsItAsPrevious(Vertx vertx) {
    String first = sid("CR");
    call(vertx, Store.SIP_PENDING_PUT, new PutPendingSip(tenant, "tl_user", new Secret(PASSWORD), CredentialPurpose.SETUP, first),
        Connector.class);
    call(vertx, Store.SIP_PROMOTE, new PromoteSip(tenant, "tl_user", null), Connector.class);

    String second = sid("CR");
    call(vertx, Store.SIP_PENDING_PUT,
        new PutPendingSip(tenant, "tl_user2", new Secret(NEXT_PASSWORD), CredentialPurpose.ROTATION, second), Connector.class);
    SipCredentials during = call(vertx, Store.SIP_GET, new TenantRef(tenant), SipCredentials.class);
    assertThat(during.passwordState()).isEqualTo(PasswordState.PENDING);
    assertThat(during.password().reveal()).as("the active one is still usable").isEqualTo(PASSWORD);
    assertThat(during.pending().password().reveal()).isEqualTo(NEXT_PASSWORD);
    assertThat(during.pending().credentialSid()).isEqualTo(second);
    // The secret-free connector names the open rotation (for the audit), never its password.
    JsonObject connector = callRaw(vertx, Store.CONNECTOR_GET, new TenantRef(tenant));
    assertThat(connector.getJsonObject("pending").getMap()).containsEntry("username", "tl_user2")
        .containsEntry("purpose", "rotation").containsEntry("credentialSid", second).containsKey("createdAt")
        .doesNotContainKey("password");
    assertThat(connector.encode()).doesNotContain(NEXT_PASSWORD).doesNotContain(PASSWORD);

    Connector rotated = call(vertx, Store.SIP_PROMOTE, new PromoteSip(tenant, "tl_user2", null), Connector.class);
    assertThat(rotated.pending()).isNull();
    assertThat(rotated.trunk().credentialSid()).isEqualTo(second);
    assertThat(rotated.trunk().previousCredentialSid()).isEqualTo(first);
    SipCredentials after = call(vertx, Store.SIP_GET, new TenantRef(tenant), SipCredentials.class);
    assertThat(after.username()).isEqualTo("tl_user2");
    assertThat(after.password().reveal()).isEqualTo(NEXT_PASSWORD);
  }

  @Test
  void promotingAnotherUsernameOrNothingIsAConflict(Vertx vertx) {
    call(vertx, Store.SIP_PENDING_PUT, new PutPendingSip(tenant, "tl_user", new Secret(PASSWORD), CredentialPurpose.SETUP, null),
        Connector.class);
    assertFailure(failure(vertx, Store.SIP_PROMOTE, new PromoteSip(tenant, "someone_else", null)),
        409, "SIP_PENDING_MISMATCH");
    SipCredentials still = call(vertx, Store.SIP_GET, new TenantRef(tenant), SipCredentials.class);
    assertThat(still.passwordState()).isEqualTo(PasswordState.PENDING);

    call(vertx, Store.SIP_PROMOTE, new PromoteSip(tenant, "tl_user", null), Connector.class);
    assertFailure(failure(vertx, Store.SIP_PROMOTE, new PromoteSip(tenant, "other_user", null)),
        409, "SIP_NO_PENDING");
    assertFailure(failure(vertx, Store.SIP_PROMOTE, new PromoteSip(newTenant(), "tl_user", null)),
        404, "CONNECTOR_NOT_FOUND");
  }

  @Test
  void pendingRequestsAreChecked(Vertx vertx) {
    assertFailure(failure(vertx, Store.SIP_PENDING_PUT,
        new PutPendingSip(tenant, "tl_user", new Secret(""), CredentialPurpose.SETUP, null)), 400, "INVALID_PASSWORD");
    assertFailure(failure(vertx, Store.SIP_PENDING_PUT,
        new PutPendingSip(tenant, "u".repeat(33), new Secret(PASSWORD), CredentialPurpose.SETUP, null)), 400, "INVALID_USERNAME");
    // The purpose is an enum in the contract; a sender that writes another word on the bus gets the store's code.
    assertFailure(failure(vertx, Store.SIP_PENDING_PUT, new JsonObject().put("subaccountId", tenant)
        .put("username", "tl_user").put("password", PASSWORD).put("purpose", "whatever")), 400, "INVALID_PURPOSE");
    assertFailure(failure(vertx, Store.SIP_PENDING_PUT,
        new PutPendingSip(tenant, "tl_user", new Secret(PASSWORD), CredentialPurpose.SETUP, "CR1")), 400, "INVALID_CREDENTIAL_SID");
  }

  /**
   * The purpose is stored as the word it always was: a connector written with {@code "rotation"} (by this version or
   * an earlier one, which had no enum) reads back as {@link CredentialPurpose#ROTATION}.
   */
  @Test
  void aPurposeStoredAsAWordReadsBackAsTheEnum(Vertx vertx) {
    call(vertx, Store.SIP_PENDING_PUT, new PutPendingSip(tenant, "tl_user", new Secret(PASSWORD),
        CredentialPurpose.SETUP, null), Connector.class);
    EmbeddedMongo server = StoreTestSupport.embedded(vertx, dataDir);
    MongoClient raw = StoreTestSupport.rawClient(vertx, server);
    try {
      JsonObject filter = ConnectorDocs.key(tenant, ConnectorDocs.TWILIO);
      JsonObject stored = await(raw.findOne(ConnectorDocs.COLLECTION, filter, null));
      assertThat(ConnectorDocs.get(stored, ConnectorDocs.PENDING + ".purpose")).isEqualTo("setup");
      // As an earlier version wrote a rotation's pending credential: a plain string field.
      await(raw.updateCollection(ConnectorDocs.COLLECTION, filter, new JsonObject().put("$set",
          new JsonObject().put(ConnectorDocs.PENDING + ".purpose", "rotation"))));
    } finally {
      raw.close();
      await(server.release());
    }
    SipCredentials read = call(vertx, Store.SIP_GET, new TenantRef(tenant), SipCredentials.class);
    assertThat(read.pending().purpose()).isEqualTo(CredentialPurpose.ROTATION);
    assertThat(call(vertx, Store.CONNECTOR_GET, new TenantRef(tenant), Connector.class).pending().purpose())
        .isEqualTo(CredentialPurpose.ROTATION);
  }

  @Test
  void aTenantWithATrunkButNoCredentialHasPasswordStateNone(Vertx vertx) {
    call(vertx, Store.TRUNK_PUT, new PutTrunk(tenant, Trunk.builder().trunkSid(sid("TK")).terminationUri(termination)
        .build(), null), Connector.class);
    SipCredentials none = call(vertx, Store.SIP_GET, new TenantRef(tenant), SipCredentials.class);
    assertThat(none.passwordState()).isEqualTo(PasswordState.NONE);
    assertThat(none.username()).isNull();
    assertThat(none.password()).isNull();
    assertThat(none.terminationUri()).isEqualTo(termination);
  }
}
