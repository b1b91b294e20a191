package dev.trunkline.retell;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The bucket's arithmetic, on a hand-driven clock: no sleeping, no timing. */
class TokenBucketTest {
  private static final long MS = 1_000_000L;

  @Test
  void burstGoesAtOnceThenEachRequestIsScheduledOneIntervalLater() {
    TokenBucket bucket = new TokenBucket(10, 3, 100, 0);
    assertThat(bucket.reserve(0)).isZero();
    assertThat(bucket.reserve(0)).isZero();
    assertThat(bucket.reserve(0)).isZero();
    // 10/s: the 4th request waits 100 ms, the 5th 200 ms: queued in arrival order, no spinning.
    assertThat(bucket.reserve(0)).isEqualTo(100 * MS);
    assertThat(bucket.reserve(0)).isEqualTo(200 * MS);
    // 150 ms later the 4th has gone; a new request lines up behind the 5th.
    assertThat(bucket.reserve(150 * MS)).isEqualTo(150 * MS);
  }

  @Test
  void fullQueueIsRefusedAndSaysWhenASlotFrees() {
    TokenBucket bucket = new TokenBucket(10, 1, 2, 0);
    assertThat(bucket.reserve(0)).isZero();
    assertThat(bucket.reserve(0)).isEqualTo(100 * MS);
    assertThat(bucket.reserve(0)).isEqualTo(200 * MS);
    assertThat(bucket.reserve(0)).isEqualTo(TokenBucket.REFUSED);
    assertThat(bucket.nanosUntilQueueSlot(0)).isEqualTo(100 * MS);
    assertThat(bucket.reserve(100 * MS)).isEqualTo(200 * MS);
  }

  @Test
  void zeroQueueMeansNoWaiting() {
    TokenBucket bucket = new TokenBucket(5, 1, 0, 0);
    assertThat(bucket.reserve(0)).isZero();
    assertThat(bucket.reserve(0)).isEqualTo(TokenBucket.REFUSED);
    assertThat(bucket.reserve(200 * MS)).isZero();
  }

  @Test
  void refillNeverExceedsTheBurst() {
    TokenBucket bucket = new TokenBucket(100, 2, 10, 0);
    long later = 60_000 * MS;
    assertThat(bucket.reserve(later)).isZero();
    assertThat(bucket.reserve(later)).isZero();
    assertThat(bucket.reserve(later)).isGreaterThan(0);
    assertThat(bucket.isIdle(later)).isFalse();
    assertThat(bucket.isIdle(later + 1_000 * MS)).isTrue();
  }

  @Test
  void dueTimesOfAThousandRequestsRespectBurstPlusRateInEveryWindow() {
    double rate = 50;
    int burst = 5;
    TokenBucket bucket = new TokenBucket(rate, burst, 1_000, 0);
    List<Long> due = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      long now = i * MS; // arrivals faster than the rate
      long wait = bucket.reserve(now);
      assertThat(wait).isNotEqualTo(TokenBucket.REFUSED);
      due.add(now + wait);
    }
    long window = 1_000 * MS;
    for (int i = 0; i < due.size(); i++) {
      int j = i;
      while (j < due.size() && due.get(j) < due.get(i) + window) {
        j++;
      }
      assertThat(j - i).as("requests due in the 1 s window from #%d", i).isLessThanOrEqualTo(burst + (int) rate);
    }
  }
}
