package dev.trunkline.store;

import static dev.trunkline.contract.testing.Await.await;
import static dev.trunkline.store.StoreTestSupport.assertFailure;
import static dev.trunkline.store.StoreTestSupport.call;
import static dev.trunkline.store.StoreTestSupport.callRaw;
import static dev.trunkline.store.StoreTestSupport.failure;
import static dev.trunkline.store.StoreTestSupport.newTenant;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trunkline.contract.Addresses.Store;
import dev.trunkline.contract.StoreMessages.CreateOperation;
import dev.trunkline.contract.StoreMessages.FinishOperation;
import dev.trunkline.contract.StoreMessages.OperationCreated;
import dev.trunkline.contract.StoreMessages.OperationPage;
import dev.trunkline.contract.StoreMessages.OperationProgress;
import dev.trunkline.contract.StoreMessages.RecordProgress;
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
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store's side of long operations (docs/api.md "Long operations"): one running operation per tenant and kind
 * across every caller, an idempotency key that names an operation, a dead owner's operation read as failed with what
 * it recorded (and its slot free again), finished operations swept with their results, another tenant's not found.
 * Time is a {@link MutableClock}: leases and expiry are moved, not waited for.
 */
@ExtendWith(VertxExtension.class)
class OperationStoreTest {
  private static final long LEASE_MS = 60_000;
  @TempDir
  Path dataDir;
  private final MutableClock clock = new MutableClock();

  @BeforeEach
  void deploy(Vertx vertx) {
    JsonObject config = StoreTestSupport.config(dataDir, "k1:" + StoreTestSupport.newKeyBase64())
        .put("store", new JsonObject().put("idempotencySweepSeconds", 1));
    await(vertx.deployVerticle(new StoreVerticle(clock), new DeploymentOptions().setConfig(config)));
  }

  @Test
  void aSecondOperationOfTheKindJoinsTheRunningOneAndAKeyNamesItsOwn(Vertx vertx) {
    String tenant = newTenant();
    OperationCreated first = create(vertx, tenant, "fix", "key-1");
    assertThat(first.created()).isTrue();
    String id = (String) first.operation().get("operationId");

    OperationCreated second = create(vertx, tenant, "fix", null);
    assertThat(second.created()).isFalse();
    assertThat(second.operation()).containsEntry("operationId", id).containsEntry("state", "running");
    assertThat(create(vertx, tenant, "audit", null).created()).as("another kind runs beside it").isTrue();

    finish(vertx, id, "succeeded");
    OperationCreated replay = create(vertx, tenant, "fix", "key-1");
    assertThat(replay.created()).as("the key's finished operation, not a new one").isFalse();
    assertThat(replay.operation()).containsEntry("operationId", id).containsEntry("state", "succeeded");
    assertThat(create(vertx, tenant, "fix", null).created()).as("the slot is free once it finished").isTrue();
  }

  @Test
  void anOwnerThatStopsRenewingLeavesAFailedOperationWithWhatItRecorded(Vertx vertx) {
    String tenant = newTenant();
    String id = (String) create(vertx, tenant, "fix", null).operation().get("operationId");
    progress(vertx, id, 0, 3);

    clock.advance(Duration.ofMillis(LEASE_MS + 1));
    JsonObject lost = callRaw(vertx, Store.OPERATION_GET, new OperationPage(tenant, id, null, 10));
    assertThat(lost.getString("state")).isEqualTo("failed");
    assertThat(lost.getJsonObject("error").getString("code")).isEqualTo("OPERATION_NODE_LOST");
    assertThat(lost.getLong("done")).isEqualTo(3);
    assertThat(lost.getJsonArray("results")).hasSize(3);

    OperationProgress late = call(vertx, Store.OPERATION_PROGRESS, new RecordProgress(id, id, 3, List.of(), 0, 0,
        LEASE_MS), OperationProgress.class);
    assertThat(late.owned()).as("the dead owner's late write is refused").isFalse();
    assertThat(create(vertx, tenant, "fix", null).created()).as("a new fix may start").isTrue();
  }

