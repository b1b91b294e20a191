package dev.trunkline.store;

import static dev.trunkline.contract.testing.Await.await;
import static dev.trunkline.store.StoreTestSupport.call;
import static dev.trunkline.store.StoreTestSupport.newTenant;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trunkline.contract.Addresses.Store;
import dev.trunkline.contract.StoreMessages.ClaimIdempotency;
import dev.trunkline.contract.StoreMessages.CompleteIdempotency;
import dev.trunkline.contract.StoreMessages.IdempotencyClaim;
import dev.trunkline.contract.testing.Await;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.MongoClient;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded engine keeps TTL indexes without applying them, so the store deletes expired idempotency records
 * itself: without that, every purchase's record would stay in the data file for ever.
 */
@ExtendWith(VertxExtension.class)
class IdempotencySweepTest {
  @TempDir
  Path dataDir;

  @Test
  void expiredRecordsAreDeletedAndLiveOnesKept(Vertx vertx) throws Exception {
    MutableClock clock = new MutableClock();
    JsonObject config = sweeping(StoreTestSupport.config(dataDir, "k1:" + StoreTestSupport.newKeyBase64()));
    await(vertx.deployVerticle(new StoreVerticle(clock), new DeploymentOptions().setConfig(config)));
    EmbeddedMongo server = StoreTestSupport.embedded(vertx, dataDir);
    try {
      assertTheSweepLeavesOnlyTheLiveRecord(vertx, clock, server.connectionString());
    } finally {
      await(server.release());
    }
  }

  /**
   * The engine as a {@code store-server} process of its own, reached through {@code mongo.uri} as a MongoDB would
   * be: it applies no TTL either, and every store node on it must sweep (before, only a node running the engine
   * inside itself did, so the records of a store-server stayed for ever).
   */
  @Test
  void storeNodesOnAStoreServerSweepToo(Vertx vertx) throws Exception {
    MutableClock clock = new MutableClock();
    try (StoreServer server = StoreServer.open(dataDir, "127.0.0.1", 0)) {
      JsonObject config = sweeping(StoreTestSupport.config(dataDir.resolve("node"),
          "k1:" + StoreTestSupport.newKeyBase64()));
      config.getJsonObject("mongo").put("uri", server.connectionString());
      await(vertx.deployVerticle(new StoreVerticle(clock), new DeploymentOptions().setConfig(config)));
      assertTheSweepLeavesOnlyTheLiveRecord(vertx, clock, server.connectionString());
    }
  }

  private static JsonObject sweeping(JsonObject config) {
    return config.put("store", new JsonObject().put("idempotencyTtlSeconds", 3600).put("idempotencySweepSeconds", 1));
  }

  private static void assertTheSweepLeavesOnlyTheLiveRecord(Vertx vertx, MutableClock clock, String uri) {
    String tenant = newTenant();
    for (String key : List.of("old-1", "old-2", "old-3")) {
      call(vertx, Store.IDEMPOTENCY_CLAIM, new ClaimIdempotency(tenant, key, "purchase", "sha256:" + key),
          IdempotencyClaim.class);
    }
    call(vertx, Store.IDEMPOTENCY_COMPLETE, new CompleteIdempotency(tenant, "old-1", 201, Map.of("ok", true)),
        IdempotencyClaim.class);

    clock.advance(Duration.ofHours(2)); // past the 1 h TTL of the three records
    call(vertx, Store.IDEMPOTENCY_CLAIM, new ClaimIdempotency(tenant, "fresh", "purchase", "sha256:fresh"),
        IdempotencyClaim.class);

    MongoClient raw = MongoClient.create(vertx, new JsonObject().put("connection_string", uri)
        .put("db_name", "trunkline"));
    try {
      List<String> keys = Await.value("the sweep to leave one record", Duration.ofSeconds(10),
          () -> await(raw.find(IdempotencyService.COLLECTION, new JsonObject())).stream()
              .map(d -> d.getString("key")).toList(), left -> left.size() == 1);
      assertThat(keys).containsExactly("fresh");
    } finally {
      await(raw.close());
    }
  }
}
