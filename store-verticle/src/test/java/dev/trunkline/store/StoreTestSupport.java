package dev.trunkline.store;

import static dev.trunkline.contract.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trunkline.contract.Bus;
import dev.trunkline.contract.ServiceException;
import dev.trunkline.contract.testing.Await;
import dev.trunkline.contract.testing.TestEnvironment;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.MongoClient;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Shared helpers: keys, tenants and configuration in the store's words (made by {@link TestEnvironment}),
 * deployment, bus calls and a raw MongoDB client on the embedded server.
 */
final class StoreTestSupport {
  static final long TIMEOUT_MS = 20_000;

  private StoreTestSupport() {}

  static String newKeyBase64() {
    return TestEnvironment.newVaultKey();
  }

  static String newTenant() {
    return TestEnvironment.newTenantId();
  }

  static String sid(String prefix) {
    return TestEnvironment.newSid(prefix);
  }

  static JsonObject config(Path dataDir, String keys) {
    return TestEnvironment.storeConfig(dataDir, keys);
  }

  static String deploy(Vertx vertx, JsonObject config) {
    return await(vertx.deployVerticle(new StoreVerticle(), new DeploymentOptions().setConfig(config)));
  }

  static <R> R call(Vertx vertx, String address, Object body, Class<R> replyType) {
    return await(Bus.request(vertx, address, body, replyType, TIMEOUT_MS, null));
  }

  /** The raw JSON reply, to check what actually crosses the bus. */
  static JsonObject callRaw(Vertx vertx, String address, Object body) {
    return await(Bus.request(vertx, address, body, JsonObject.class, TIMEOUT_MS, null));
  }

  /** Calls an address that must fail and returns the failure as the caller sees it. */
  static ServiceException failure(Vertx vertx, String address, Object body) {
    return ServiceException.from(Await.awaitFailure("the reply to " + address,
        Bus.request(vertx, address, body, JsonObject.class, TIMEOUT_MS, null), Duration.ofMillis(TIMEOUT_MS)));
  }

  static void assertFailure(ServiceException e, int status, String code) {
    assertThat(e.status()).as("status of %s", e).isEqualTo(status);
    assertThat(e.code()).as("code of %s", e).isEqualTo(code);
  }

  /** A second reference to the embedded server of {@code dataDir} (the verticle's must be running). */
  static EmbeddedMongo embedded(Vertx vertx, Path dataDir) {
    return await(EmbeddedMongo.acquire(vertx, dataDir.toString()));
  }

  static MongoClient rawClient(Vertx vertx, EmbeddedMongo server) {
    return MongoClient.create(vertx, new JsonObject()
        .put("connection_string", server.connectionString())
        .put("db_name", "trunkline"));
  }
}
