package dev.trunkline.simulators;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * A token bucket per key (capacity = rate, refilled continuously at {@code rate} tokens per second), the way an API
 * gateway limits "N requests per second per API key". Rate 0 disables it. Thread-safe; the key map is an LRU bounded
 * to {@link #MAX_KEYS} so a flood of distinct keys cannot grow memory without bound.
 *
 * <p>Deliberately not the product's {@code contract.rate.TokenBucket}: this models Retell's side of the limit that the
 * Retell client's pacing is tested against, and a simulator that shared the client's arithmetic would agree with any
 * mistake in it (the simulators depend on no product code for that reason).
 */
final class RateLimiter {

  static final int MAX_KEYS = 10_000;

  private final LongSupplier nanoClock;
  private volatile int ratePerSecond;
  /** 429s answered since start (or the last rate change): what a benchmark reads to see how often it was refused. */
  private long rejected;
  private final Map<String, double[]> buckets = new LinkedHashMap<>(64, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, double[]> eldest) {
      return size() > MAX_KEYS;
    }
  };

  RateLimiter(int ratePerSecond, LongSupplier nanoClock) {
    this.ratePerSecond = ratePerSecond;
    this.nanoClock = nanoClock;
  }

  int ratePerSecond() {
    return ratePerSecond;
  }

  synchronized void ratePerSecond(int rate) {
    if (rate < 0) {
      throw new IllegalArgumentException("rate must be >= 0");
    }
    this.ratePerSecond = rate;
    buckets.clear();
    rejected = 0;
  }

  synchronized long rejected() {
    return rejected;
  }

  /**
   * Takes one token for {@code key}. Returns 0 when the request may proceed, otherwise the whole number of seconds
   * (at least 1) after which a token will be available: the {@code Retry-After} value.
   */
  synchronized long acquire(String key) {
    int rate = ratePerSecond;
    if (rate <= 0) {
      return 0;
    }
    long now = nanoClock.getAsLong();
    // bucket[0] = tokens, bucket[1] = time of last refill (nanos)
    double[] bucket = buckets.computeIfAbsent(key, k -> new double[] {rate, now});
    bucket[0] = Math.min(rate, bucket[0] + (now - bucket[1]) / 1e9 * rate);
    bucket[1] = now;
    if (bucket[0] >= 1) {
      bucket[0] -= 1;
      return 0;
    }
    rejected++;
    double secondsToToken = (1 - bucket[0]) / rate;
    return Math.max(1, (long) Math.ceil(secondsToToken));
  }
}
