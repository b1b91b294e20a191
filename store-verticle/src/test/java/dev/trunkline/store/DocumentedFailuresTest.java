package dev.trunkline.store;

import static dev.trunkline.contract.testing.Await.await;
import static dev.trunkline.store.StoreTestSupport.assertFailure;
import static dev.trunkline.store.StoreTestSupport.call;
import static dev.trunkline.store.StoreTestSupport.failure;
import static dev.trunkline.store.StoreTestSupport.newTenant;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trunkline.contract.Addresses.Store;
import dev.trunkline.contract.Bus;
import dev.trunkline.contract.ServiceException;
import dev.trunkline.contract.StoreMessages.AcquireLock;
import dev.trunkline.contract.StoreMessages.ClaimIdempotency;
import dev.trunkline.contract.StoreMessages.CompleteIdempotency;
import dev.trunkline.contract.StoreMessages.IdempotencyClaim;
import dev.trunkline.contract.StoreMessages.PhoneNumber;
import dev.trunkline.contract.StoreMessages.PingReply;
import dev.trunkline.contract.StoreMessages.ReleaseIdempotency;
import dev.trunkline.contract.StoreMessages.ReleaseLock;
import dev.trunkline.contract.StoreMessages.RenewLock;
import dev.trunkline.contract.StoreMessages.RekeyVault;
import dev.trunkline.contract.StoreMessages.RekeyReport;
import dev.trunkline.contract.TenantRef;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The failure codes of docs/event-bus.md (store) that no other test produced: the idempotency and lock
 * addresses' input checks, a number's over-long {@code retellError}, the key rotation's batch size and its "one at
 * a time", and a database that goes away under a running store.
 */
@ExtendWith(VertxExtension.class)
class DocumentedFailuresTest {
  @TempDir
  Path dataDir;
  private final String keys = "k1:" + StoreTestSupport.newKeyBase64();

  private void deploy(Vertx vertx) {
    StoreTestSupport.deploy(vertx, StoreTestSupport.config(dataDir, keys));
  }

  @Test
  void idempotencyInputsAreCheckedFieldByField(Vertx vertx) {
    deploy(vertx);
    String tenant = newTenant();
    assertFailure(failure(vertx, Store.IDEMPOTENCY_CLAIM, new ClaimIdempotency(tenant, "has space", "op", "h")), 400,
        "INVALID_IDEMPOTENCY_KEY");
    assertFailure(failure(vertx, Store.IDEMPOTENCY_CLAIM, new ClaimIdempotency(tenant, "k".repeat(256), "op", "h")),
        400, "INVALID_IDEMPOTENCY_KEY");
    assertFailure(failure(vertx, Store.IDEMPOTENCY_CLAIM, new ClaimIdempotency(tenant, "k1", " ", "h")), 400,
        "INVALID_OPERATION");
    assertFailure(failure(vertx, Store.IDEMPOTENCY_CLAIM, new ClaimIdempotency(tenant, "k1", "op", null)), 400,
        "INVALID_REQUEST_HASH");
    assertFailure(failure(vertx, Store.IDEMPOTENCY_CLAIM, new ClaimIdempotency(tenant, "k1", "op", "h".repeat(201))),
        400, "INVALID_REQUEST_HASH");

    IdempotencyClaim claim = call(vertx, Store.IDEMPOTENCY_CLAIM, new ClaimIdempotency(tenant, "k1", "op", "h"),
        IdempotencyClaim.class);
    assertFailure(failure(vertx, Store.IDEMPOTENCY_COMPLETE, new CompleteIdempotency(tenant, "k1", 99, Map.of(),
        claim.leaseId())), 400, "INVALID_STATUS");
    assertFailure(failure(vertx, Store.IDEMPOTENCY_COMPLETE, new CompleteIdempotency(tenant, "k1", 600, Map.of(),
        claim.leaseId())), 400, "INVALID_STATUS");
    assertFailure(failure(vertx, Store.IDEMPOTENCY_COMPLETE, new CompleteIdempotency(tenant, "k1", 201,
        Map.of("pad", "x".repeat(256 * 1024)), claim.leaseId())), 400, "RESPONSE_TOO_LARGE");
    assertFailure(failure(vertx, Store.IDEMPOTENCY_COMPLETE, new CompleteIdempotency(tenant, "k1", 201, Map.of(),
        "")), 400, "INVALID_LEASE_ID");
    assertFailure(failure(vertx, Store.IDEMPOTENCY_RELEASE, new ReleaseIdempotency(tenant, "k1", "l".repeat(65))),
        400, "INVALID_LEASE_ID");
    // None of the refused requests touched the claim: it still completes with its lease.
    assertThat(call(vertx, Store.IDEMPOTENCY_COMPLETE, new CompleteIdempotency(tenant, "k1", 201, Map.of("ok", true),
        claim.leaseId()), IdempotencyClaim.class).status()).isEqualTo(201);
  }

  @Test
  void lockInputsAreChecked(Vertx vertx) {
    deploy(vertx);
    assertFailure(failure(vertx, Store.LOCK_ACQUIRE, new AcquireLock("", "me", 5_000)), 400, "INVALID_NAME");
    assertFailure(failure(vertx, Store.LOCK_ACQUIRE, new AcquireLock("n".repeat(201), "me", 5_000)), 400,
        "INVALID_NAME");
    assertFailure(failure(vertx, Store.LOCK_ACQUIRE, new AcquireLock("trunkline.test.lock", " ", 5_000)), 400,
        "INVALID_OWNER");
    assertFailure(failure(vertx, Store.LOCK_RELEASE, new ReleaseLock("trunkline.test.lock", "o".repeat(101))), 400,
        "INVALID_OWNER");
    assertFailure(failure(vertx, Store.LOCK_ACQUIRE, new AcquireLock("trunkline.test.lock", "me", 999)), 400,
        "INVALID_LEASE_MS");
    assertFailure(failure(vertx, Store.LOCK_RENEW, new RenewLock("trunkline.test.lock", "me", 3_600_001)), 400,
        "INVALID_LEASE_MS");
  }

