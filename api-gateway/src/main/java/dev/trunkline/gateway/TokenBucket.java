package dev.trunkline.gateway;

/**
 * A token bucket that holds {@code capacity} tokens and refills them continuously over a minute. The capacity
 * is passed on every call (it comes from configuration) rather than fixed at creation.
 */
final class TokenBucket {
  private double tokens;
  private long lastRefill;

  TokenBucket(int capacity, long now) {
    this.tokens = capacity;
    this.lastRefill = now;
  }

  /**
   * Takes a token.
   *
   * @return 0 when one was taken, else the seconds until one is available
   */
  synchronized long take(int capacity, long now) {
    refill(capacity, now);
    if (tokens >= 1) {
      tokens -= 1;
      return 0;
    }
    return secondsToNextToken(capacity);
  }

  /** Like {@link #take} but leaves the token in the bucket: may the next request go ahead? */
  synchronized long peek(int capacity, long now) {
    refill(capacity, now);
    return tokens >= 1 ? 0 : secondsToNextToken(capacity);
  }

  /** Untouched for a minute: refilled to capacity, the same as a new bucket. */
  synchronized boolean idleForAMinute(long now) {
    return now - lastRefill > 60_000_000_000L;
  }

  private void refill(int capacity, long now) {
    tokens = Math.min(capacity, tokens + (now - lastRefill) * perNano(capacity));
    lastRefill = now;
  }

  private long secondsToNextToken(int capacity) {
    return Math.max(1, (long) Math.ceil((1 - tokens) / perNano(capacity) / 1e9));
  }

  private static double perNano(int capacity) {
    return capacity / 60e9;
  }
}
