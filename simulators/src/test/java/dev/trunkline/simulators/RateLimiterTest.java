package dev.trunkline.simulators;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

/** The token bucket on a fake clock: capacity, refill, Retry-After values, per-key buckets, disabling. */
class RateLimiterTest {

  private final AtomicLong now = new AtomicLong(1_000_000_000L);

  @Test
  void allowsTheRateThenAnswersWithTheWaitUntilTheNextToken() {
    RateLimiter limiter = new RateLimiter(4, now::get);
    for (int i = 0; i < 4; i++) {
      assertThat(limiter.acquire("k")).isZero();
    }
    assertThat(limiter.acquire("k")).isEqualTo(1);
    now.addAndGet(250_000_000L);
    assertThat(limiter.acquire("k")).isZero();
    assertThat(limiter.acquire("k")).isEqualTo(1);
    assertThat(limiter.acquire("other")).isZero();
    assertThat(limiter.rejected()).as("429s answered").isEqualTo(2);
  }

  @Test
  void slowRatesAnnounceLongerWaits() {
    RateLimiter limiter = new RateLimiter(1, now::get);
    assertThat(limiter.acquire("k")).isZero();
    assertThat(limiter.acquire("k")).isEqualTo(1);
    now.addAndGet(10_000_000_000L);
    // A long idle period refills only up to the capacity.
    assertThat(limiter.acquire("k")).isZero();
    assertThat(limiter.acquire("k")).isEqualTo(1);
  }

  @Test
  void rateZeroDisablesAndChangingTheRateStartsFresh() {
    RateLimiter limiter = new RateLimiter(0, now::get);
    for (int i = 0; i < 1000; i++) {
      assertThat(limiter.acquire("k")).isZero();
    }
    limiter.ratePerSecond(2);
    assertThat(limiter.acquire("k")).isZero();
    assertThat(limiter.acquire("k")).isZero();
    assertThat(limiter.acquire("k")).isEqualTo(1);
  }
}
