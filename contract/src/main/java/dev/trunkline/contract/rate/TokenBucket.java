package dev.trunkline.contract.rate;

/**
 * The product's token bucket: holds up to {@code burst} tokens and refills continuously at {@code perSecond}. A
 * taker never waits here; it learns how long until a token is free ({@link #nanosUntil}) and decides what to do
 * (the gateway answers 429, the Retell client queues and comes back on a timer).
 *
 * <p>Rate and burst may change at any time ({@link #setRate}, {@link #setBurst}): the Retell client adapts its rate
 * to Retell's 429s and shares a key's rate between nodes; the gateway reads its limits from configuration. A new rate
 * applies from the last time the bucket was looked at. A {@link #hold} spends the balance and lets no token go before
 * it ends (an upstream's {@code Retry-After}); refill starts again when it ends.
 *
 * <p>Time is passed in ({@code System.nanoTime()} or a test clock), so the bucket has no clock of its own and a test
 * needs no sleep. Thread-safe: every method holds the bucket's lock for a few arithmetic operations.
 */
public final class TokenBucket {
  private double perSecond;
  private double burst;
  private double tokens;
  private long lastNanos;
  private long holdUntilNanos;
  private boolean holding;

  /**
   * @param perSecond refill rate, tokens per second (positive)
   * @param burst most tokens held
   * @param initialTokens what it holds at first (at most {@code burst})
   */
  public TokenBucket(double perSecond, double burst, double initialTokens, long nowNanos) {
    this.perSecond = perSecond;
    this.burst = burst;
    this.tokens = Math.min(burst, initialTokens);
    this.lastNanos = nowNanos;
  }

  /** A full bucket. */
  public static TokenBucket full(double perSecond, double burst, long nowNanos) {
    return new TokenBucket(perSecond, burst, burst, nowNanos);
  }

  /** Takes a token if one is free; false when none is (or a hold runs). */
  public synchronized boolean tryTake(long nowNanos) {
    return tryTake(nowNanos, 0);
  }

  /**
   * Takes a token only when one is left after {@code reserved} tokens (kept for takers ahead in some queue of the
   * caller's).
   */
  public synchronized boolean tryTake(long nowNanos, long reserved) {
    refill(nowNanos);
    if (held(nowNanos) || tokens < reserved + 1) {
      return false;
    }
    tokens -= 1;
    return true;
  }

  /** Nanoseconds until {@code needed} tokens are there and no hold runs (0: now). */
  public synchronized long nanosUntil(long nowNanos, double needed) {
    refill(nowNanos);
    double missing = needed - tokens;
    long hold = holdNanos(nowNanos);
    return missing <= 0 ? hold : hold + (long) Math.ceil(missing / (perSecond / 1e9));
  }

  /** Spends the balance (never below 0) and lets no token go for {@code holdNanos}; a longer hold running stays. */
  public synchronized void hold(long nowNanos, long holdNanos) {
    refill(nowNanos);
    tokens = Math.min(tokens, 0);
    long until = nowNanos + Math.max(0, holdNanos);
    if (!holding || until - holdUntilNanos > 0) {
      holdUntilNanos = until;
      holding = true;
    }
    // Refill restarts when the hold ends.
    if (holdUntilNanos - lastNanos > 0) {
      lastNanos = holdUntilNanos;
    }
  }

  /** Nanoseconds the running hold still lasts (0 when none runs). */
  public synchronized long holdNanos(long nowNanos) {
    return held(nowNanos) ? holdUntilNanos - nowNanos : 0;
  }

  /** Full, with no hold: the same as a new bucket, so a caller may drop it. */
  public synchronized boolean isFull(long nowNanos) {
    refill(nowNanos);
    return tokens >= burst && !held(nowNanos);
  }

  /** Sets the refill rate (positive); it applies from the last time the bucket was looked at. */
  public synchronized void setRate(double newPerSecond) {
    perSecond = newPerSecond;
  }

  /** Sets the most it holds; a balance above it is cut to it. */
  public synchronized void setBurst(double newBurst) {
    burst = newBurst;
    tokens = Math.min(tokens, burst);
  }

  public synchronized double perSecond() {
    return perSecond;
  }

  public synchronized double burst() {
    return burst;
  }

  /** The balance now (fractions count: 0.5 is half way to the next token). */
  public synchronized double tokens(long nowNanos) {
    refill(nowNanos);
    return tokens;
  }

  private boolean held(long nowNanos) {
    return holding && holdUntilNanos - nowNanos > 0;
  }

  private void refill(long nowNanos) {
    long elapsed = nowNanos - lastNanos;
    if (elapsed > 0) {
      tokens = Math.min(burst, tokens + elapsed * (perSecond / 1e9));
      lastNanos = nowNanos;
    }
  }
}
