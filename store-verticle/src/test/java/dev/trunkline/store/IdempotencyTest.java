package dev.trunkline.store;

import static dev.trunkline.contract.testing.Await.await;
import static dev.trunkline.store.StoreTestSupport.assertFailure;
import static dev.trunkline.store.StoreTestSupport.call;
import static dev.trunkline.store.StoreTestSupport.failure;
import static dev.trunkline.store.StoreTestSupport.newTenant;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trunkline.contract.Addresses.Store;
import dev.trunkline.contract.Bus;
import dev.trunkline.contract.StoreMessages.ClaimIdempotency;
import dev.trunkline.contract.StoreMessages.ClaimState;
import dev.trunkline.contract.StoreMessages.CompleteIdempotency;
import dev.trunkline.contract.StoreMessages.Deleted;
import dev.trunkline.contract.StoreMessages.IdempotencyClaim;
import dev.trunkline.contract.StoreMessages.ReleaseIdempotency;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.MongoClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
class IdempotencyTest {
  @TempDir
  Path dataDir;
  private final MutableClock clock = new MutableClock();
  private static final Duration LEASE = Duration.ofSeconds(120);
  private final String tenant = newTenant();

  @BeforeEach
  void deploy(Vertx vertx) {
    JsonObject config = StoreTestSupport.config(dataDir, "k1:" + StoreTestSupport.newKeyBase64())
        .put("store", new JsonObject().put("idempotencyTtlSeconds", 3600)
            .put("idempotencyLeaseSeconds", LEASE.toSeconds()));
    await(vertx.deployVerticle(new StoreVerticle(clock), new DeploymentOptions().setConfig(config)));
  }

  @Test
  void claimThenCompleteThenReplay(Vertx vertx) {
    ClaimIdempotency claim = new ClaimIdempotency(tenant, "key-1", "purchase", "sha256:aaa");
    assertThat(call(vertx, Store.IDEMPOTENCY_CLAIM, claim, IdempotencyClaim.class).state())
        .isEqualTo(ClaimState.CLAIMED);
    assertThat(call(vertx, Store.IDEMPOTENCY_CLAIM, claim, IdempotencyClaim.class).state())
        .isEqualTo(ClaimState.IN_PROGRESS);

    Map<String, Object> response = Map.of("phoneNumber", "+14155550100",
        "data", Map.of("sid", "PN1", "dotted.key", 1, "$dollar", List.of(1, 2)));
    IdempotencyClaim completed = call(vertx, Store.IDEMPOTENCY_COMPLETE,
        new CompleteIdempotency(tenant, "key-1", 201, response), IdempotencyClaim.class);
    assertThat(completed.state()).isEqualTo(ClaimState.COMPLETED);

    IdempotencyClaim replay = call(vertx, Store.IDEMPOTENCY_CLAIM, claim, IdempotencyClaim.class);
    assertThat(replay.state()).isEqualTo(ClaimState.COMPLETED);
    assertThat(replay.status()).isEqualTo(201);
    assertThat(replay.response()).isEqualTo(response);

    assertFailure(failure(vertx, Store.IDEMPOTENCY_COMPLETE, new CompleteIdempotency(tenant, "key-1", 200, Map.of())),
        409, "IDEMPOTENCY_ALREADY_COMPLETED");
    assertThat(call(vertx, Store.IDEMPOTENCY_RELEASE, new ReleaseIdempotency(tenant, "key-1"), Deleted.class)
        .deleted()).as("a completed record is not released").isFalse();
  }

