package dev.trunkline.gateway;

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
 * <p>Leases expire ({@code ttlMs}) so that a gateway node that dies mid-request cannot block rotations forever;
 * a live lease is refreshed every third of that, and a writer's requests all end within their own timeouts.
 */
final class CredentialLeases {
  private static final Logger LOG = LoggerFactory.getLogger(CredentialLeases.class);
  static final String MAP = "trunkline.credential-leases";
  /** A registered writer that has not read the credentials yet: it may still pick the old one. */
  static final String UNDECIDED = "?";
  private static final long POLL_MS = 100;

  private final Vertx vertx;
  private final long ttlMs;
  private Future<AsyncMap<String, String>> map;

  CredentialLeases(Vertx vertx, long ttlMs) {
    this.vertx = vertx;
    this.ttlMs = ttlMs;
  }

  private Future<AsyncMap<String, String>> map() {
    if (map == null || map.failed()) {
      map = vertx.sharedData().getAsyncMap(MAP);
    }
    return map;
  }

  /** Registers a lease for the tenant with the username undecided; fails 503 when the map is unreachable. */
  Future<Lease> open(String subaccountId) {
    String key = subaccountId + "/" + UUID.randomUUID();
    return map().compose(m -> m.put(key, UNDECIDED, ttlMs).map(v -> new Lease(m, key)))
        .recover(err -> Future.failedFuture(unavailable(err)));
  }

  /** The usernames the tenant's live leases name ({@link #UNDECIDED} for a writer that has not picked yet). */
  Future<List<String>> usernames(String subaccountId) {
    String prefix = subaccountId + "/";
    return map().compose(AsyncMap::entries).map(entries -> {
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

  /** One writer's lease. Closing it is best effort: an unclosed lease expires. */
  final class Lease {
    private final AsyncMap<String, String> map;
    private final String key;
    private final long refreshTimer;
    private volatile String username = UNDECIDED;
    private volatile boolean closed;

    private Lease(AsyncMap<String, String> map, String key) {
      this.map = map;
      this.key = key;
      this.refreshTimer = vertx.setPeriodic(Math.max(1, ttlMs / 3), t -> {
        if (!closed) {
          map.put(key, username, ttlMs).onFailure(err -> LOG.warn("could not refresh a credential lease: {}",
              err.getClass().getSimpleName()));
        }
      });
    }

    /** Records the username this writer hands to Retell. */
    Future<Void> use(String picked) {
      username = picked;
      return map.put(key, picked, ttlMs).recover(err -> Future.failedFuture(unavailable(err)));
    }

    Future<Void> close() {
      closed = true;
      vertx.cancelTimer(refreshTimer);
      return map.remove(key).<Void>mapEmpty().recover(err -> {
        LOG.warn("could not remove a credential lease (it expires): {}", err.getClass().getSimpleName());
        return Future.succeededFuture();
      });
    }
  }
}
