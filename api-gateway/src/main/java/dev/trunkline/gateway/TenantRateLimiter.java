package dev.trunkline.gateway;

import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-tenant token buckets, one per (tenant, route) pair, PER NODE: every gateway instance of a JVM shares
 * the same buckets (through the node's local shared data), but nodes of a cluster do not coordinate, so a
 * tenant may get up to {@code nodes x limit} across a cluster.
 *
 * <p>A bucket holds {@code requestsPerMinute} tokens and refills continuously. The number of buckets is
 * bounded: past {@link #MAX_BUCKETS} the full (idle) buckets are dropped, which loses nothing because a
 * full bucket is what a new one would be.
 */
final class TenantRateLimiter implements Shareable {
  static final int MAX_BUCKETS = 100_000;
  private static final String SHARED_KEY = "gateway.rateLimiter";

  private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

  /** The node's limiter, created by the first gateway instance that asks. */
  static TenantRateLimiter forNode(Vertx vertx) {
    LocalMap<String, TenantRateLimiter> map = vertx.sharedData().getLocalMap("trunkline.gateway");
    TenantRateLimiter fresh = new TenantRateLimiter();
    TenantRateLimiter existing = map.putIfAbsent(SHARED_KEY, fresh);
    return existing == null ? fresh : existing;
  }

  /**
   * Takes a token.
   *
   * @return 0 when the request may go ahead, else the seconds to wait before a token is available
   */
  long acquire(String tenant, String route, int requestsPerMinute) {
    long now = System.nanoTime();
    if (buckets.size() > MAX_BUCKETS) {
      buckets.values().removeIf(b -> b.idleForAMinute(now));
    }
    Bucket bucket = buckets.computeIfAbsent(tenant + '|' + route, k -> new Bucket(requestsPerMinute, now));
    return bucket.take(requestsPerMinute, now);
  }

  private static final class Bucket {
    private double tokens;
    private long lastRefill;

    Bucket(int capacity, long now) {
      this.tokens = capacity;
      this.lastRefill = now;
    }

    synchronized long take(int capacity, long now) {
      double perNano = capacity / 60e9;
      tokens = Math.min(capacity, tokens + (now - lastRefill) * perNano);
      lastRefill = now;
      if (tokens >= 1) {
        tokens -= 1;
        return 0;
      }
      return Math.max(1, (long) Math.ceil((1 - tokens) / perNano / 1e9));
    }

    /** Untouched for a minute: refilled to capacity, the same as a new bucket. */
    synchronized boolean idleForAMinute(long now) {
      return now - lastRefill > 60_000_000_000L;
    }
  }
}