  /**
   * A claim whose answer was lost with a store node that died is sent again by its caller (the provisioning
   * service): with the lease id it chose, the resend is the same claim and CLAIMED again; anybody else's claim of
   * the key is still IN_PROGRESS. Before, the resend was IN_PROGRESS too, and the purchase answered 409 for the
   * whole lease.
   */
  @Test
  void aClaimSentAgainWithItsOwnLeaseIdIsClaimedAgain(Vertx vertx) {
    ClaimIdempotency claim = new ClaimIdempotency(tenant, "key-resent", "purchase", "sha256:aaa", "lease-of-rid-1");
    IdempotencyClaim first = call(vertx, Store.IDEMPOTENCY_CLAIM, claim, IdempotencyClaim.class);
    IdempotencyClaim again = call(vertx, Store.IDEMPOTENCY_CLAIM, claim, IdempotencyClaim.class);
    assertThat(first.state()).isEqualTo(ClaimState.CLAIMED);
    assertThat(first.leaseId()).isEqualTo("lease-of-rid-1");
    assertThat(again.state()).as("the same claim resent").isEqualTo(ClaimState.CLAIMED);
    assertThat(again.leaseId()).isEqualTo("lease-of-rid-1");
    assertThat(call(vertx, Store.IDEMPOTENCY_CLAIM, new ClaimIdempotency(tenant, "key-resent", "purchase",
        "sha256:aaa", "lease-of-rid-2"), IdempotencyClaim.class).state()).as("another request's claim")
        .isEqualTo(ClaimState.IN_PROGRESS);
    assertThat(call(vertx, Store.IDEMPOTENCY_CLAIM, new ClaimIdempotency(tenant, "key-resent", "purchase",
        "sha256:aaa"), IdempotencyClaim.class).state()).isEqualTo(ClaimState.IN_PROGRESS);
  }

  @Test
  void theSameKeyForAnotherRequestIs422AndKeysArePerTenant(Vertx vertx) {
    call(vertx, Store.IDEMPOTENCY_CLAIM, new ClaimIdempotency(tenant, "key-2", "purchase", "sha256:aaa"),
        IdempotencyClaim.class);
    assertFailure(failure(vertx, Store.IDEMPOTENCY_CLAIM,
        new ClaimIdempotency(tenant, "key-2", "purchase", "sha256:bbb")), 422, "IDEMPOTENCY_KEY_REUSED");
    assertFailure(failure(vertx, Store.IDEMPOTENCY_CLAIM,
        new ClaimIdempotency(tenant, "key-2", "import", "sha256:aaa")), 422, "IDEMPOTENCY_KEY_REUSED");
    assertThat(call(vertx, Store.IDEMPOTENCY_CLAIM,
        new ClaimIdempotency(newTenant(), "key-2", "purchase", "sha256:bbb"), IdempotencyClaim.class).state())
        .isEqualTo(ClaimState.CLAIMED);
  }

  @Test
  void releaseLetsARetryClaimAgain(Vertx vertx) {
    ClaimIdempotency claim = new ClaimIdempotency(tenant, "key-3", "purchase", "sha256:aaa");
    call(vertx, Store.IDEMPOTENCY_CLAIM, claim, IdempotencyClaim.class);
    assertThat(call(vertx, Store.IDEMPOTENCY_RELEASE, new ReleaseIdempotency(tenant, "key-3"), Deleted.class)
        .deleted()).isTrue();
    assertThat(call(vertx, Store.IDEMPOTENCY_CLAIM, claim, IdempotencyClaim.class).state())
        .isEqualTo(ClaimState.CLAIMED);
    assertFailure(failure(vertx, Store.IDEMPOTENCY_COMPLETE,
        new CompleteIdempotency(tenant, "never-claimed", 200, Map.of())), 404, "IDEMPOTENCY_NOT_FOUND");
  }

  @Test
  void anExpiredRecordCountsAsAbsentEvenBeforeTheTtlMonitorRemovesIt(Vertx vertx) {
    ClaimIdempotency claim = new ClaimIdempotency(tenant, "key-4", "purchase", "sha256:aaa");
    call(vertx, Store.IDEMPOTENCY_CLAIM, claim, IdempotencyClaim.class);
    call(vertx, Store.IDEMPOTENCY_COMPLETE, new CompleteIdempotency(tenant, "key-4", 201, Map.of("n", 1)),
        IdempotencyClaim.class);

    clock.advance(Duration.ofHours(2));

    assertThat(call(vertx, Store.IDEMPOTENCY_CLAIM, new ClaimIdempotency(tenant, "key-4", "purchase", "sha256:new"),
        IdempotencyClaim.class).state()).as("a new request may use the key").isEqualTo(ClaimState.CLAIMED);
    EmbeddedMongo server = StoreTestSupport.embedded(vertx, dataDir);
    MongoClient raw = StoreTestSupport.rawClient(vertx, server);
    try {
      List<JsonObject> records = await(raw.find("idempotency", new JsonObject().put("key", "key-4")));
      assertThat(records).hasSize(1);
      assertThat(records.get(0).getString("requestHash")).isEqualTo("sha256:new");
      assertThat(records.get(0).getString("state")).isEqualTo("IN_PROGRESS");
    } finally {
      await(raw.close());
      await(server.release());
    }
  }

