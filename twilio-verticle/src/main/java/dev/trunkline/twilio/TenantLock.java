package dev.trunkline.twilio;

import dev.trunkline.contract.BusCaller;
import dev.trunkline.contract.ServiceException;
import dev.trunkline.contract.StoreClient;
import dev.trunkline.contract.StoreMessages.AcquireLock;
import dev.trunkline.contract.StoreMessages.ReleaseLock;
import dev.trunkline.contract.StoreMessages.RenewLock;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serialises every operation that changes a tenant's Twilio resources, across the cluster: two setups (or a
 * setup and a purchase) for one tenant never interleave, so they never both create a trunk. The lock is
 * released whatever the work's outcome, including an exception thrown while starting it.
 *
 * <p>The lock is a lease in the store ({@code trunkline.store.v1.locks.*}), not the cluster manager's lock:
 * Hazelcast's map locks favour availability and can be granted twice while members join or partitions
 * migrate, which ClusterIT caught as two concurrent setups of one tenant. A waiter polls (every
 * {@value #POLL_MS} ms plus jitter) until {@code timeoutMs}; the holder renews its lease every third of
 * {@code leaseMs}, so a holder that dies blocks the tenant for at most {@code leaseMs}.
 */
public final class TenantLock {
  public static final String PREFIX = "trunkline.tenant.";
  static final long POLL_MS = 50;
  private static final Logger LOG = LoggerFactory.getLogger(TenantLock.class);

  private final Vertx vertx;
  private final long timeoutMs;
  private final long leaseMs;
  private final StoreClient store;

  public TenantLock(Vertx vertx, long timeoutMs, long leaseMs, long busTimeoutMs) {
    this.vertx = vertx;
    this.timeoutMs = timeoutMs;
    this.leaseMs = leaseMs;
    // Lock requests are not one request's: no request id (the bus makes one up for each) and no tenant header.
    this.store = new StoreClient(BusCaller.of(vertx, busTimeoutMs, null, null));
  }

  /** The lock's name in the store for a tenant. */
  public static String name(String subaccountId) {
    return PREFIX + subaccountId.toLowerCase(Locale.ROOT);
  }

  public <T> Future<T> withLock(String subaccountId, Supplier<Future<T>> work) {
    String name = name(subaccountId);
    String owner = UUID.randomUUID().toString();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    return acquire(name, owner, deadline).compose(v -> run(name, owner, work));
  }

  private Future<Void> acquire(String name, String owner, long deadline) {
    return store.acquireLock(new AcquireLock(name, owner, leaseMs))
        .compose(reply -> {
          if (reply.held()) {
            return Future.succeededFuture();
          }
          if (System.nanoTime() >= deadline) {
            return Future.failedFuture(ServiceException.conflict("TENANT_BUSY",
                "another operation on this tenant's trunk did not finish within " + timeoutMs + " ms; retry later"));
          }
          Promise<Void> retried = Promise.promise();
          long pause = POLL_MS + ThreadLocalRandom.current().nextLong(POLL_MS);
          vertx.setTimer(pause, t -> acquire(name, owner, deadline).onComplete(retried));
          return retried.future();
        });
  }

  private <T> Future<T> run(String name, String owner, Supplier<Future<T>> work) {
    long renewal = vertx.setPeriodic(Math.max(1, leaseMs / 3), t ->
        store.renewLock(new RenewLock(name, owner, leaseMs))
            .onSuccess(reply -> {
              if (!reply.held()) {
                LOG.warn("lock {} was lost while its work was still running (lease {} ms ran out?)", name, leaseMs);
              }
            })
            .onFailure(err -> LOG.warn("renewing lock {} failed: {}", name, err.toString())));
    Future<T> result;
    try {
      result = work.get();
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    // Released before the caller hears the outcome, so its next operation on the tenant finds the lock free.
    return result.transform(outcome -> {
      vertx.cancelTimer(renewal);
      return store.releaseLock(new ReleaseLock(name, owner))
          .onFailure(err -> LOG.warn("releasing lock {} failed (its lease of {} ms will expire): {}", name, leaseMs,
              err.toString()))
          .transform(released -> outcome.succeeded() ? Future.succeededFuture(outcome.result())
              : Future.<T>failedFuture(outcome.cause()));
    });
  }
}