  @Test
  void resultsArePagedInCompletionOrder(Vertx vertx) {
    String tenant = newTenant();
    String id = (String) create(vertx, tenant, "audit", null).operation().get("operationId");
    progress(vertx, id, 0, 7);
    progress(vertx, id, 7, 3);
    JsonObject first = callRaw(vertx, Store.OPERATION_GET, new OperationPage(tenant, id, null, 4));
    assertThat(first.getJsonArray("results")).hasSize(4);
    assertThat(first.getLong("next")).isEqualTo(3);
    assertThat(first.getLong("done")).isEqualTo(10);
    JsonObject last = callRaw(vertx, Store.OPERATION_GET, new OperationPage(tenant, id, 7L, 4));
    assertThat(last.getJsonArray("results")).hasSize(2);
    assertThat(last.getValue("next")).isNull();
  }

  @Test
  void finishedOperationsExpireWithTheirResults(Vertx vertx) {
    String tenant = newTenant();
    String id = (String) create(vertx, tenant, "audit", null).operation().get("operationId");
    progress(vertx, id, 0, 5);
    finish(vertx, id, "succeeded");
    clock.advance(Duration.ofHours(2));

    EmbeddedMongo server = StoreTestSupport.embedded(vertx, dataDir);
    MongoClient raw = StoreTestSupport.rawClient(vertx, server);
    try {
      Await.until("the sweep to delete the operation and its results", Duration.ofSeconds(10),
          () -> await(raw.count(OperationService.COLLECTION, new JsonObject())) == 0
              && await(raw.count(OperationService.RESULTS, new JsonObject())) == 0);
    } finally {
      await(raw.close());
      await(server.release());
    }
  }

  @Test
  void anotherTenantsOperationIsNotFoundAndBadInputIsRefused(Vertx vertx) {
    String tenant = newTenant();
    String id = (String) create(vertx, tenant, "rotate", null).operation().get("operationId");
    assertFailure(failure(vertx, Store.OPERATION_GET, new OperationPage(newTenant(), id, null, null)), 404,
        "OPERATION_NOT_FOUND");
    assertFailure(failure(vertx, Store.OPERATION_CANCEL,
        new dev.trunkline.contract.StoreMessages.OperationRef(newTenant(), id)), 404, "OPERATION_NOT_FOUND");
    assertFailure(failure(vertx, Store.OPERATION_CREATE, new CreateOperation(tenant, "purge",
        UUID.randomUUID().toString(), "o", Map.of(), null, LEASE_MS)), 400, "INVALID_KIND");
    List<Map<String, Object>> tooMany = IntStream.range(0, 1001).mapToObj(i -> result(i)).toList();
    assertFailure(failure(vertx, Store.OPERATION_PROGRESS, new RecordProgress(id, id, 0, tooMany, 0, 0, LEASE_MS)),
        400, "BATCH_TOO_LARGE");
  }

  // ---- helpers ---------------------------------------------------------------------------------------

  private static OperationCreated create(Vertx vertx, String tenant, String kind, String key) {
    String id = UUID.randomUUID().toString();
    return call(vertx, Store.OPERATION_CREATE, new CreateOperation(tenant, kind, id, id, Map.of(), key, LEASE_MS),
        OperationCreated.class);
  }

  private static void progress(Vertx vertx, String id, int firstSeq, int count) {
    List<Map<String, Object>> results = IntStream.range(firstSeq, firstSeq + count).mapToObj(i -> result(i))
        .toList();
    OperationProgress p = call(vertx, Store.OPERATION_PROGRESS, new RecordProgress(id, id, firstSeq, results, count,
        0, LEASE_MS), OperationProgress.class);
    assertThat(p.owned()).isTrue();
  }

  private static Map<String, Object> result(int i) {
    return Map.of("phase", "fix", "index", i, "result",
        Map.of("phoneNumber", String.format("+1415555%04d", i), "success", true));
  }

  private static void finish(Vertx vertx, String id, String state) {
    callRaw(vertx, Store.OPERATION_FINISH, new FinishOperation(id, id, state, 200,
        Map.of("success", true, "data", Map.of("total", 1)), 1_000));
  }
}
