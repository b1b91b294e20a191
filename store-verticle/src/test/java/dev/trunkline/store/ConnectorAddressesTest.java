package dev.trunkline.store;

import static dev.trunkline.contract.testing.SecretAssertions.assertNoSecret;
import static dev.trunkline.contract.testing.SecretAssertions.assertNoSecrets;
import static dev.trunkline.contract.testing.SecretAssertions.secrets;
import static dev.trunkline.store.StoreTestSupport.assertFailure;
import static dev.trunkline.store.StoreTestSupport.call;
import static dev.trunkline.store.StoreTestSupport.callRaw;
import static dev.trunkline.store.StoreTestSupport.failure;
import static dev.trunkline.store.StoreTestSupport.newTenant;
import static dev.trunkline.store.StoreTestSupport.sid;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trunkline.contract.Addresses.Store;
import dev.trunkline.contract.Secret;
import dev.trunkline.contract.StoreMessages.Connector;
import dev.trunkline.contract.StoreMessages.PasswordState;
import dev.trunkline.contract.StoreMessages.PingReply;
import dev.trunkline.contract.StoreMessages.PutRetellKey;
import dev.trunkline.contract.StoreMessages.PutTrunk;
import dev.trunkline.contract.StoreMessages.PutTwilioAccount;
import dev.trunkline.contract.StoreMessages.RetellKey;
import dev.trunkline.contract.StoreMessages.Trunk;
import dev.trunkline.contract.StoreMessages.TwilioAccount;
import dev.trunkline.contract.TenantRef;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Tenant connector addresses over the bus, against the embedded server over a socket. */
@ExtendWith(VertxExtension.class)
class ConnectorAddressesTest {
  private static final String AUTH_TOKEN = "0123456789abcdef0123456789abcdef";
  private static final String RETELL_KEY = "key_7f3e9a1b2c4d5e6f";

  @TempDir
  Path dataDir;
  private final String tenant = newTenant();
  private final String accountSid = sid("AC");

  @BeforeEach
  void deploy(Vertx vertx) {
    StoreTestSupport.deploy(vertx, StoreTestSupport.config(dataDir, "k1:" + StoreTestSupport.newKeyBase64()));
  }

  @Test
  void pingAnswersAfterARoundTripToTheDatabase(Vertx vertx) {
    PingReply ping = call(vertx, Store.PING, new JsonObject(), PingReply.class);
    assertThat(ping.ok()).isTrue();
    assertThat(ping.backend()).isEqualTo("embedded");
  }

  @Test
  void anUnknownTenantHasNoConnector(Vertx vertx) {
    assertFailure(failure(vertx, Store.CONNECTOR_GET, new TenantRef(tenant)), 404, "CONNECTOR_NOT_FOUND");
    assertFailure(failure(vertx, Store.TWILIO_ACCOUNT_GET, new TenantRef(tenant)), 404, "TWILIO_ACCOUNT_NOT_FOUND");
    assertFailure(failure(vertx, Store.RETELL_KEY_GET, new TenantRef(tenant)), 404, "RETELL_KEY_NOT_FOUND");
    assertFailure(failure(vertx, Store.SIP_GET, new TenantRef(tenant)), 404, "CONNECTOR_NOT_FOUND");
    assertFailure(failure(vertx, Store.TRUNK_DELETE, new TenantRef(tenant)), 404, "CONNECTOR_NOT_FOUND");
  }

