package dev.trunkline.store;

import static dev.trunkline.contract.testing.Await.await;
import static dev.trunkline.contract.testing.SecretAssertions.assertNoSecret;
import static dev.trunkline.store.StoreTestSupport.call;
import static dev.trunkline.store.StoreTestSupport.newTenant;
import static dev.trunkline.store.StoreTestSupport.sid;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trunkline.contract.Addresses.Store;
import dev.trunkline.contract.Bus;
import dev.trunkline.contract.CredentialPurpose;
import dev.trunkline.contract.Secret;
import dev.trunkline.contract.ServiceException;
import dev.trunkline.contract.StoreMessages.Connector;
import dev.trunkline.contract.TenantNumber;
import dev.trunkline.contract.StoreMessages.PasswordState;
import dev.trunkline.contract.StoreMessages.PhoneNumber;
import dev.trunkline.contract.StoreMessages.PingReply;
import dev.trunkline.contract.StoreMessages.PromoteSip;
import dev.trunkline.contract.StoreMessages.PutPendingSip;
import dev.trunkline.contract.StoreMessages.PutTwilioAccount;
import dev.trunkline.contract.StoreMessages.RetellStatus;
import dev.trunkline.contract.StoreMessages.SipCredentials;
import dev.trunkline.contract.StoreMessages.TwilioAccount;
import dev.trunkline.contract.TenantRef;
import dev.trunkline.contract.testing.FreePorts;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Start, stop, restart, configuration errors and the MongoDB-URI code path. */
@ExtendWith(VertxExtension.class)
class LifecycleTest {
  @TempDir
  Path dataDir;
  private final String keys = "k1:" + StoreTestSupport.newKeyBase64();

  @Test
  void dataSurvivesUndeployAndRedeployOnTheSameDataDir(Vertx vertx) {
    String tenant = newTenant();
    String accountSid = sid("AC");
    String deployment = StoreTestSupport.deploy(vertx, StoreTestSupport.config(dataDir, keys));
    call(vertx, Store.TWILIO_ACCOUNT_PUT, new PutTwilioAccount(tenant, accountSid, new Secret("tok-123456789")),
        Connector.class);
    call(vertx, Store.SIP_PENDING_PUT, new PutPendingSip(tenant, "tl_user", new Secret("Pw-Persist-42x"), CredentialPurpose.SETUP,
        null), Connector.class);
    call(vertx, Store.SIP_PROMOTE, new PromoteSip(tenant, "tl_user", null), Connector.class);
    call(vertx, Store.NUMBER_SAVE, new PhoneNumber(tenant, "+14155550123", null, null, RetellStatus.IMPORTED, null,
        0, 0), PhoneNumber.class);
    await(vertx.undeploy(deployment));
    assertThat(dataDir.resolve("store.mv")).exists();

    StoreTestSupport.deploy(vertx, StoreTestSupport.config(dataDir, keys));
    TwilioAccount account = call(vertx, Store.TWILIO_ACCOUNT_GET, new TenantRef(tenant), TwilioAccount.class);
    assertThat(account.accountSid()).isEqualTo(accountSid);
    assertThat(account.authToken().reveal()).isEqualTo("tok-123456789");
    SipCredentials sip = call(vertx, Store.SIP_GET, new TenantRef(tenant), SipCredentials.class);
    assertThat(sip.passwordState()).isEqualTo(PasswordState.KNOWN);
    assertThat(sip.password().reveal()).isEqualTo("Pw-Persist-42x");
    assertThat(call(vertx, Store.NUMBER_GET, new TenantNumber(tenant, "+14155550123"), PhoneNumber.class)
        .retellStatus()).isEqualTo(RetellStatus.IMPORTED);
  }

  @Test
  void dataSurvivesAWholeNewVertxInstance(@TempDir Path dir) throws Exception {
    String tenant = newTenant();
    Vertx first = Vertx.vertx();
    try {
      await(first.deployVerticle(new StoreVerticle(), new DeploymentOptions().setConfig(StoreTestSupport.config(dir,
          keys))));
      call(first, Store.TWILIO_ACCOUNT_PUT, new PutTwilioAccount(tenant, sid("AC"), new Secret("tok-abcdefgh")),
          Connector.class);
    } finally {
      first.close().await(20, TimeUnit.SECONDS);
    }
    Vertx second = Vertx.vertx();
    try {
      await(second.deployVerticle(new StoreVerticle(), new DeploymentOptions().setConfig(StoreTestSupport.config(dir,
          keys))));
      assertThat(call(second, Store.TWILIO_ACCOUNT_GET, new TenantRef(tenant), TwilioAccount.class).authToken()
          .reveal()).isEqualTo("tok-abcdefgh");
    } finally {
      second.close().await(20, TimeUnit.SECONDS);
    }
  }

