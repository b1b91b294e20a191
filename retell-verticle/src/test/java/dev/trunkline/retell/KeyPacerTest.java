package dev.trunkline.retell;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A key's pacing (fair queue, hold, shares) on a hand-driven clock: no sleeping, no timing. */
class KeyPacerTest {
  private static final long MS = 1_000_000L;

  @Test
  void burstGoesAtOnceThenWaitersAreScheduledOneIntervalApart() {
    KeyPacer bucket = new KeyPacer(10, 3, 100, 0);
    assertThat(bucket.acquire(0).immediate()).isTrue();
    assertThat(bucket.acquire(0).immediate()).isTrue();
    assertThat(bucket.acquire(0).immediate()).isTrue();
    KeyPacer.Ticket d = bucket.acquire(0);
    KeyPacer.Ticket e = bucket.acquire(0);
    // 10/s: the 4th may go in 100 ms, the 5th in 200 ms.
    assertThat(d.checkAfterNanos()).isEqualTo(100 * MS);
    assertThat(e.checkAfterNanos()).isEqualTo(200 * MS);
    // e coming back early gets no token (d is ahead of it) and is told to wait for its turn.
    assertThat(bucket.tryTake(100 * MS, e)).isEqualTo(100 * MS);
    assertThat(bucket.tryTake(100 * MS, d)).isZero();
    assertThat(bucket.tryTake(200 * MS, e)).isZero();
    assertThat(bucket.waiting()).isZero();
  }

  @Test
  void aNewcomerQueuesBehindWaitersEvenWhenATokenIsFree() {
    KeyPacer bucket = new KeyPacer(10, 1, 100, 0);
    bucket.acquire(0);
    KeyPacer.Ticket waiter = bucket.acquire(0);
    // At 150 ms a token is free, but the waiter has not come back yet: the newcomer gets a ticket, not the token.
    KeyPacer.Ticket newcomer = bucket.acquire(150 * MS);
    assertThat(newcomer.immediate()).isFalse();
    assertThat(bucket.tryTake(150 * MS, newcomer)).as("the token is the waiter's").isPositive();
    assertThat(bucket.tryTake(150 * MS, waiter)).isZero();
  }

  @Test
  void aLateWaiterKeepsItsTokenButDoesNotBlockOthersForever() {
    KeyPacer bucket = new KeyPacer(10, 2, 100, 0);
    bucket.acquire(0);
    bucket.acquire(0);
    KeyPacer.Ticket late = bucket.acquire(0);
    KeyPacer.Ticket next = bucket.acquire(0);
    // At 200 ms there are two tokens: one is kept for the late waiter ahead, next takes the other.
    assertThat(bucket.tryTake(200 * MS, next)).isZero();
    assertThat(bucket.tryTake(200 * MS, late)).isZero();
  }