  @Test
  void theTtlIndexIsThereForARealMongoDb(Vertx vertx) {
    EmbeddedMongo server = StoreTestSupport.embedded(vertx, dataDir);
    MongoClient raw = StoreTestSupport.rawClient(vertx, server);
    try {
      JsonArray indexes = await(raw.listIndexes("idempotency"));
      assertThat(indexes.stream().map(JsonObject.class::cast))
          .anySatisfy(index -> {
            assertThat(index.getJsonObject("key").getMap()).containsOnlyKeys("expiresAt");
            assertThat(((Number) index.getValue("expireAfterSeconds")).longValue()).isZero();
          })
          .anySatisfy(index -> {
            assertThat(index.getJsonObject("key").fieldNames()).containsExactly("subaccountId", "key");
            assertThat(index.getBoolean("unique")).isTrue();
          });
    } finally {
      await(raw.close());
      await(server.release());
    }
  }

  @Test
  void ofManyConcurrentClaimsExactlyOneWins(Vertx vertx, VertxTestContext ctx) {
    int claimants = 30;
    List<Future<IdempotencyClaim>> claims = new ArrayList<>();
    for (int i = 0; i < claimants; i++) {
      claims.add(Bus.request(vertx, Store.IDEMPOTENCY_CLAIM,
          new ClaimIdempotency(tenant, "key-5", "purchase", "sha256:aaa"), IdempotencyClaim.class, 20_000, null));
    }
    Future.all(claims).onComplete(ctx.succeeding(all -> ctx.verify(() -> {
      long won = claims.stream().filter(c -> c.result().state() == ClaimState.CLAIMED).count();
      long waiting = claims.stream().filter(c -> c.result().state() == ClaimState.IN_PROGRESS).count();
      assertThat(won).isEqualTo(1);
      assertThat(waiting).isEqualTo(claimants - 1);
      ctx.completeNow();
    })));
  }

  // ---- leases: a claim whose holder died is taken over once its lease has run out ---------------------------

  private IdempotencyClaim claim(Vertx vertx, String key, String operation, String hash) {
    return call(vertx, Store.IDEMPOTENCY_CLAIM, new ClaimIdempotency(tenant, key, operation, hash),
        IdempotencyClaim.class);
  }

  @Test
  void aClaimIsALeaseThatIsNotTakenOverBeforeItRunsOut(Vertx vertx) {
    IdempotencyClaim holder = claim(vertx, "lease-1", "purchase", "sha256:aaa");
    assertThat(holder.state()).isEqualTo(ClaimState.CLAIMED);
    assertThat(holder.leaseId()).isNotBlank();
    assertThat(holder.leaseExpiresInMs()).isEqualTo(LEASE.toMillis());
    assertThat(holder.takenOver()).isFalse();

    clock.advance(LEASE.minusSeconds(1));

    IdempotencyClaim waiting = claim(vertx, "lease-1", "purchase", "sha256:aaa");
    assertThat(waiting.state()).isEqualTo(ClaimState.IN_PROGRESS);
    assertThat(waiting.leaseExpiresInMs()).as("when a retry could take over").isEqualTo(1_000L);
    assertThat(waiting.leaseId()).as("the holder's token is never handed out").isNull();
    assertThat(call(vertx, Store.IDEMPOTENCY_COMPLETE, new CompleteIdempotency(tenant, "lease-1", 201,
        Map.of("n", 1), holder.leaseId()), IdempotencyClaim.class).state()).isEqualTo(ClaimState.COMPLETED);
  }

