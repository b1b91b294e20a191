package dev.trunkline.gateway;

import dev.trunkline.contract.rate.TokenBucket;
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

  private final ConcurrentHashMap<String, TokenBucket> buckets = new ConcurrentHashMap<>();

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
      buckets.values().removeIf(b -> b.isFull(now));
    }
    TokenBucket bucket = buckets.computeIfAbsent(tenant + '|' + route,
        k -> PerMinuteLimit.bucket(requestsPerMinute, now));
    return PerMinuteLimit.take(bucket, requestsPerMinute, now);
  }
}