  @Test
  void twilioAccountRoundTripsAndTheConnectorCarriesNoSecret(Vertx vertx) {
    JsonObject put = callRaw(vertx, Store.TWILIO_ACCOUNT_PUT,
        new PutTwilioAccount(tenant, accountSid, new Secret(AUTH_TOKEN)));
    assertNoSecret("the reply to twilio-account.put", put.encode(), "the auth token", AUTH_TOKEN);
    assertThat(put.getString("twilioAccountSid")).isEqualTo(accountSid);
    assertThat(put.getBoolean("twilioConnected")).isTrue();
    assertThat(put.getLong("version")).isEqualTo(1L);

    TwilioAccount account = call(vertx, Store.TWILIO_ACCOUNT_GET, new TenantRef(tenant), TwilioAccount.class);
    assertThat(account.accountSid()).isEqualTo(accountSid);
    assertThat(account.authToken().reveal()).isEqualTo(AUTH_TOKEN);

    String newToken = "fedcba9876543210fedcba9876543210";
    Connector replaced = call(vertx, Store.TWILIO_ACCOUNT_PUT,
        new PutTwilioAccount(tenant, accountSid, new Secret(newToken)), Connector.class);
    assertThat(replaced.version()).isEqualTo(2L);
    assertThat(call(vertx, Store.TWILIO_ACCOUNT_GET, new TenantRef(tenant), TwilioAccount.class).authToken().reveal())
        .isEqualTo(newToken);

    JsonObject connector = callRaw(vertx, Store.CONNECTOR_GET, new TenantRef(tenant));
    assertNoSecrets("the connector", connector.encode(),
        secrets("the first auth token", AUTH_TOKEN, "the new auth token", newToken));
    assertThat(connector.getBoolean("retellKeyPresent")).isFalse();
    assertThat(connector.getString("passwordState")).isEqualTo("NONE");
  }

  @Test
  void retellKeyRoundTripsAndShowsOnlyAsPresent(Vertx vertx) {
    JsonObject put = callRaw(vertx, Store.RETELL_KEY_PUT, new PutRetellKey(tenant, new Secret(RETELL_KEY)));
    assertNoSecret("the reply to retell-key.put", put.encode(), "the Retell key", RETELL_KEY);
    assertThat(put.getBoolean("retellKeyPresent")).isTrue();
    assertThat(put.getBoolean("twilioConnected")).isFalse();

    RetellKey key = call(vertx, Store.RETELL_KEY_GET, new TenantRef(tenant), RetellKey.class);
    assertThat(key.apiKey().reveal()).isEqualTo(RETELL_KEY);
    assertNoSecret("RetellKey.toString()", key.toString(), "the Retell key", RETELL_KEY);
  }

  @Test
  void badRequestsAre400sThatNameTheField(Vertx vertx) {
    assertFailure(failure(vertx, Store.CONNECTOR_GET, new TenantRef("not-a-tenant")), 400, "INVALID_SUBACCOUNT_ID");
    assertFailure(failure(vertx, Store.TWILIO_ACCOUNT_PUT, new PutTwilioAccount(tenant, "AC123", new Secret("x"))),
        400, "INVALID_ACCOUNT_SID");
    assertFailure(failure(vertx, Store.TWILIO_ACCOUNT_PUT, new PutTwilioAccount(tenant, accountSid, null)),
        400, "INVALID_AUTH_TOKEN");
    assertFailure(failure(vertx, Store.RETELL_KEY_PUT, new PutRetellKey(tenant, new Secret(" "))),
        400, "INVALID_API_KEY");
    assertFailure(failure(vertx, Store.TRUNK_PUT, new PutTrunk(tenant, trunk("XX1", null, null), null)),
        400, "INVALID_TRUNK_SID");
    assertFailure(failure(vertx, Store.TRUNK_PUT, new PutTrunk(tenant, null, null)), 400, "INVALID_TRUNK");
    assertFailure(failure(vertx, Store.TRUNK_PUT, new PutTrunk(tenant, trunk(null, null, null), -1L)),
        400, "INVALID_EXPECTED_VERSION");
    assertFailure(failure(vertx, Store.CONNECTOR_GET, new JsonObject().put("subaccountId", new JsonObject().put("a", 1))), 400,
        "BAD_MESSAGE");
  }