  @Test
  void aStalledLoopReleasesAtMostTheBurst() {
    // Every waiter's timer fires a whole second late, all at once: the balance is capped at the burst.
    KeyPacer bucket = new KeyPacer(10, 2, 100, 0);
    bucket.acquire(0);
    bucket.acquire(0);
    List<KeyPacer.Ticket> waiting = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      waiting.add(bucket.acquire(0));
    }
    int went = 0;
    for (KeyPacer.Ticket t : waiting) {
      if (bucket.tryTake(1_000 * MS, t) == 0) {
        went++;
      }
    }
    assertThat(went).isEqualTo(2);
    assertThat(bucket.waiting()).isEqualTo(8);
  }

  @Test
  void fullQueueIsRefusedAndAbandonedPlacesAreFreed() {
    KeyPacer bucket = new KeyPacer(10, 1, 2, 0);
    assertThat(bucket.acquire(0).immediate()).isTrue();
    KeyPacer.Ticket first = bucket.acquire(0);
    assertThat(first).isNotNull();
    assertThat(bucket.acquire(0)).isNotNull();
    assertThat(bucket.acquire(0)).isNull();
    assertThat(bucket.nanosUntilNextToken(0)).isEqualTo(100 * MS);
    bucket.abandon(first);
    assertThat(bucket.acquire(0)).isNotNull();
  }

  @Test
  void aLaneWithOneRequestGoesNextWhileAnotherLaneHasManyWaiting() {
    // Tenant A floods the shared key with 50 waiting requests; tenant B's one request is served next after
    // A's first, not after all fifty (first come, first served would make it wait five seconds here).
    KeyPacer bucket = new KeyPacer(10, 1, 100, 0);
    assertThat(bucket.acquire(0, "A").immediate()).isTrue();
    List<KeyPacer.Ticket> flood = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      flood.add(bucket.acquire(0, "A"));
    }
    KeyPacer.Ticket b = bucket.acquire(1 * MS, "B");
    // B's turn is estimated at the second token, A's last at the fifty-first.
    assertThat(b.checkAfterNanos()).isLessThanOrEqualTo(200 * MS);
    assertThat(flood.get(49).checkAfterNanos()).isGreaterThanOrEqualTo(5_000 * MS);
    assertThat(bucket.tryTake(100 * MS, flood.get(0))).isZero();
    assertThat(bucket.tryTake(200 * MS, flood.get(1))).as("the token at 200 ms is B's").isPositive();
    assertThat(bucket.tryTake(200 * MS, b)).isZero();
    assertThat(bucket.tryTake(300 * MS, flood.get(1))).isZero();
  }

  @Test
  void aTenantsOneNumberRequestGoesAheadOfItsOwnBulkFix() {
    // Tenant A's fix (one bus request, one flow) has 50 requests waiting; A's one-number fix, another flow,
    // is served after about one of them, not after all fifty.
    KeyPacer bucket = new KeyPacer(10, 1, 100, 0);
    assertThat(bucket.acquire(0, "A", "fix-all").immediate()).isTrue();
    List<KeyPacer.Ticket> bulk = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      bulk.add(bucket.acquire(0, "A", "fix-all"));
    }
    KeyPacer.Ticket single = bucket.acquire(1 * MS, "A", "fix-one");
    assertThat(single.checkAfterNanos()).as("its turn comes about the third token").isLessThanOrEqualTo(300 * MS);
    assertThat(bucket.tryTake(100 * MS, bulk.get(0))).isZero();
    assertThat(bucket.tryTake(200 * MS, bulk.get(1))).isZero();
    assertThat(bucket.tryTake(300 * MS, single)).as("the token at 300 ms is the single request's").isZero();
    // Another tenant still gets its place too: the tenant's flows together step like one lane.
    KeyPacer.Ticket other = bucket.acquire(301 * MS, "B", "fix-one");
    assertThat(other.checkAfterNanos()).isLessThanOrEqualTo(200 * MS);
  }

  @Test
  void aLanesFlowsTogetherKeepTheLanesShare() {
    // Tenant A runs two bulk fixes (two flows), tenant B one: of the next 30 turns B gets about half, not a third.
    KeyPacer bucket = new KeyPacer(10, 1, 1_000, 0);
    bucket.acquire(0, "A", "x");
    List<KeyPacer.Ticket> all = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      all.add(bucket.acquire(0, "A", "fix-1"));
      all.add(bucket.acquire(0, "A", "fix-2"));
      all.add(bucket.acquire(0, "B", "fix-3"));
    }
    long bInFirst30 = all.stream().sorted(java.util.Comparator.comparingLong(KeyPacer.Ticket::rank)
        .thenComparingLong(KeyPacer.Ticket::seq)).limit(30).filter(t -> t.lane().equals("B")).count();
    assertThat(bInFirst30).isBetween(13L, 17L);
  }

  @Test
  void eachLaneHasItsOwnQueueBoundAndTheBucketAnOverallOne() {
    KeyPacer bucket = new KeyPacer(10, 1, 2, 0);
    assertThat(bucket.acquire(0, "A").immediate()).isTrue();
    assertThat(bucket.acquire(0, "A")).isNotNull();
    assertThat(bucket.acquire(0, "A")).isNotNull();
    assertThat(bucket.acquire(0, "A")).as("A's share of the queue is full").isNull();
    assertThat(bucket.acquire(0, "B")).as("B still has its own").isNotNull();
    for (String lane : List.of("B", "C", "D", "D", "E")) {
      bucket.acquire(0, lane);
    }
    assertThat(bucket.waiting()).isEqualTo(KeyPacer.LANES_PER_QUEUE * 2);
    assertThat(bucket.acquire(0, "F")).as("the bucket's overall bound").isNull();
  }

  @Test
  void oneLaneIsFirstComeFirstServed() {
    KeyPacer bucket = new KeyPacer(10, 1, 100, 0);
    bucket.acquire(0, "A");
    KeyPacer.Ticket first = bucket.acquire(0, "A");
    KeyPacer.Ticket second = bucket.acquire(0, "A");
    assertThat(bucket.tryTake(100 * MS, second)).isPositive();
    assertThat(bucket.tryTake(100 * MS, first)).isZero();
    assertThat(bucket.tryTake(200 * MS, second)).isZero();
  }

  @Test
  void zeroQueueMeansNoWaiting() {
    KeyPacer bucket = new KeyPacer(5, 1, 0, 0);
    assertThat(bucket.acquire(0).immediate()).isTrue();
    assertThat(bucket.acquire(0)).isNull();
    assertThat(bucket.acquire(200 * MS).immediate()).isTrue();
  }

  @Test
  void idleOnlyWhenFullAndNobodyWaits() {
    KeyPacer bucket = new KeyPacer(100, 2, 10, 0);
    long later = 60_000 * MS;
    bucket.acquire(later);
    bucket.acquire(later);
    KeyPacer.Ticket waiting = bucket.acquire(later);
    assertThat(bucket.isIdle(later + 1_000 * MS)).as("a waiter is still out").isFalse();
    assertThat(bucket.tryTake(later + 1_000 * MS, waiting)).isZero();
    assertThat(bucket.isIdle(later + 2_000 * MS)).isTrue();
  }

  @Test
  void aThousandWaitersOnAnIrregularClockRespectBurstPlusRateInEveryWindow() {
    double rate = 50;
    int burst = 5;
    KeyPacer bucket = new KeyPacer(rate, burst, 1_000, 0);
    List<Long> goTimes = new ArrayList<>();
    List<Object[]> timers = new ArrayList<>(); // {ticket, dueNanos}
    for (int i = 0; i < 1_000; i++) {
      long arrival = i * MS; // far faster than the rate
      KeyPacer.Ticket t = bucket.acquire(arrival);
      assertThat(t).isNotNull();
      if (t.immediate()) {
        goTimes.add(arrival);
      } else {
        timers.add(new Object[] {t, arrival + t.checkAfterNanos()});
      }
    }
    // Fire the waiters' timers in due order, each late by a pseudo-random 0..300 ms (a busy machine).
    long jitterSeed = 17;
    while (!timers.isEmpty()) {
      timers.sort((a, b) -> Long.compare((Long) a[1], (Long) b[1]));
      Object[] next = timers.remove(0);
      jitterSeed = (jitterSeed * 1103515245 + 12345) & 0x7fffffff;
      long now = Math.max((Long) next[1], goTimes.isEmpty() ? 0 : goTimes.get(goTimes.size() - 1))
          + (jitterSeed % 300) * MS / (jitterSeed % 7 == 0 ? 1 : 30);
      long again = bucket.tryTake(now, (KeyPacer.Ticket) next[0]);
      if (again == 0) {
        goTimes.add(now);
      } else {
        timers.add(new Object[] {next[0], now + again});
      }
    }
    assertThat(goTimes).hasSize(1_000);
    List<Long> sorted = goTimes.stream().sorted().toList();
    long window = 1_000 * MS;
    for (int i = 0; i < sorted.size(); i++) {
      int j = i;
      while (j < sorted.size() && sorted.get(j) < sorted.get(i) + window) {
        j++;
      }
      assertThat(j - i).as("requests going in the 1 s window from #%d", i).isLessThanOrEqualTo(burst + (int) rate);
    }
  }
}
