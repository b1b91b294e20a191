package dev.trunkline.provisioning;

import dev.trunkline.contract.ServiceException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which SIP username each running writer of a tenant (purchase, import, fix, rotation) may be handing to Retell,
 * kept in a cluster-wide shared-data map, so that a rotation deletes the old credential only after every writer
 * that could still write it has ended.
 *
 * <p>The handshake that makes this safe across gateway nodes. A writer (1) registers a lease with the username
 * still undecided, (2) then reads the tenant's credentials and picks the one to hand out (the rotation's new one
 * once Twilio has it, else the active one), (3) records that username on its lease, and removes the lease after
 * its last Retell write and store save. A rotation (a) makes the new credential the one handed out (begin records
 * its SID), then (b) waits until every lease of the tenant names the new username, then verifies every number and
 * only then finishes. A writer that picked the old credential read the credentials before (a), so it registered
 * before (a), so (b), which reads the leases after (a), sees its lease and waits for it; a writer registering
 * after (b) read the leases reads the credentials after (a) and picks the new one. Either way nothing writes the
 * old credential to Retell after the rotation's verification looked.
 *
 * <p>"Ended" includes the writer's Retell writes: a lease stays while one of them is unanswered, and is left to
 * expire rather than removed when one ended in a timeout, since the Retell service may still land it
 * ({@link Lease#watch}).
 *
 * <p>Leases expire ({@code ttlMs}) so that a gateway node that dies mid-request cannot block rotations forever;
 * a live lease is refreshed every third of that, and a writer's requests all end within their own timeouts.
 */
public final class CredentialLeases {
  private static final Logger LOG = LoggerFactory.getLogger(CredentialLeases.class);
  public static final String MAP = "trunkline.credential-leases";
  /** A registered writer that has not read the credentials yet: it may still pick the old one. */
  static final String UNDECIDED = "?";
  private static final long POLL_MS = 100;

  private final Vertx vertx;
  private final long ttlMs;
  private final long opTimeoutMs;
  private Future<AsyncMap<String, String>> map;

  /**
   * @param ttlMs how long a lease lives without being refreshed
   * @param opTimeoutMs the limit of each operation on the shared map (in a cluster, a Hazelcast round trip)
   */
  CredentialLeases(Vertx vertx, long ttlMs, long opTimeoutMs) {
    this.vertx = vertx;
    this.ttlMs = ttlMs;
    this.opTimeoutMs = opTimeoutMs;
  }

  private Future<AsyncMap<String, String>> map() {
    if (map == null || map.failed()) {
      map = bounded(vertx.sharedData().getAsyncMap(MAP));
    }
    return map;
  }

  /** Every shared-data operation has a time limit, like every bus request. */
  private <T> Future<T> bounded(Future<T> operation) {
    return operation.timeout(opTimeoutMs, TimeUnit.MILLISECONDS);
  }

  /** Registers a lease for the tenant with the username undecided; fails 503 when the map is unreachable. */
  Future<Lease> open(String subaccountId) {
    String key = subaccountId + "/" + UUID.randomUUID();
    return map().compose(m -> bounded(m.put(key, UNDECIDED, ttlMs)).map(v -> new Lease(m, key)))
        .recover(err -> Future.failedFuture(unavailable(err)));
  }

  /** The usernames the tenant's live leases name ({@link #UNDECIDED} for a writer that has not picked yet). */
  Future<List<String>> usernames(String subaccountId) {
    String prefix = subaccountId + "/";
    return map().compose(m -> bounded(m.entries())).map(entries -> {
      List<String> out = new ArrayList<>();
      for (Map.Entry<String, String> e : entries.entrySet()) {
        if (e.getKey().startsWith(prefix)) {
          out.add(e.getValue());
        }
      }
      return out;
    }).recover(err -> Future.failedFuture(unavailable(err)));
  }

  /**
   * Completes once every live lease of the tenant names {@code username}; fails with 409
   * {@code OLD_CREDENTIAL_IN_USE} when some writer still holds another credential after {@code timeoutMs}.
   */
  Future<Void> awaitOnly(String subaccountId, String username, long timeoutMs) {
    Promise<Void> done = Promise.promise();
    long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
    poll(subaccountId, username, deadline, done);
    return done.future();
  }

  private void poll(String subaccountId, String username, long deadline, Promise<Void> done) {
    usernames(subaccountId).onComplete(ar -> {
      if (ar.failed()) {
        done.fail(ar.cause());
        return;
      }
      long others = ar.result().stream().filter(u -> !username.equals(u)).count();
      if (others == 0) {
        done.complete();
      } else if (System.nanoTime() >= deadline) {
        done.fail(new ServiceException(409, "OLD_CREDENTIAL_IN_USE", others + " purchase, import or fix"
            + " request(s) that started before the rotation may still be giving Retell the old credential; both"
            + " credentials stay valid, re-run the rotation when they have finished",
            new JsonObject().put("writers", others)));
      } else {
        vertx.setTimer(POLL_MS, t -> poll(subaccountId, username, deadline, done));
      }
    });
  }

  private static ServiceException unavailable(Throwable err) {
    LOG.warn("credential lease map unavailable: {}", err.getClass().getSimpleName());
    return new ServiceException(503, "SERVICE_UNAVAILABLE",
        "the cluster's shared data is not available; retry shortly");
  }

  /**
   * One writer's lease. It lives while the writer runs and while any Retell write it started is still
   * unanswered (a fan-out may stop waiting for a number before the bus request ends); a write that ended in a
   * timeout may still land later, so then the lease is left to expire rather than removed. Removing it is best
   * effort: a lease that is not removed expires.
   */
  final class Lease {
    private final AsyncMap<String, String> map;
    private final String key;
    private final long refreshTimer;
    private final Promise<Void> ended = Promise.promise();
    private volatile String username = UNDECIDED;
    // Guarded by "this".
    private boolean closed;
    private boolean lingering;
    private boolean released;
    private int writesInFlight;

    private Lease(AsyncMap<String, String> map, String key) {
      this.map = map;
      this.key = key;
      this.refreshTimer = vertx.setPeriodic(Math.max(1, ttlMs / 3), t -> {
        synchronized (this) {
          if (released) {
            return;
          }
        }
        bounded(map.put(key, username, ttlMs)).onFailure(err -> LOG.warn(
            "could not refresh a credential lease: {}", err.getClass().getSimpleName()));
      });
    }

    /** Records the username this writer hands to Retell. */
    Future<Void> use(String picked) {
      username = picked;
      return bounded(map.put(key, picked, ttlMs)).recover(err -> Future.failedFuture(unavailable(err)));
    }

    /**
     * Watches a Retell write this writer just sent with the handed-out credential. The lease outlives the writer
     * until the write is answered; when the answer is a timeout (504: the Retell service may still be retrying,
     * so the write can land later) the lease is left to expire a full {@code ttlMs} after the writer ends, longer
     * than the Retell service's retries take.
     */
    <T> Future<T> watch(Future<T> write) {
      synchronized (this) {
        writesInFlight++;
      }
      return write.andThen(ar -> {
        boolean release;
        synchronized (this) {
          writesInFlight--;
          if (ar.failed() && ar.cause() instanceof ServiceException se && se.status() == 504) {
            lingering = true;
          }
          release = closed && writesInFlight == 0 && !released;
          released |= release;
        }
        if (release) {
          release();
        }
      });
    }

    /** The writer has ended; the lease goes once its writes are answered. Completes when it is gone or left. */
    Future<Void> close() {
      boolean release;
      synchronized (this) {
        closed = true;
        release = writesInFlight == 0 && !released;
        released |= release;
      }
      if (release) {
        release();
      }
      return ended.future();
    }

    private void release() {
      vertx.cancelTimer(refreshTimer);
      boolean keep;
      synchronized (this) {
        keep = lingering;
      }
      Future<Void> done = keep
          // A write whose outcome is unknown: one last full TTL, then it expires on its own.
          ? bounded(map.put(key, username, ttlMs))
          : bounded(map.remove(key)).mapEmpty();
      done.onComplete(ar -> {
        if (ar.failed()) {
          LOG.warn("could not release a credential lease (it expires): {}", ar.cause().getClass().getSimpleName());
        }
        ended.tryComplete();
      });
    }
  }
}
