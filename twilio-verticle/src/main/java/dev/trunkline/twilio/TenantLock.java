package dev.trunkline.twilio;

import dev.trunkline.contract.Addresses;
import dev.trunkline.contract.BusCaller;
import dev.trunkline.contract.LocalNode;
import dev.trunkline.contract.NodeDeaths;
import dev.trunkline.contract.ServiceException;
import dev.trunkline.contract.StoreClient;
import dev.trunkline.contract.StoreMessages.AcquireLock;
import dev.trunkline.contract.StoreMessages.ReleaseLock;
import dev.trunkline.contract.StoreMessages.RenewLock;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
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
 * {@code leaseMs}, so a holder that dies blocks the tenant for at most {@code leaseMs}; in a cluster, an owner names
 * its node ({@code <node id>/<uuid>}), and a waiter releases a lock whose holder's node has left the cluster at once
 * (a purchase resent after its Twilio node died would otherwise wait out that node's lease).
 */
public final class TenantLock {
  public static final String PREFIX = "trunkline.tenant.";
  static final long POLL_MS = 50;
  private static final Logger LOG = LoggerFactory.getLogger(TenantLock.class);

  /** The nodes that left the cluster lately, newest last: enough to cover the holders of the locks waited for. */
  private static final int DEPARTED_KEPT = 64;

  private final Vertx vertx;
  private final long timeoutMs;
  private final long leaseMs;
  private final StoreClient store;
  private final Set<String> departed = new LinkedHashSet<>();
  /** Acquisitions resent when a member leaves: one sent to a store node that died is answered by nobody. */
  private final NodeDeaths deaths;

  public TenantLock(Vertx vertx, long timeoutMs, long leaseMs, long busTimeoutMs) {
    this.vertx = vertx;
    this.timeoutMs = timeoutMs;
    this.leaseMs = leaseMs;
    // Lock requests are not one request's: no request id (the bus makes one up for each) and no tenant header.
    this.store = new StoreClient(BusCaller.of(vertx, busTimeoutMs, null, null));
    this.deaths = new NodeDeaths(vertx);
    // Registered on the verticle's context: unregistered with it, and departures are read on that context only.
    vertx.eventBus().<JsonObject>localConsumer(Addresses.Cluster.MEMBER_LEFT, message -> {
      String member = message.body() == null ? null : message.body().getString("member");
      if (member != null) {
        departed.add(member);
        if (departed.size() > DEPARTED_KEPT) {
          departed.remove(departed.iterator().next());
        }
      }
    });
  }

  /** The lock's name in the store for a tenant. */
  public static String name(String subaccountId) {
    return PREFIX + subaccountId.toLowerCase(Locale.ROOT);
  }

  public <T> Future<T> withLock(String subaccountId, Supplier<Future<T>> work) {
    String name = name(subaccountId);
    String node = LocalNode.id(vertx);
    String owner = (node == null ? "" : node + "/") + UUID.randomUUID();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    return acquire(name, owner, deadline).compose(v -> run(name, owner, work));
  }

  private Future<Void> acquire(String name, String owner, long deadline) {
    return deaths.resent(() -> store.acquireLock(new AcquireLock(name, owner, leaseMs)))
        .compose(reply -> {
          // Held by this very owner: an acquisition that landed although its answer was lost, then resent.
          if (reply.held() || owner.equals(reply.holder())) {
            return Future.succeededFuture();
          }
          if (heldByDeparted(reply.holder())) {
            LOG.info("lock {} is held by a node that left the cluster: released without waiting out its lease", name);
            return deaths.resent(() -> store.releaseLock(new ReleaseLock(name, reply.holder())))
                .compose(released -> acquire(name, owner, deadline));
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

  private boolean heldByDeparted(String holder) {
    int slash = holder == null ? -1 : holder.indexOf('/');
    return slash > 0 && departed.contains(holder.substring(0, slash));
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
