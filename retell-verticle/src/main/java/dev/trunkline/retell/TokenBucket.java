package dev.trunkline.retell;

import io.vertx.core.shareddata.Shareable;

/**
 * A token bucket that hands out reservations instead of refusals: a caller that finds no token is told how
 * long to wait for the one reserved for it, so callers queue in arrival order and nobody spins.
 *
 * <p>The bucket holds up to {@code burst} tokens and refills at {@code ratePerSecond}. A reservation taken
 * when the bucket is empty drives the balance below zero; the debt is the queue. At most {@code maxQueue}
 * reservations may be outstanding; beyond that {@link #reserve} refuses. So in any window of {@code W}
 * seconds at most {@code burst + ratePerSecond * W} reservations fall due: the bound the rate limit promises.
 *
 * <p>Thread-safe: verticle instances on different event loops share one bucket per API key.
 */
final class TokenBucket implements Shareable {
  /** Returned by {@link #reserve} when the queue is full. */
  static final long REFUSED = -1;

  private final double ratePerNano;
  private final double burst;
  private final int maxQueue;
  private double tokens;
  private long lastNanos;

  TokenBucket(double ratePerSecond, int burst, int maxQueue, long nowNanos) {
    this.ratePerNano = ratePerSecond / 1e9;
    this.burst = burst;
    this.maxQueue = maxQueue;
    this.tokens = burst;
    this.lastNanos = nowNanos;
  }

  /**
   * Takes a token now or reserves the next free one.
   *
   * @return nanoseconds to wait before the request may go (0: go now), or {@link #REFUSED}
   */
  synchronized long reserve(long nowNanos) {
    refill(nowNanos);
    if (tokens >= 1) {
      tokens -= 1;
      return 0;
    }
    if (tokens - 1 < -maxQueue) {
      return REFUSED;
    }
    long wait = (long) Math.ceil((1 - tokens) / ratePerNano);
    tokens -= 1;
    return wait;
  }

  /** How long until {@link #reserve} would accept again; meaningful right after a refusal. */
  synchronized long nanosUntilQueueSlot(long nowNanos) {
    refill(nowNanos);
    double needed = (1 - maxQueue) - tokens;
    return needed <= 0 ? 0 : (long) Math.ceil(needed / ratePerNano);
  }

  /** A full bucket with nobody waiting behaves exactly like a new one, so it may be dropped. */
  synchronized boolean isIdle(long nowNanos) {
    refill(nowNanos);
    return tokens >= burst;
  }

  private void refill(long nowNanos) {
    long elapsed = nowNanos - lastNanos;
    if (elapsed > 0) {
      tokens = Math.min(burst, tokens + elapsed * ratePerNano);
      lastNanos = nowNanos;
    }
  }
}
