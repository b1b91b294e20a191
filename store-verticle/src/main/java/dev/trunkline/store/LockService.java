package dev.trunkline.store;

import dev.trunkline.contract.ServiceException;
import dev.trunkline.contract.StoreMessages.AcquireLock;
import dev.trunkline.contract.StoreMessages.Deleted;
import dev.trunkline.contract.StoreMessages.LockReply;
import dev.trunkline.contract.StoreMessages.ReleaseLock;
import dev.trunkline.contract.StoreMessages.RenewLock;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.FindOptions;
import io.vertx.ext.mongo.MongoClient;
import io.vertx.ext.mongo.UpdateOptions;
import java.time.Clock;
import java.time.Instant;

/**
 * Named locks as leases in the database: one document per held lock, {@code _id} = the lock's name, so the
 * database's unique {@code _id} makes acquisition exclusive; {@code {owner, expiresAt}} say who holds it and
 * until when. An expired lease (its holder died) is taken over by one conditional update.
 *
 * <p>Why not the cluster manager's lock: Hazelcast's map locks favour availability, and while members join or
 * partitions migrate two members can both be granted one (seen in the cluster test: two concurrent setups of one
 * tenant ran at once). The store is the one place every Twilio operation already depends on, and its writes are
 * the single source of truth either way.
 */
final class LockService {
  static final String COLLECTION = "locks";
  private static final long MIN_LEASE_MS = 1_000;
  private static final long MAX_LEASE_MS = 3_600_000;

  private final MongoClient mongo;
  private final Clock clock;

  LockService(MongoClient mongo, Clock clock) {
    this.mongo = mongo;
    this.clock = clock;
  }

  Future<LockReply> acquire(AcquireLock request) {
    RequestChecks.body(request);
    String name = RequestChecks.text("name", request.name(), 200, true);
    String owner = RequestChecks.text("owner", request.owner(), 100, true);
    long leaseMs = lease(request.leaseMs());
    Instant now = clock.instant();
    JsonObject held = new JsonObject()
        .put("owner", owner)
        .put("acquiredAt", Dates.of(now))
        .put("expiresAt", Dates.of(now.plusMillis(leaseMs)));
    return mongo.insert(COLLECTION, held.copy().put("_id", name))
        .map(id -> new LockReply(true))
        .recover(err -> {
          if (!MongoFailures.isDuplicateKey(err)) {
            return Future.failedFuture(err);
          }
          // Held: take it over only if its lease has run out (one of concurrent takers matches).
          JsonObject expired = new JsonObject().put("_id", name)
              .put("expiresAt", new JsonObject().put("$lte", Dates.of(now)));
          return mongo.findOneAndUpdateWithOptions(COLLECTION, expired, new JsonObject().put("$set", held),
                  new FindOptions(), new UpdateOptions().setReturningNewDocument(true))
              .compose(taken -> taken != null ? Future.succeededFuture(new LockReply(true)) : holder(name));
        });
  }

  /** Not taken: who holds it, so that a waiter can tell a holder whose node is gone (released in between: null). */
  private Future<LockReply> holder(String name) {
    return mongo.findOne(COLLECTION, new JsonObject().put("_id", name), new JsonObject().put("owner", 1))
        .map(doc -> new LockReply(false, doc == null ? null : doc.getString("owner")));
  }

  Future<LockReply> renew(RenewLock request) {
    RequestChecks.body(request);
    String name = RequestChecks.text("name", request.name(), 200, true);
    String owner = RequestChecks.text("owner", request.owner(), 100, true);
    long leaseMs = lease(request.leaseMs());
    JsonObject mine = new JsonObject().put("_id", name).put("owner", owner);
    JsonObject update = new JsonObject().put("$set",
        new JsonObject().put("expiresAt", Dates.of(clock.instant().plusMillis(leaseMs))));
    return mongo.updateCollection(COLLECTION, mine, update)
        .map(result -> new LockReply(result != null && result.getDocMatched() > 0));
  }

  Future<Deleted> release(ReleaseLock request) {
    RequestChecks.body(request);
    String name = RequestChecks.text("name", request.name(), 200, true);
    String owner = RequestChecks.text("owner", request.owner(), 100, true);
    return mongo.removeDocument(COLLECTION, new JsonObject().put("_id", name).put("owner", owner))
        .map(result -> new Deleted(result != null && result.getRemovedCount() > 0));
  }

  private static long lease(long leaseMs) {
    if (leaseMs < MIN_LEASE_MS || leaseMs > MAX_LEASE_MS) {
      throw ServiceException.badRequest("INVALID_LEASE_MS",
          "leaseMs must be between " + MIN_LEASE_MS + " and " + MAX_LEASE_MS);
    }
    return leaseMs;
  }
}
