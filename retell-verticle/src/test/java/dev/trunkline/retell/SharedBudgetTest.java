package dev.trunkline.retell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.trunkline.retell.SharedBudget.Budget;
import dev.trunkline.retell.SharedBudget.Lease;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The rules of the cluster-wide budget, one entry at a time: shares, cuts per episode, growth, leases. */
class SharedBudgetTest {
  private static final long PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
  private static final long NOW_MS = 1_000_000;
  private static final long NOW_NANOS = 5_000_000_000L;
  private static final RetellConfig CONFIG = RetellConfig.from(new JsonObject().put("retell", new JsonObject()
      .put("rateLimitPerSecond", 100).put("rateLimitDecreaseFactor", 0.5).put("rateLimitIncreasePerSecond", 2)));

  @Test
  void nodesWithQueuesSplitTheRateEvenly() {
    Map<String, Lease> leases = Map.of("a", lease(500), "b", lease(400));
    assertThat(SharedBudget.shareOf(leases, "a", 20)).isCloseTo(10, within(1e-9));
    assertThat(SharedBudget.shareOf(leases, "b", 20)).isCloseTo(10, within(1e-9));
  }

  @Test
  void aNodeThatWantsLittleGetsItAndTheOthersTheRestSoTheSharesAddUpToTheRate() {
    Map<String, Lease> leases = Map.of("interactive", lease(2), "bulk", lease(1_000), "other", lease(6));
    double interactive = SharedBudget.shareOf(leases, "interactive", 20);
    double other = SharedBudget.shareOf(leases, "other", 20);
    double bulk = SharedBudget.shareOf(leases, "bulk", 20);
    assertThat(interactive).isCloseTo(2, within(1e-9));
    assertThat(other).isCloseTo(6, within(1e-9));
    assertThat(bulk).isCloseTo(12, within(1e-9));
    // Nobody wants the whole rate: what is left is split evenly.
    Map<String, Lease> light = Map.of("a", lease(2), "b", lease(4));
    assertThat(SharedBudget.shareOf(light, "a", 20)).isCloseTo(2 + 7, within(1e-9));
    assertThat(SharedBudget.shareOf(light, "b", 20)).isCloseTo(4 + 7, within(1e-9));
  }

  @Test
  void aNodeWithoutALeaseCountsItselfAsOneMore() {
    assertThat(SharedBudget.shareOf(Map.of("a", lease(50), "b", lease(50)), "c", 30)).isCloseTo(10, within(1e-9));
    assertThat(SharedBudget.shareOf(Map.of(), "c", 30)).isCloseTo(30, within(1e-9));
  }

  @Test
  void a429CutsTheSharedRateOncePerEpisode() {
    Budget budget = new Budget(80, 0, 0, Map.of());
    // Node a: a 429 for a request sent 100 ms ago.
    Budget cut = budget.fold("a", NOW_MS, 3_000, demand(10, 0, 1, NOW_NANOS - ms(100), 0), NOW_NANOS,
        PERIOD_NANOS, CONFIG);
    assertThat(cut.rate()).isEqualTo(40);
    assertThat(cut.cutMs()).isEqualTo(NOW_MS);
    // Node b, 50 ms later: its 429 is for a request sent before a's cut, the same burst.
    Budget same = cut.fold("b", NOW_MS + 50, 3_000, demand(10, 0, 1, NOW_NANOS - ms(200), 0), NOW_NANOS,
        PERIOD_NANOS, CONFIG);
    assertThat(same.rate()).as("a 429 of the episode already cut").isEqualTo(40);
    // Node b, 1 s later: a request sent after the cut was refused: a new episode.
    Budget again = same.fold("b", NOW_MS + 1_000, 3_000, demand(10, 0, 1, NOW_NANOS - ms(10), 0), NOW_NANOS,
        PERIOD_NANOS, CONFIG);
    assertThat(again.rate()).isEqualTo(20);
  }

  @Test
  void acceptedRequestsRaiseTheSharedRateByTheIncreasePerSecondWhateverTheNodes() {
    Budget budget = new Budget(20, 0, 0, Map.of());
    // Two nodes, 10 accepted each in a period of 0.5 s: 20 requests at 20/s is one second of sending.
    Budget grown = budget.fold("a", NOW_MS, 3_000, demand(10, 10, 0, 0, 0), NOW_NANOS, PERIOD_NANOS, CONFIG)
        .fold("b", NOW_MS, 3_000, demand(10, 10, 0, 0, 0), NOW_NANOS, PERIOD_NANOS, CONFIG);
    assertThat(grown.rate()).isCloseTo(22, within(0.05));
  }

  @Test
  void expiredLeasesAreDroppedAndANodeWithoutDemandGivesItsLeaseUp() {
    Budget budget = new Budget(20, 0, 0, Map.of("dead", new Lease(40, NOW_MS - 1), "alive",
        new Lease(40, NOW_MS + 2_000), "me", new Lease(40, NOW_MS + 2_000)));
    Budget folded = budget.fold("me", NOW_MS, 3_000, demand(0, 0, 0, 0, 0), NOW_NANOS, PERIOD_NANOS, CONFIG);
    assertThat(folded.leases()).containsOnlyKeys("alive");
    Budget leased = folded.fold("me", NOW_MS, 3_000, demand(5, 0, 0, 0, 5), NOW_NANOS, PERIOD_NANOS, CONFIG);
    assertThat(leased.leases()).containsKeys("alive", "me");
    assertThat(leased.leases().get("me").wantPerSecond()).as("(5 sent + 5 waiting) per 0.5 s").isEqualTo(20);
    assertThat(leased.leases().get("me").expiresMs()).isEqualTo(NOW_MS + 3_000);
    assertThat(Budget.decode(leased.encode())).isEqualTo(leased);
  }

  @Test
  void retellsRetryAfterSeenByOneNodeHoldsTheKeyForAll() {
    Budget held = new Budget(20, 0, 0, Map.of()).fold("a", NOW_MS, 3_000,
        new KeyPacer.Demand(1, 0, 0, 0, 0, 20, ms(1_000)), NOW_NANOS, PERIOD_NANOS, CONFIG);
    assertThat(held.holdUntilMs()).isEqualTo(NOW_MS + 1_000);
  }

  private static Lease lease(double want) {
    return new Lease(want, NOW_MS + 3_000);
  }

  private static KeyPacer.Demand demand(long taken, long accepted, int cuts, long lastCutSentNanos,
      int waiting) {
    return new KeyPacer.Demand(taken, accepted, waiting, cuts, lastCutSentNanos, 20, 0);
  }

  private static long ms(long ms) {
    return TimeUnit.MILLISECONDS.toNanos(ms);
  }
}
