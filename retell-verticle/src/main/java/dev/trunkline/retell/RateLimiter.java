package dev.trunkline.retell;

import dev.trunkline.contract.Errors;
import dev.trunkline.contract.RetellMessages.Codes;
import dev.trunkline.contract.ServiceException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.LocalMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The client-side rate limit towards Retell: one {@link TokenBucket} per API key, shared by every verticle
 * instance of a Vert.x instance (they live in its local shared data), so N instances together keep the
 * configured rate rather than N times it.
 *
 * <p>Buckets are keyed by {@link ApiKeys#fingerprint}, never by the key itself. A waiting request waits on a
 * timer on its own context; a full queue fails at once with 429 {@code RETELL_RATE_LIMITED}.
 */
final class RateLimiter {
  static final String SHARED_MAP = "trunkline.retell.rate-limiters";
  /** Above this many buckets, idle ones are swept when a new key arrives (bounds memory for many keys). */
  static final int SWEEP_ABOVE = 10_000;

  private final Vertx vertx;
  private final LocalMap<String, TokenBucket> buckets;
  private final double ratePerSecond;
  private final int burst;
  private final int maxQueue;
  private final LongSupplier clock;

  RateLimiter(Vertx vertx, RetellConfig config) {
    this(vertx, config.rateLimitPerSecond(), config.rateLimitBurst(), config.rateLimitMaxQueue(),
        System::nanoTime);
  }

  RateLimiter(Vertx vertx, double ratePerSecond, int burst, int maxQueue, LongSupplier clock) {
    this.vertx = vertx;
    this.buckets = vertx.sharedData().getLocalMap(SHARED_MAP);
    this.ratePerSecond = ratePerSecond;
    this.burst = burst;
    this.maxQueue = maxQueue;
    this.clock = clock;
  }

  /** Completes when the request for this key may go; fails with 429 when too many already wait. */
  Future<Void> acquire(String keyFingerprint) {
    long now = clock.getAsLong();
    TokenBucket bucket = bucketFor(keyFingerprint, now);
    long waitNanos = bucket.reserve(now);
    if (waitNanos == TokenBucket.REFUSED) {
      long retryAfterMs = TimeUnit.NANOSECONDS.toMillis(bucket.nanosUntilQueueSlot(now)) + 1;
      return Future.failedFuture(new ServiceException(Errors.TOO_MANY_REQUESTS, Codes.RATE_LIMITED,
          "too many Retell requests are queued for this API key",
          new JsonObject().put("limiter", "client").put("retryAfterMs", retryAfterMs)));
    }
    if (waitNanos == 0) {
      return Future.succeededFuture();
    }
    // Round up: waking a millisecond late keeps the bound, waking early would break it.
    long waitMs = Math.max(1, (waitNanos + 999_999) / 1_000_000);
    Promise<Void> due = Promise.promise();
    vertx.setTimer(waitMs, id -> due.complete());
    return due.future();
  }

  private TokenBucket bucketFor(String keyFingerprint, long now) {
    TokenBucket existing = buckets.get(keyFingerprint);
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
        k -> new TokenBucket(ratePerSecond, burst, maxQueue, now));
  }
}
