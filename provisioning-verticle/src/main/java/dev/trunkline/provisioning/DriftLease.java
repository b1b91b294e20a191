package dev.trunkline.provisioning;

import dev.trunkline.contract.StoreClient;
import dev.trunkline.contract.StoreMessages.AcquireLock;
import dev.trunkline.contract.StoreMessages.ReleaseLock;
import dev.trunkline.contract.StoreMessages.RenewLock;
import io.vertx.core.Future;
import java.util.UUID;
import java.util.function.LongSupplier;

/**
 * The drift sweep's lease in the store (the same database lease as the Twilio service's tenant lock): one owner in
 * the cluster sweeps; when it dies its lease runs out and another node's next {@link #tick} takes it over.
 *
 * <p>The holder renews every third of the lease. It counts itself the holder only until two thirds of the lease
 * after its last confirmed acquisition or renewal, so a holder cut off from the store stops starting work before
 * anybody else can take over.
 */
final class DriftLease {
  static final String NAME = "provisioning.drift-sweep";

  private final StoreClient store;
  private final long leaseMs;
  private final LongSupplier clock;
  private final String owner = "drift/" + UUID.randomUUID();
  private long heldUntil;
  private boolean asking;

  DriftLease(StoreClient store, long leaseMs, LongSupplier clock) {
    this.store = store;
    this.leaseMs = leaseMs;
    this.clock = clock;
  }

  /** Whether this owner may start work now. */
  boolean held() {
    return clock.getAsLong() < heldUntil;
  }

  /** Renews a held lease or tries to take a free (or expired) one; answers whether it is held afterwards. */
  Future<Boolean> tick() {
    if (asking) {
      return Future.succeededFuture(held());
    }
    asking = true;
    long askedAt = clock.getAsLong();
    Future<Boolean> reply = (held()
        ? store.renewLock(new RenewLock(NAME, owner, leaseMs)).map(r -> r.held())
        : store.acquireLock(new AcquireLock(NAME, owner, leaseMs)).map(r -> r.held()));
    return reply
        .map(held -> {
          heldUntil = held ? askedAt + leaseMs * 2 / 3 : 0;
          return held;
        })
        // The store did not answer: keep what the last answer allows, no more.
        .otherwise(err -> held())
        .andThen(ar -> asking = false);
  }

  /** Gives the lease up (a stopping node), so another node need not wait for it to run out. */
  Future<Void> release() {
    boolean wasHeld = heldUntil > 0;
    heldUntil = 0;
    return wasHeld ? store.releaseLock(new ReleaseLock(NAME, owner)).<Void>mapEmpty().otherwiseEmpty()
        : Future.succeededFuture();
  }

  String owner() {
    return owner;
  }
}