  @Test
  void trunkPutMergesNonNullFieldsAndClearsEmptyOnes(Vertx vertx) {
    String trunkSid = sid("TK");
    Connector first = call(vertx, Store.TRUNK_PUT, new PutTrunk(tenant,
        Trunk.builder().trunkSid(trunkSid).friendlyName("trunkline-" + tenant)
            .domainName("tl-" + tenant + ".pstn.twilio.com").terminationUri("tl-" + tenant + ".pstn.twilio.com")
            .credentialListSid(sid("CL")).build(), null),
        Connector.class);
    assertThat(first.version()).isEqualTo(1L);
    assertThat(first.trunk().trunkSid()).isEqualTo(trunkSid);

    String credentialSid = sid("CR");
    String previous = sid("CR");
    Connector merged = call(vertx, Store.TRUNK_PUT, new PutTrunk(tenant,
        Trunk.builder().credentialSid(credentialSid).previousCredentialSid(previous).originationUrlSid(sid("OU"))
            .username("tl_user").build(),
        1L), Connector.class);
    assertThat(merged.version()).isEqualTo(2L);
    assertThat(merged.trunk().trunkSid()).as("kept").isEqualTo(trunkSid);
    assertThat(merged.trunk().friendlyName()).isEqualTo("trunkline-" + tenant);
    assertThat(merged.trunk().credentialSid()).isEqualTo(credentialSid);
    assertThat(merged.trunk().previousCredentialSid()).isEqualTo(previous);
    assertThat(merged.trunk().username()).isEqualTo("tl_user");
    assertThat(merged.passwordState()).as("a username without a password").isEqualTo(PasswordState.UNKNOWN);

    Connector cleared = call(vertx, Store.TRUNK_PUT, new PutTrunk(tenant,
        Trunk.builder().previousCredentialSid("").build(), null), Connector.class);
    assertThat(cleared.trunk().previousCredentialSid()).isNull();
    assertThat(cleared.trunk().credentialSid()).isEqualTo(credentialSid);
    assertThat(call(vertx, Store.CONNECTOR_GET, new TenantRef(tenant), Connector.class)).isEqualTo(cleared);
  }

  @Test
  void trunkPutWithAStaleExpectedVersionIsAConflictAndChangesNothing(Vertx vertx) {
    String trunkSid = sid("TK");
    call(vertx, Store.TRUNK_PUT, new PutTrunk(tenant, trunk(trunkSid, null, null), 0L), Connector.class);
    assertFailure(failure(vertx, Store.TRUNK_PUT, new PutTrunk(tenant, trunk(sid("TK"), null, null), 0L)),
        409, "VERSION_CONFLICT");
    assertFailure(failure(vertx, Store.TRUNK_PUT, new PutTrunk(tenant, trunk(sid("TK"), null, null), 7L)),
        409, "VERSION_CONFLICT");
    Connector now = call(vertx, Store.CONNECTOR_GET, new TenantRef(tenant), Connector.class);
    assertThat(now.trunk().trunkSid()).isEqualTo(trunkSid);
    assertThat(now.version()).isEqualTo(1L);
    String other = newTenant();
    assertFailure(failure(vertx, Store.TRUNK_PUT, new PutTrunk(other, trunk(trunkSid, null, null), 3L)),
        404, "CONNECTOR_NOT_FOUND");
  }

  @Test
  void trunkPutNeverReplacesAStoredSipUsername(Vertx vertx) {
    call(vertx, Store.TRUNK_PUT, new PutTrunk(tenant, trunk(sid("TK"), "first_user", null), null), Connector.class);
    assertFailure(failure(vertx, Store.TRUNK_PUT, new PutTrunk(tenant, trunk(null, "second_user", null), null)),
        409, "SIP_USERNAME_MISMATCH");
    Connector same = call(vertx, Store.TRUNK_PUT, new PutTrunk(tenant, trunk(null, "first_user", sid("CL")), null),
        Connector.class);
    assertThat(same.trunk().username()).isEqualTo("first_user");
    assertThat(same.trunk().credentialListSid()).isNotNull();
  }

  @Test
  void trunkDeleteRemovesTrunkAndCredentialsButKeepsTheAccount(Vertx vertx) {
    call(vertx, Store.TWILIO_ACCOUNT_PUT, new PutTwilioAccount(tenant, accountSid, new Secret(AUTH_TOKEN)),
        Connector.class);
    call(vertx, Store.TRUNK_PUT, new PutTrunk(tenant, trunk(sid("TK"), "tl_user", sid("CL")), null), Connector.class);

    Connector deleted = call(vertx, Store.TRUNK_DELETE, new TenantRef(tenant), Connector.class);
    assertThat(deleted.trunk()).isNull();
    assertThat(deleted.passwordState()).isEqualTo(PasswordState.NONE);
    assertThat(deleted.twilioConnected()).isTrue();
    assertThat(call(vertx, Store.TWILIO_ACCOUNT_GET, new TenantRef(tenant), TwilioAccount.class).authToken().reveal())
        .isEqualTo(AUTH_TOKEN);
  }

  private static Trunk trunk(String trunkSid, String username, String credentialListSid) {
    return Trunk.builder().trunkSid(trunkSid).credentialListSid(credentialListSid).username(username).build();
  }
}
