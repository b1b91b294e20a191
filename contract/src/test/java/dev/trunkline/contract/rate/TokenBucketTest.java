package dev.trunkline.contract.rate;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The product's token bucket, on a test clock (nanoseconds passed in). */
class TokenBucketTest {
  private static final long SECOND = 1_000_000_000L;

  @Test
  void aFullBucketLetsItsBurstGoThenOneTokenPerIntervalAndNeverHoldsMoreThanItsBurst() {
    TokenBucket bucket = TokenBucket.full(10, 3, 0);
    assertThat(bucket.tryTake(0)).isTrue();
    assertThat(bucket.tryTake(0)).isTrue();
    assertThat(bucket.tryTake(0)).isTrue();
    assertThat(bucket.tryTake(0)).as("burst spent").isFalse();
    assertThat(bucket.nanosUntil(0, 1)).isEqualTo(SECOND / 10);
    assertThat(bucket.tryTake(SECOND / 10)).isTrue();
    assertThat(bucket.tryTake(SECOND / 10)).isFalse();
    assertThat(bucket.tokens(100 * SECOND)).as("an hour idle still holds only the burst").isEqualTo(3.0);
    assertThat(bucket.isFull(100 * SECOND)).isTrue();
  }

  @Test
  void aTakerBehindOthersGetsATokenOnlyWhenThereIsOneForEachOfThemToo() {
    TokenBucket bucket = new TokenBucket(10, 5, 2, 0);
    assertThat(bucket.tryTake(0, 2)).as("two tokens, two ahead").isFalse();
    assertThat(bucket.tryTake(0, 1)).isTrue();
    assertThat(bucket.nanosUntil(0, 3)).isEqualTo(2 * SECOND / 10);
  }

  @Test
  void aHoldSpendsTheBalanceAndLetsNothingGoUntilItEndsThenRefillStartsAgain() {
    TokenBucket bucket = TokenBucket.full(10, 5, 0);
    bucket.hold(0, SECOND);
    assertThat(bucket.tryTake(SECOND / 2)).isFalse();
    assertThat(bucket.holdNanos(SECOND / 2)).isEqualTo(SECOND / 2);
    assertThat(bucket.nanosUntil(0, 1)).isEqualTo(SECOND + SECOND / 10);
    bucket.hold(0, SECOND / 4);
    assertThat(bucket.holdNanos(0)).as("a shorter hold does not end a longer one").isEqualTo(SECOND);
    assertThat(bucket.tryTake(SECOND)).as("no token refilled during the hold").isFalse();
    assertThat(bucket.tryTake(SECOND + SECOND / 10)).isTrue();
    assertThat(bucket.isFull(SECOND + SECOND / 10)).isFalse();
  }

  @Test
  void rateAndBurstMayChangeAndARateAppliesFromTheLastLook() {
    TokenBucket bucket = new TokenBucket(10, 10, 0, 0);
    bucket.setRate(20);
    assertThat(bucket.tokens(SECOND / 2)).isEqualTo(10.0);
    bucket.setBurst(4);
    assertThat(bucket.tokens(SECOND / 2)).as("cut to the new burst").isEqualTo(4.0);
    assertThat(bucket.perSecond()).isEqualTo(20.0);
    assertThat(bucket.burst()).isEqualTo(4.0);
  }

  @Test
  void aClockThatGoesBackRefillsNothing() {
    TokenBucket bucket = new TokenBucket(10, 5, 1, SECOND);
    assertThat(bucket.tokens(0)).isEqualTo(1.0);
    assertThat(bucket.tryTake(0)).isTrue();
    assertThat(bucket.tryTake(0)).isFalse();
  }
}
