package dev.trunkline.gateway;

import dev.trunkline.contract.rate.TokenBucket;

/**
 * The gateway's limits are "N requests per minute": the product's {@link TokenBucket} holding N tokens and refilling
 * them continuously over a minute. N comes from configuration on every call rather than being fixed at creation.
 */
final class PerMinuteLimit {
  private PerMinuteLimit() {}

  /** A full bucket for {@code perMinute}. */
  static TokenBucket bucket(int perMinute, long nowNanos) {
    return TokenBucket.full(perMinute / 60.0, perMinute, nowNanos);
  }

  /** Takes a token: 0 when one was taken, else the whole seconds (at least 1) until one is free. */
  static long take(TokenBucket bucket, int perMinute, long nowNanos) {
    limit(bucket, perMinute);
    return bucket.tryTake(nowNanos) ? 0 : seconds(bucket.nanosUntil(nowNanos, 1));
  }

  /** Like {@link #take} but leaves the token: may the next request go ahead? */
  static long peek(TokenBucket bucket, int perMinute, long nowNanos) {
    limit(bucket, perMinute);
    long nanos = bucket.nanosUntil(nowNanos, 1);
    return nanos == 0 ? 0 : seconds(nanos);
  }

  private static void limit(TokenBucket bucket, int perMinute) {
    bucket.setRate(perMinute / 60.0);
    bucket.setBurst(perMinute);
  }

  private static long seconds(long nanos) {
    return Math.max(1, (long) Math.ceil(nanos / 1e9));
  }
}