  @Test
  void aRetellErrorOverAThousandCharactersIsRefused(Vertx vertx) {
    deploy(vertx);
    String tenant = newTenant();
    assertFailure(failure(vertx, Store.NUMBER_SAVE, new PhoneNumber(tenant, "+14155550177", null, null, null,
        "e".repeat(1001), 0, 0)), 400, "INVALID_RETELL_ERROR");
    assertThat(failure(vertx, Store.NUMBER_GET, new dev.trunkline.contract.TenantNumber(tenant,
        "+14155550177")).code()).isEqualTo("NUMBER_NOT_FOUND");
  }

  @Test
  void keyRotationChecksItsBatchSizeAndRunsOneAtATime(Vertx vertx) {
    deploy(vertx);
    assertFailure(failure(vertx, Store.ADMIN_ROTATE_KEYS, new RekeyVault(0)), 400, "INVALID_BATCH_SIZE");
    assertFailure(failure(vertx, Store.ADMIN_ROTATE_KEYS, new RekeyVault(1001)), 400, "INVALID_BATCH_SIZE");
    // Sent back to back to the one store instance: the first is normally still running (waiting for the database)
    // when the second arrives, and the second is refused.
    assertOverlappingRotationsRunOneAtATime(vertx, true);
  }

  @Test
  void keyRotationRunsOneAtATimeAcrossStoreNodesOnOneDatabase(Vertx vertx, @TempDir Path serverDir) {
    // Two store nodes on one database (MongoDB in production; here a MongoDB-wire server of its own): the bus
    // round-robins a pair of requests to one node each, so a guard in one node's memory would let both run.
    EmbeddedMongo server = StoreTestSupport.embedded(vertx, serverDir);
    JsonObject config = StoreTestSupport.config(dataDir, keys);
    config.getJsonObject("mongo").put("uri", server.connectionString());
    StoreTestSupport.deploy(vertx, config);
    StoreTestSupport.deploy(vertx, config.copy());
    // Which node wins a pair depends on which inserts the lease first.
    assertOverlappingRotationsRunOneAtATime(vertx, false);
  }

  /**
   * Sends pairs of rotations back to back until they overlap once (on a loaded machine the first may finish before
   * the second is even sent; then both simply run): of an overlapping pair one runs and the other is refused 409
   * ROTATION_RUNNING, and no request fails any other way. Afterwards the next rotation runs: the guard was let go.
   *
   * @param firstWins the first of a pair is the one that runs (one store node, which handles them in order)
   */
  private void assertOverlappingRotationsRunOneAtATime(Vertx vertx, boolean firstWins) {
    boolean refused = false;
    for (int attempt = 0; attempt < 20 && !refused; attempt++) {
      Future<RekeyReport> first = Bus.request(vertx, Store.ADMIN_ROTATE_KEYS, new RekeyVault(10),
          RekeyReport.class, StoreTestSupport.TIMEOUT_MS, null);
      Future<RekeyReport> second = Bus.request(vertx, Store.ADMIN_ROTATE_KEYS, new RekeyVault(10),
          RekeyReport.class, StoreTestSupport.TIMEOUT_MS, null);
      Throwable a = await(first.transform(ar -> Future.succeededFuture(ar.cause())));
      Throwable b = await(second.transform(ar -> Future.succeededFuture(ar.cause())));
      if (firstWins) {
        assertThat(a).as("the rotation that arrived first runs").isNull();
      }
      assertThat(a == null || b == null).as("one of two overlapping rotations runs").isTrue();
      Throwable loser = a != null ? a : b;
      if (loser != null) {
        assertFailure(ServiceException.from(loser), 409, "ROTATION_RUNNING");
        refused = true;
      }
    }
    assertThat(refused).as("a rotation sent while one runs is refused with 409 ROTATION_RUNNING").isTrue();
    assertThat(call(vertx, Store.ADMIN_ROTATE_KEYS, new RekeyVault(10), RekeyReport.class).failed()).isZero();
  }

  @Test
  void aDatabaseThatGoesAwayIs503StoreUnavailable(Vertx vertx, @TempDir Path serverDir) {
    // The store on mongo.uri, as in production; the database is a MongoDB-wire server this test stops.
    EmbeddedMongo server = StoreTestSupport.embedded(vertx, serverDir);
    JsonObject config = StoreTestSupport.config(dataDir, keys);
    config.getJsonObject("mongo").put("uri", server.connectionString()).put("timeoutMs", 1_000);
    StoreTestSupport.deploy(vertx, config);
    assertThat(call(vertx, Store.PING, new JsonObject(), PingReply.class).ok()).isTrue();

    await(server.release());
    assertFailure(failure(vertx, Store.PING, new JsonObject()), 503, "STORE_UNAVAILABLE");
    assertFailure(failure(vertx, Store.CONNECTOR_GET, new TenantRef(newTenant())), 503, "STORE_UNAVAILABLE");
  }
}