  @Test
  void severalInstancesShareOneEmbeddedServer(Vertx vertx) {
    await(vertx.deployVerticle(() -> new StoreVerticle(), new DeploymentOptions().setInstances(3)
        .setConfig(StoreTestSupport.config(dataDir, keys))));
    String tenant = newTenant();
    for (int i = 0; i < 6; i++) {
      call(vertx, Store.NUMBER_SAVE, new PhoneNumber(tenant, "+1415555010" + i, null, null, null, null, 0, 0),
          PhoneNumber.class);
    }
    for (int i = 0; i < 6; i++) {
      assertThat(call(vertx, Store.NUMBER_GET, new TenantNumber(tenant, "+1415555010" + i), PhoneNumber.class)
          .subaccountId()).isEqualTo(tenant);
    }
  }

  @Test
  void aMongoUriTakesTheOrdinaryDriverPathAndReportsBackendMongodb(Vertx vertx) {
    // A real MongoDB is not available here; the embedded server listens on a socket like one, so pointing
    // mongo.uri at it exercises exactly the configuration a production deployment uses.
    EmbeddedMongo server = StoreTestSupport.embedded(vertx, dataDir);
    try {
      JsonObject config = StoreTestSupport.config(dataDir, keys);
      config.getJsonObject("mongo").put("uri", server.connectionString()).put("database", "other");
      StoreTestSupport.deploy(vertx, config);
      PingReply ping = call(vertx, Store.PING, new JsonObject(), PingReply.class);
      assertThat(ping.ok()).isTrue();
      assertThat(ping.backend()).isEqualTo("mongodb");
    } finally {
      await(server.release());
    }
  }

  @Test
  void requestsBeyondMaxInFlightAreAnsweredBusyAtOnce(Vertx vertx) {
    JsonObject config = StoreTestSupport.config(dataDir, keys).put("store", new JsonObject().put("maxInFlight", 1));
    StoreTestSupport.deploy(vertx, config);
    List<Future<PingReply>> pings = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      pings.add(Bus.request(vertx, Store.PING, new JsonObject(), PingReply.class, 20_000, null));
    }
    await(Future.join(pings).otherwiseEmpty());
    assertThat(pings).anyMatch(Future::succeeded);
    assertThat(pings.stream().filter(Future::failed).map(p -> (ServiceException) p.cause()))
        .isNotEmpty()
        .allSatisfy(e -> {
          assertThat(e.status()).isEqualTo(503);
          assertThat(e.code()).isEqualTo("STORE_BUSY");
        });
  }

  @Test
  void startFailsClearlyWithoutKeys(Vertx vertx) {
    JsonObject config = StoreTestSupport.config(dataDir, null);
    config.getJsonObject("vault").remove("keys");
    assertThat(startFailure(vertx, config)).hasMessageContaining("vault.keys is required");
    assertThat(dataDir.resolve("store.mv")).as("nothing started").doesNotExist();
  }

  @Test
  void startFailsClearlyWithMalformedKeysAndNeverShowsTheKey(Vertx vertx) {
    String shortKey = java.util.Base64.getEncoder().encodeToString(new byte[20]);
    Throwable error = startFailure(vertx, StoreTestSupport.config(dataDir, "k1:" + shortKey));
    assertNoSecret("the start failure's message", error.getMessage(), "the malformed key", shortKey);
    assertThat(error).hasMessageContaining("vault.keys key k1 must decode to 32 bytes");
    assertThat(startFailure(vertx, StoreTestSupport.config(dataDir, "no-colon-here")))
        .hasMessageContaining("is not \"kid:base64key\"");
  }

  @Test
  void startFailsClearlyWhenTheDatabaseIsUnreachable(Vertx vertx) throws Exception {
    // Free and below the ephemeral range: no connection of this JVM can come to hold it meanwhile.
    int closedPort = FreePorts.pick();
    JsonObject config = StoreTestSupport.config(dataDir, keys);
    config.getJsonObject("mongo").put("uri", "mongodb://127.0.0.1:" + closedPort).put("timeoutMs", 1000);
    assertThat(startFailure(vertx, config))
        .hasMessage("cannot reach the mongodb database within 1000 ms (MongoTimeoutException)");
    assertThat(Files.exists(dataDir.resolve("store.mv"))).isFalse();
  }

  private static Throwable startFailure(Vertx vertx, JsonObject config) {
    Future<String> deployed = vertx.deployVerticle(new StoreVerticle(), new DeploymentOptions().setConfig(config));
    try {
      deployed.await(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      return deployed.cause();
    }
    throw new AssertionError("the store started");
  }
}
