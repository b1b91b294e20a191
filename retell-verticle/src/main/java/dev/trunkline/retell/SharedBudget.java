package dev.trunkline.retell;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One budget per Retell key across the cluster: the nodes that serve a key share the rate it has learnt, so N
 * Retell nodes together send what one would (issue 12, item 2).
 *
 * <p>The key's budget is one entry of a cluster-wide shared-data map ({@link #MAP}, Hazelcast in a cluster, local
 * otherwise: one code path), under the key's fingerprint, never the key: the learnt rate (AIMD, {@link
 * AdaptiveRate}'s rules), when it was last cut, until when Retell asked everyone to wait (Retry-After), and one
 * lease per node that has demand for the key (what it would like to send per second, and when the lease
 * expires). Every {@code retell.sharedBudgetSyncMs} each node with demand (or a lease to give up) reads the
 * entry, folds in what it saw since its last sync, and writes it back with a compare-and-set:
 *
 * <ul>
 *   <li>a 429 that cut the rate here cuts the shared rate once per episode: only when the refused request left
 *       after the shared rate's last cut (another node's 429 of the same burst does not cut it again);
 *   <li>requests Retell accepted raise the shared rate by {@code increasePerSecond / rate} each, so the key grows
 *       by {@code increasePerSecond} per second however many nodes send;
 *   <li>this node renews its lease (expiring after {@link #LEASE_PERIODS} periods) or, with no demand left,
 *       drops it; leases past their expiry are dropped by whoever writes next, so a node that died returns its
 *       share within the lease time.
 * </ul>
 *
 * <p>Each node then refills its local {@link KeyPacer} at its share ({@link #shareOf}: max-min fair by the
 * nodes' demand, what is left over split evenly, so the shares always add up to the key's rate) with its part of
 * the burst. Shared data is never on a request's path: requests take tokens from the local bucket, the sync runs
 * on a timer (and at once after a local cut). Every operation has a timeout; when the map cannot be read or
 * written, the bucket goes on alone with the node's own adaptation ({@link KeyPacer#solo}) and one line says
 * so, until a sync succeeds again.
 *
 * <p>One per Vert.x instance (in its local shared data), used by every Retell verticle instance of it.
 */
final class SharedBudget implements Shareable {
  private static final Logger LOG = LoggerFactory.getLogger(SharedBudget.class);
  static final String MAP = "trunkline.retell.budgets";
  private static final String LOCAL_MAP = "trunkline.retell.shared-budget";
  /** A lease lives this many sync periods without renewal: a node that died gives its share back in that time. */
  static final int LEASE_PERIODS = 6;
  /** An operation on the shared map may take this many sync periods before the node stops waiting for it. */
  static final int TIMEOUT_PERIODS = 3;
  /** Compare-and-set attempts per sync; a sync that loses them all leaves its report for the next. */
  private static final int CAS_ATTEMPTS = 3;
  /** Keys synced at once per node: a node with demand for very many keys syncs them over several periods. */
  static final int MAX_SYNCS_IN_FLIGHT = 64;

  private final Vertx vertx;
  private final RetellConfig config;
  private final String node = UUID.randomUUID().toString();
  private final long syncNanos;
  private final long leaseMs;
  private final long opTimeoutMs;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicBoolean alone = new AtomicBoolean();
  private volatile Future<AsyncMap<String, String>> map;

  private SharedBudget(Vertx vertx, RetellConfig config) {
    this.vertx = vertx;
    this.config = config;
    this.syncNanos = TimeUnit.MILLISECONDS.toNanos(config.sharedBudgetSyncMs());
    this.leaseMs = config.sharedBudgetSyncMs() * LEASE_PERIODS;
    this.opTimeoutMs = config.sharedBudgetSyncMs() * TIMEOUT_PERIODS;
  }

  /** The node's shared budget, created by the first Retell verticle instance that asks. */
  static SharedBudget forNode(Vertx vertx, RetellConfig config) {
    LocalMap<String, SharedBudget> local = vertx.sharedData().getLocalMap(LOCAL_MAP);
    return local.computeIfAbsent("budget", k -> new SharedBudget(vertx, config));
  }

  long syncMs() {
    return config.sharedBudgetSyncMs();
  }

  /**
   * Syncs the key's bucket unless a sync of it runs or (unless {@code force}) it synced less than a period ago
   * or has nothing to report. Never waits: the sync runs on its own.
   */
  void maybeSync(String fingerprint, KeyPacer bucket, boolean force, LongSupplier clock) {
    // A little under a period: timers of several verticle instances fire a few ms apart.
    if (inFlight.get() >= MAX_SYNCS_IN_FLIGHT || !bucket.claimSync(clock.getAsLong(), syncNanos * 9 / 10, force)) {
      return;
    }
    inFlight.incrementAndGet();
    sync(fingerprint, bucket, clock).onComplete(ar -> inFlight.decrementAndGet());
  }

  /** Reads, updates and writes back the key's entry, then gives the bucket this node's share. */
  Future<Void> sync(String fingerprint, KeyPacer bucket, LongSupplier clock) {
    KeyPacer.Demand demand = bucket.drain(clock.getAsLong());
    String key = "budget:" + fingerprint;
    return map().compose(m -> update(m, key, demand, clock, CAS_ATTEMPTS)).transform(ar -> {
      if (ar.failed()) {
        bucket.undrain(demand);
        bucket.solo(config.rateLimitBurst());
        bucket.syncDone(false, false);
        if (alone.compareAndSet(false, true)) {
          LOG.warn("cluster-wide Retell budget unreachable ({}): each node adapts its per-key rate on its own "
              + "until it is back", ar.cause().getClass().getSimpleName());
        }
        return Future.succeededFuture();
      }
      Budget written = ar.result();
      if (written == null) {
        // Lost every compare-and-set to other nodes: report again next time, keep the share it has.
        bucket.undrain(demand);
        bucket.syncDone(false, false);
        return Future.succeededFuture();
      }
      long now = clock.getAsLong();
      double rate = Math.min(config.rateLimitPerSecond(), written.rate());
      double share = shareOf(written.leases(), node, rate);
      long holdNanos = TimeUnit.MILLISECONDS.toNanos(written.holdUntilMs() - System.currentTimeMillis());
      bucket.share(now, share, config.rateLimitBurst() * share / rate, holdNanos);
      bucket.syncDone(true, written.leases().containsKey(node));
      if (alone.compareAndSet(true, false)) {
        LOG.info("cluster-wide Retell budget reachable again: nodes share each key's rate");
      }
      return Future.succeededFuture();
    });
  }

  /** @return the entry as written, or null when every compare-and-set lost to another node's write */
  private Future<Budget> update(AsyncMap<String, String> m, String key, KeyPacer.Demand demand,
      LongSupplier clock, int attempts) {
    return bounded(m.get(key)).compose(current -> {
      long nowMs = System.currentTimeMillis();
      Budget before = current == null ? Budget.fresh(demand.perSecond()) : Budget.decode(current);
      Budget after = before.fold(node, nowMs, leaseMs, demand, clock.getAsLong(), syncNanos, config);
      Future<Boolean> written;
      if (after.leases().isEmpty() && after.rate() >= config.rateLimitPerSecond() && after.holdUntilMs() <= nowMs) {
        // Nobody sends and nothing was learnt: the entry says what a missing one says, so it goes (bounds the map).
        written = current == null ? Future.succeededFuture(true) : bounded(m.removeIfPresent(key, current));
      } else if (current == null) {
        written = bounded(m.putIfAbsent(key, after.encode())).map(previous -> previous == null);
      } else {
        written = bounded(m.replaceIfPresent(key, current, after.encode()));
      }
      return written.compose(ok -> ok ? Future.succeededFuture(after)
          : attempts > 1 ? update(m, key, demand, clock, attempts - 1) : Future.succeededFuture(null));
    });
  }

  private Future<AsyncMap<String, String>> map() {
    Future<AsyncMap<String, String>> current = map;
    if (current == null || current.failed()) {
      current = bounded(vertx.sharedData().getAsyncMap(MAP));
      map = current;
    }
    return current;
  }

  private <T> Future<T> bounded(Future<T> operation) {
    return operation.timeout(opTimeoutMs, TimeUnit.MILLISECONDS);
  }

  /**
   * This node's share of {@code rate}: max-min fair by demand (a node that wants less than an even split gets what
   * it wants, the rest is split among the others the same way), then whatever nobody wanted split evenly, so the
   * shares add up to the rate and a node whose demand grows has some room at once. A node without a lease (it
   * had no demand at its last sync) assumes it joins as one more.
   */
  static double shareOf(Map<String, Lease> leases, String node, double rate) {
    if (!leases.containsKey(node)) {
      return rate / (leases.size() + 1);
    }
    List<Map.Entry<String, Lease>> byDemand = new ArrayList<>(leases.entrySet());
    byDemand.sort(Comparator.comparingDouble((Map.Entry<String, Lease> e) -> e.getValue().wantPerSecond())
        .thenComparing(Map.Entry::getKey));
    double left = rate;
    double mine = 0;
    for (int i = 0; i < byDemand.size(); i++) {
      double given = Math.min(byDemand.get(i).getValue().wantPerSecond(), left / (byDemand.size() - i));
      left -= given;
      if (byDemand.get(i).getKey().equals(node)) {
        mine = given;
      }
    }
    return mine + left / byDemand.size();
  }

  /** A node's claim on the key's rate: what it would send per second, until when it holds without renewal. */
  record Lease(double wantPerSecond, long expiresMs) {}

  /**
   * The key's cluster-wide budget as stored (JSON text: compare-and-set compares what was read with what is
   * there).
   *
   * @param rate the learnt rate, requests per second
   * @param cutMs when it was last cut (epoch ms); a 429 for a request sent before that is the same episode
   * @param holdUntilMs no request of the key leaves before this (epoch ms): Retell's Retry-After
   * @param leases by node id
   */
  record Budget(double rate, long cutMs, long holdUntilMs, Map<String, Lease> leases) {
    static Budget fresh(double rate) {
      return new Budget(rate, 0, 0, Map.of());
    }

    /** What this node saw since its last sync, folded in; other nodes' expired leases dropped. */
    Budget fold(String node, long nowMs, long leaseMs, KeyPacer.Demand demand, long nowNanos, long periodNanos,
        RetellConfig config) {
      Map<String, Lease> live = new LinkedHashMap<>();
      leases.forEach((id, lease) -> {
        if (lease.expiresMs() > nowMs && !id.equals(node)) {
          live.put(id, lease);
        }
      });
      double next = rate;
      long cut = cutMs;
      long sentMs = nowMs - TimeUnit.NANOSECONDS.toMillis(nowNanos - demand.lastCutSentNanos());
      if (demand.cuts() > 0 && sentMs >= cutMs) {
        double floor = Math.min(config.rateLimitMinPerSecond(), next);
        next = Math.max(floor, next * Math.pow(config.rateLimitDecreaseFactor(), demand.cuts()));
        cut = nowMs;
      } else if (demand.accepted() > 0 && next < config.rateLimitPerSecond()) {
        next = Math.min(config.rateLimitPerSecond(),
            next + config.rateLimitIncreasePerSecond() * demand.accepted() / next);
      }
      long hold = demand.holdNanos() > 0
          ? Math.max(holdUntilMs, nowMs + TimeUnit.NANOSECONDS.toMillis(demand.holdNanos())) : holdUntilMs;
      if (demand.any()) {
        double want = (demand.taken() + demand.waiting()) * 1e9 / periodNanos;
        live.put(node, new Lease(Math.max(want, 1), nowMs + leaseMs));
      }
      return new Budget(next, cut, hold, live);
    }

    String encode() {
      JsonObject nodes = new JsonObject();
      leases.forEach((id, lease) -> nodes.put(id, new JsonObject().put("w", lease.wantPerSecond())
          .put("e", lease.expiresMs())));
      return new JsonObject().put("r", rate).put("c", cutMs).put("h", holdUntilMs).put("n", nodes).encode();
    }

    static Budget decode(String text) {
      JsonObject json = new JsonObject(text);
      Map<String, Lease> leases = new LinkedHashMap<>();
      JsonObject nodes = json.getJsonObject("n", new JsonObject());
      for (String id : nodes.fieldNames()) {
        JsonObject lease = nodes.getJsonObject(id);
        leases.put(id, new Lease(lease.getDouble("w", 1.0), lease.getLong("e", 0L)));
      }
      return new Budget(json.getDouble("r"), json.getLong("c", 0L), json.getLong("h", 0L), leases);
    }
  }
}