  @Test
  void aClaimWhoseHolderDiedIsTakenOverOnceItsLeaseRunsOut(Vertx vertx) {
    IdempotencyClaim dead = claim(vertx, "lease-2", "purchase", "sha256:aaa");

    clock.advance(LEASE);

    IdempotencyClaim retry = claim(vertx, "lease-2", "purchase", "sha256:aaa");
    assertThat(retry.state()).isEqualTo(ClaimState.CLAIMED);
    assertThat(retry.takenOver()).isTrue();
    assertThat(retry.leaseId()).isNotBlank().isNotEqualTo(dead.leaseId());
    assertThat(retry.leaseExpiresInMs()).isEqualTo(LEASE.toMillis());
    IdempotencyClaim third = claim(vertx, "lease-2", "purchase", "sha256:aaa");
    assertThat(third.state()).as("the new holder has a whole lease").isEqualTo(ClaimState.IN_PROGRESS);
    assertThat(third.leaseExpiresInMs()).isEqualTo(LEASE.toMillis());

    // The first holder was perhaps only slow: it can neither free nor close its successor's claim.
    assertThat(call(vertx, Store.IDEMPOTENCY_RELEASE, new ReleaseIdempotency(tenant, "lease-2", dead.leaseId()),
        Deleted.class).deleted()).isFalse();
    assertFailure(failure(vertx, Store.IDEMPOTENCY_COMPLETE,
        new CompleteIdempotency(tenant, "lease-2", 201, Map.of("by", "first"), dead.leaseId())),
        409, "IDEMPOTENCY_LEASE_LOST");
    call(vertx, Store.IDEMPOTENCY_COMPLETE,
        new CompleteIdempotency(tenant, "lease-2", 201, Map.of("by", "retry"), retry.leaseId()),
        IdempotencyClaim.class);
    IdempotencyClaim replay = claim(vertx, "lease-2", "purchase", "sha256:aaa");
    assertThat(replay.state()).isEqualTo(ClaimState.COMPLETED);
    assertThat(replay.response()).isEqualTo(Map.of("by", "retry"));

    JsonObject record = rawRecord(vertx, "lease-2");
    assertThat(record.getInteger("attempts")).isEqualTo(2);
    assertThat(record.getString("leaseId")).isEqualTo(retry.leaseId());
  }

  @Test
  void ofManyConcurrentTakeoversExactlyOneWins(Vertx vertx, VertxTestContext ctx) {
    claim(vertx, "lease-3", "purchase", "sha256:aaa");
    clock.advance(LEASE.plusSeconds(1));
    int claimants = 30;
    List<Future<IdempotencyClaim>> claims = new ArrayList<>();
    for (int i = 0; i < claimants; i++) {
      claims.add(Bus.request(vertx, Store.IDEMPOTENCY_CLAIM,
          new ClaimIdempotency(tenant, "lease-3", "purchase", "sha256:aaa"), IdempotencyClaim.class, 20_000, null));
    }
    Future.all(claims).onComplete(ctx.succeeding(all -> ctx.verify(() -> {
      List<IdempotencyClaim> won = claims.stream().map(Future::result)
          .filter(c -> c.state() == ClaimState.CLAIMED).toList();
      assertThat(won).hasSize(1);
      assertThat(won.get(0).takenOver()).isTrue();
      assertThat(claims.stream().filter(c -> c.result().state() == ClaimState.IN_PROGRESS).count())
          .isEqualTo(claimants - 1);
      ctx.completeNow();
    })));
  }

  @Test
  void aCompletedRecordIsNeverTakenOver(Vertx vertx) {
    IdempotencyClaim holder = claim(vertx, "lease-4", "purchase", "sha256:aaa");
    call(vertx, Store.IDEMPOTENCY_COMPLETE,
        new CompleteIdempotency(tenant, "lease-4", 201, Map.of("n", 1), holder.leaseId()), IdempotencyClaim.class);

    clock.advance(LEASE.multipliedBy(10));

    IdempotencyClaim replay = claim(vertx, "lease-4", "purchase", "sha256:aaa");
    assertThat(replay.state()).isEqualTo(ClaimState.COMPLETED);
    assertThat(replay.response()).isEqualTo(Map.of("n", 1));
    assertThat(rawRecord(vertx, "lease-4").getInteger("attempts")).isEqualTo(1);
  }

