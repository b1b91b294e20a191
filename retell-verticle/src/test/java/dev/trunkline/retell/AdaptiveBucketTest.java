package dev.trunkline.retell;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** How Retell's 429s drive a key's bucket ({@link AdaptiveRate} inside {@link KeyPacer}), on a hand-driven clock. */
class AdaptiveBucketTest {
  private static final long MS = 1_000_000L;

  private static KeyPacer bucket(double ceiling) {
    // Ceiling 100/s, floor 1/s, x0.5 on a 429, +10/s per second of accepted requests.
    return new KeyPacer(new AdaptiveRate(ceiling, 1, 0.5, 10), 1, 100, 0);
  }

  @Test
  void a429HoldsTheKeyForItsRetryAfterThenRefillsAtTheCutRate() {
    KeyPacer bucket = bucket(100);
    assertThat(bucket.acquire(0).immediate()).isTrue();
    // Retell: 429, Retry-After 1 s. Nothing of this key leaves for that second, not even with a token due.
    bucket.throttled(5 * MS, 0, 1_000 * MS);
    assertThat(bucket.ratePerSecond()).isEqualTo(50.0);
    KeyPacer.Ticket next = bucket.acquire(500 * MS);
    assertThat(next.immediate()).as("held, though 500 ms at 100/s refilled the bucket").isFalse();
    // Its turn: the hold's end (1005 ms) plus one token at the cut rate (20 ms).
    assertThat(next.checkAfterNanos()).isEqualTo(525 * MS);
    assertThat(bucket.tryTake(1_004 * MS, next)).as("still held").isPositive();
    assertThat(bucket.tryTake(1_026 * MS, next)).isZero();
  }

  @Test
  void the429sOfOneEpisodeCutOnceAndALaterOneCutsAgain() {
    KeyPacer bucket = bucket(100);
    // Three requests sent at 0-2 ms, all refused: one signal, one cut.
    bucket.throttled(10 * MS, 0, 0);
    bucket.throttled(11 * MS, 1 * MS, 0);
    bucket.throttled(12 * MS, 2 * MS, 0);
    assertThat(bucket.ratePerSecond()).isEqualTo(50.0);
    // A request sent after the cut, at the cut rate, refused too: the rate is still too high.
    bucket.throttled(40 * MS, 30 * MS, 0);
    assertThat(bucket.ratePerSecond()).isEqualTo(25.0);
  }

  @Test
  void acceptedRequestsProbeUpwardAdditivelyUpToTheCeiling() {
    KeyPacer bucket = bucket(100);
    bucket.throttled(0, 0, 0);
    assertThat(bucket.ratePerSecond()).isEqualTo(50.0);
    // A second's worth of accepted requests at 50/s adds about 10/s (increasePerSecond), not 50 %.
    for (int i = 0; i < 50; i++) {
      bucket.accepted();
    }
    assertThat(bucket.ratePerSecond()).isBetween(59.0, 60.0);
    for (int i = 0; i < 10_000; i++) {
      bucket.accepted();
    }
    assertThat(bucket.ratePerSecond()).isEqualTo(100.0);
  }

  @Test
  void cutsStopAtTheFloor() {
    KeyPacer bucket = bucket(100);
    for (int i = 0; i < 20; i++) {
      bucket.throttled(i * MS, i * MS, 0);
    }
    assertThat(bucket.ratePerSecond()).isEqualTo(1.0);
  }

  @Test
  void aCutBucketIsNeverSweptAsIdle() {
    // Dropping it would forget what Retell taught: a new bucket starts at the ceiling again.
    KeyPacer bucket = bucket(100);
    bucket.throttled(0, 0, 0);
    assertThat(bucket.isIdle(60_000 * MS)).isFalse();
    assertThat(bucket(100).isIdle(60_000 * MS)).isTrue();
  }
}
