package dev.trunkline.retell;

import dev.trunkline.contract.Errors;
import dev.trunkline.contract.RetellMessages.Codes;
import dev.trunkline.contract.ServiceException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.LocalMap;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The client-side rate limit towards Retell: one {@link KeyPacer} per API key, shared by every verticle
 * instance of a Vert.x instance (they live in its local shared data), so N instances together keep the
 * configured rate rather than N times it.
 *
 * <p>Buckets are keyed by {@link ApiKeys#fingerprint}, never by the key itself. A waiting request waits on a
 * timer of its own context and takes its token there, just before it is sent; a full queue fails at once
 * with 429 {@code RETELL_RATE_LIMITED}. One RateLimiter per verticle instance, buckets shared.
 *
 * <p>Across nodes ({@code retell.sharedBudgetSyncMs} > 0, the default): each instance runs a timer that syncs the
 * node's buckets with their cluster-wide budgets ({@link SharedBudget}), so nodes serving one key share its rate;
 * a key's first request and a 429 that cuts the rate start a sync at once. Requests never wait for a sync.
 */
final class RateLimiter {
  static final String SHARED_MAP = "trunkline.retell.rate-limiters";
  /** Above this many buckets, idle ones are swept when a new key arrives (bounds memory for many keys). */
  static final int SWEEP_ABOVE = 10_000;

  private final Vertx vertx;
  private final LocalMap<String, KeyPacer> buckets;
  private final RetellConfig config;
  private final int burst;
  private final int maxQueue;
  private final LongSupplier clock;
  /** This instance's waiting requests (a verticle instance runs on one context, so no locking). */
  private final Set<Waiter> pending = new HashSet<>();
  /** The cluster-wide budgets, or null when each node keeps its own ({@code sharedBudgetSyncMs} 0). */
  private final SharedBudget shared;
  private final long syncTimer;

  RateLimiter(Vertx vertx, RetellConfig config) {
    this(vertx, config, System::nanoTime);
  }

  RateLimiter(Vertx vertx, RetellConfig config, LongSupplier clock) {
    this.vertx = vertx;
    this.buckets = vertx.sharedData().getLocalMap(SHARED_MAP);
    this.config = config;
    this.burst = config.rateLimitBurst();
    this.maxQueue = config.rateLimitMaxQueue();
    this.clock = clock;
    this.shared = config.sharedBudgetSyncMs() > 0 ? SharedBudget.forNode(vertx, config) : null;
    this.syncTimer = shared == null ? -1 : vertx.setPeriodic(shared.syncMs(), t -> syncAll());
  }

  /** Every bucket with something to report (each instance's timer tries; a key syncs once per period). */
  private void syncAll() {
    buckets.forEach((fingerprint, bucket) -> shared.maybeSync(fingerprint, bucket, false, clock));
  }

  /** The clock the buckets run on, for a caller that reports when its request left ({@link #throttled}). */
  long now() {
    return clock.getAsLong();
  }

  /**
   * Retell answered 429 to this key's request sent at {@code sentNanos}: the key's rate is cut and no request of
   * it leaves for {@code holdMs} ({@link KeyPacer#throttled}).
   */
  void throttled(String keyFingerprint, long sentNanos, long holdMs) {
    long now = clock.getAsLong();
    KeyPacer bucket = bucketFor(keyFingerprint, now);
    if (bucket.throttled(now, sentNanos, TimeUnit.MILLISECONDS.toNanos(holdMs)) && shared != null) {
      // The other nodes should slow down now, not at the next period.
      shared.maybeSync(keyFingerprint, bucket, true, clock);
    }
  }

  /** Retell accepted this key's request: its rate probes upward. */
  void accepted(String keyFingerprint) {
    KeyPacer bucket = buckets.get(keyFingerprint);
    if (bucket != null) {
      bucket.accepted();
    }
  }

  /** The key's current rate (requests per second), for metrics and tests. */
  double ratePerSecond(String keyFingerprint) {
    KeyPacer bucket = buckets.get(keyFingerprint);
    return bucket == null ? config.rateLimitPerSecond() : bucket.ratePerSecond();
  }

  /**
   * Completes, on the caller's context, when the request for this key may go (its token taken), in the
   * tenant's fair share of the key's rate and the bus request's share of the tenant's ({@link KeyPacer}); fails with 429 when too many of the tenant's
   * requests (or of the key's) already wait.
   */
  Future<Void> acquire(String keyFingerprint, String tenant, String requestId) {
    long now = clock.getAsLong();
    KeyPacer bucket = bucketFor(keyFingerprint, now);
    if (shared != null && bucket.neverSynced()) {
      shared.maybeSync(keyFingerprint, bucket, true, clock); // learn the key's share before the first period ends
    }
    KeyPacer.Ticket ticket = bucket.acquire(now, tenant, requestId);
    if (ticket == null) {
      long retryAfterMs = TimeUnit.NANOSECONDS.toMillis(bucket.nanosUntilNextToken(now)) + 1;
      return Future.failedFuture(new ServiceException(Errors.TOO_MANY_REQUESTS, Codes.RATE_LIMITED,
          "too many Retell requests of this tenant are queued for this API key",
          new JsonObject().put("limiter", "client").put("retryAfterMs", retryAfterMs)));
    }
    if (ticket.immediate()) {
      return Future.succeededFuture();
    }
    Waiter waiter = new Waiter(bucket, ticket, Promise.promise());
    pending.add(waiter);
    comeBack(waiter, ticket.checkAfterNanos());
    return waiter.turn().future();
  }

  /**
   * The waiter's own timer, on its own context: take the token there, right before the request is sent, or
   * set the timer again. Rounded up to whole milliseconds: coming back early only costs another timer.
   */
  private void comeBack(Waiter waiter, long afterNanos) {
    long delayMs = Math.max(1, (afterNanos + 999_999) / 1_000_000);
    waiter.timerId = vertx.setTimer(delayMs, id -> {
      long again = waiter.bucket().tryTake(clock.getAsLong(), waiter.ticket());
      if (again == 0) {
        pending.remove(waiter);
        waiter.turn().complete();
      } else {
        comeBack(waiter, again);
      }
    });
  }

  /** The verticle stops: its waiters give their places back and fail (their timers die with the verticle). */
  void close() {
    if (syncTimer >= 0) {
      vertx.cancelTimer(syncTimer);
    }
    for (Waiter waiter : List.copyOf(pending)) {
      vertx.cancelTimer(waiter.timerId);
      waiter.bucket().abandon(waiter.ticket());
      waiter.turn().tryFail(new ServiceException(Errors.UNAVAILABLE, "SERVICE_UNAVAILABLE",
          "the Retell service is stopping"));
    }
    pending.clear();
  }

  private KeyPacer bucketFor(String keyFingerprint, long now) {
    KeyPacer existing = buckets.get(keyFingerprint);
    if (existing != null) {
      return existing;
    }
    if (buckets.size() >= SWEEP_ABOVE) {
      // A full bucket equals a fresh one, so dropping it changes no limit (bar a request racing the sweep).
      buckets.forEach((k, b) -> {
        if (b.isIdle(now)) {
          buckets.removeIfPresent(k, b);
        }
      });
    }
    return buckets.computeIfAbsent(keyFingerprint,
        k -> new KeyPacer(new AdaptiveRate(config.rateLimitPerSecond(), config.rateLimitMinPerSecond(),
            config.rateLimitDecreaseFactor(), config.rateLimitIncreasePerSecond()), burst, maxQueue, now,
            // Other nodes may be spending the key's burst already: a shared bucket earns its own.
            shared == null ? burst : 1));
  }

  /** A request waiting for its token; only its own verticle's context touches it. */
  private static final class Waiter {
    private final KeyPacer bucket;
    private final KeyPacer.Ticket ticket;
    private final Promise<Void> turn;
    private long timerId;

    Waiter(KeyPacer bucket, KeyPacer.Ticket ticket, Promise<Void> turn) {
      this.bucket = bucket;
      this.ticket = ticket;
      this.turn = turn;
    }

    KeyPacer bucket() {
      return bucket;
    }

    KeyPacer.Ticket ticket() {
      return ticket;
    }

    Promise<Void> turn() {
      return turn;
    }
  }
}