  @Test
  void anotherRequestCannotTakeOverAnAbandonedClaim(Vertx vertx) {
    IdempotencyClaim dead = claim(vertx, "lease-5", "purchase", "sha256:aaa");
    clock.advance(LEASE.plusSeconds(1));

    assertFailure(failure(vertx, Store.IDEMPOTENCY_CLAIM,
        new ClaimIdempotency(tenant, "lease-5", "purchase", "sha256:bbb")), 422, "IDEMPOTENCY_KEY_REUSED");
    assertFailure(failure(vertx, Store.IDEMPOTENCY_CLAIM,
        new ClaimIdempotency(tenant, "lease-5", "import", "sha256:aaa")), 422, "IDEMPOTENCY_KEY_REUSED");
    assertThat(rawRecord(vertx, "lease-5").getString("leaseId")).as("untouched").isEqualTo(dead.leaseId());

    assertThat(claim(vertx, "lease-5", "purchase", "sha256:aaa").takenOver()).isTrue();
  }

  @Test
  void aClaimWrittenBeforeLeasesExistedIsTakenOverOneLeaseAfterItWasCreated(Vertx vertx) {
    withRawClient(vertx, raw -> await(raw.insert("idempotency", new JsonObject()
        .put("subaccountId", tenant).put("key", "lease-6").put("operation", "purchase")
        .put("requestHash", "sha256:aaa").put("state", "IN_PROGRESS")
        .put("createdAt", Dates.of(clock.instant()))
        .put("expiresAt", Dates.of(clock.instant().plus(Duration.ofHours(1)))))));

    IdempotencyClaim waiting = claim(vertx, "lease-6", "purchase", "sha256:aaa");
    assertThat(waiting.state()).isEqualTo(ClaimState.IN_PROGRESS);
    assertThat(waiting.leaseExpiresInMs()).isEqualTo(LEASE.toMillis());

    clock.advance(LEASE);

    IdempotencyClaim retry = claim(vertx, "lease-6", "purchase", "sha256:aaa");
    assertThat(retry.state()).isEqualTo(ClaimState.CLAIMED);
    assertThat(retry.takenOver()).isTrue();
  }

  @Test
  void theLeaseDefaultsToFiveMinutesAndCannotOutliveTheRecord() {
    JsonObject base = StoreTestSupport.config(Path.of("unused"), "k1:" + StoreTestSupport.newKeyBase64());
    assertThat(StoreConfig.from(base).idempotencyLease()).isEqualTo(Duration.ofMinutes(5));
    assertThat(StoreConfig.from(base.copy().put("store", new JsonObject().put("idempotencyTtlSeconds", 60)))
        .idempotencyLease()).isEqualTo(Duration.ofSeconds(60));
    assertThatThrownBy(() -> StoreConfig.from(base.copy().put("store", new JsonObject()
        .put("idempotencyTtlSeconds", 300).put("idempotencyLeaseSeconds", 600))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("idempotencyLeaseSeconds");
  }

  private JsonObject rawRecord(Vertx vertx, String key) {
    List<JsonObject> records = new ArrayList<>();
    withRawClient(vertx, raw -> records.addAll(await(raw.find("idempotency",
        new JsonObject().put("subaccountId", tenant).put("key", key)))));
    assertThat(records).hasSize(1);
    return records.get(0);
  }

  private void withRawClient(Vertx vertx, java.util.function.Consumer<MongoClient> work) {
    EmbeddedMongo server = StoreTestSupport.embedded(vertx, dataDir);
    MongoClient raw = StoreTestSupport.rawClient(vertx, server);
    try {
      work.accept(raw);
    } finally {
      await(raw.close());
      await(server.release());
    }
  }
}
