package dev.trunkline.contract.retry;

import static dev.trunkline.contract.retry.AttemptOutcome.FINAL;
import static dev.trunkline.contract.retry.AttemptOutcome.NOT_ACTED;
import static dev.trunkline.contract.retry.AttemptOutcome.RATE_LIMITED;
import static dev.trunkline.contract.retry.AttemptOutcome.UNKNOWN;
import static dev.trunkline.contract.retry.Idempotency.IDEMPOTENT;
import static dev.trunkline.contract.retry.Idempotency.NOT_IDEMPOTENT;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The one retry rule of the product (what both upstream clients ask after a failed attempt). */
class RetryPolicyTest {
  private static final long NOW = 1_000_000;
  private final RetryPolicy policy = new RetryPolicy(2, 100, 1_000, 2_000);

  private RetryPolicy.Decision decide(Idempotency idempotency, AttemptOutcome outcome) {
    return policy.decide(idempotency, outcome, null, 0, 0, 0, NOW);
  }

  @Test
  void anUnknownOutcomeIsRepeatedOnlyForAnIdempotentOperation() {
    assertThat(decide(IDEMPOTENT, UNKNOWN).retry()).isTrue();
    RetryPolicy.Decision purchase = decide(NOT_IDEMPOTENT, UNKNOWN);
    assertThat(purchase.retry()).as("a timed-out purchase is never sent twice").isFalse();
    assertThat(purchase.reason()).contains("not idempotent");
  }

  @Test
  void whatTheUpstreamDidNotActOnIsRepeatedForAnyOperation() {
    assertThat(decide(NOT_IDEMPOTENT, NOT_ACTED).retry()).isTrue();
    assertThat(decide(NOT_IDEMPOTENT, RATE_LIMITED).retry()).isTrue();
    assertThat(decide(IDEMPOTENT, FINAL).retry()).isFalse();
    assertThat(decide(NOT_IDEMPOTENT, FINAL).retry()).isFalse();
  }

  @Test
  void failuresStopAfterMaxRetries() {
    assertThat(policy.decide(IDEMPOTENT, UNKNOWN, null, 1, 0, 0, NOW).retry()).isTrue();
    RetryPolicy.Decision used = policy.decide(IDEMPOTENT, UNKNOWN, null, 2, 0, 0, NOW);
    assertThat(used.retry()).isFalse();
    assertThat(used.reason()).isEqualTo("retries used up");
    assertThat(policy.decide(IDEMPOTENT, UNKNOWN, null, 0, 0, 0, NOW).counts()).isTrue();
  }

  @Test
  void a429WithinTheCallersDeadlineDoesNotUseUpARetryAndStopsBeforeTheDeadline() {
    long deadline = NOW + 5_000;
    RetryPolicy.Decision paced = policy.decide(NOT_IDEMPOTENT, RATE_LIMITED, 1_000L, 2, 7, deadline, NOW);
    assertThat(paced.retry()).as("beyond maxRetries").isTrue();
    assertThat(paced.counts()).isFalse();
    assertThat(paced.waitMs()).isEqualTo(1_000);
    RetryPolicy.Decision late = policy.decide(NOT_IDEMPOTENT, RATE_LIMITED, 1_500L, 0, 0, deadline, deadline - 2_400);
    assertThat(late.retry()).as("it could not leave 1 s before the deadline").isFalse();
    assertThat(late.reason()).isEqualTo("no time left before the caller's deadline");
    assertThat(late.waitMs()).as("still says the wait, for a rate limiter's hold").isEqualTo(1_500);
  }

  @Test
  void withoutADeadlineA429IsOneOfTheRetries() {
    assertThat(policy.decide(IDEMPOTENT, RATE_LIMITED, null, 1, 0, 0, NOW).counts()).isTrue();
    assertThat(policy.decide(IDEMPOTENT, RATE_LIMITED, null, 2, 0, 0, NOW).retry()).isFalse();
  }

  @Test
  void aFailureIsBoundedByMaxRetriesNotByTheDeadline() {
    // A write repeated after its caller stopped waiting may still land and fix the number.
    long deadline = NOW + 1_050;
    RetryPolicy.Decision decision = policy.decide(IDEMPOTENT, UNKNOWN, 100L, 0, 0, deadline, NOW);
    assertThat(decision.retry()).isTrue();
    assertThat(decision.counts()).isTrue();
  }

  @Test
  void retryAfterIsHonouredUpToTheCapAndALongerOneEndsTheRetries() {
    assertThat(policy.decide(NOT_IDEMPOTENT, RATE_LIMITED, 1_500L, 0, 0, 0, NOW).waitMs()).isEqualTo(1_500);
    RetryPolicy.Decision tooLong = policy.decide(NOT_IDEMPOTENT, RATE_LIMITED, 60_000L, 0, 0, NOW + 600_000, NOW);
    assertThat(tooLong.retry()).as("not waited for even when the deadline allows").isFalse();
    assertThat(tooLong.reason()).isEqualTo("Retry-After 60000 ms exceeds 2000 ms");
  }

  @Test
  void backoffDoublesWithJitterInItsUpperHalfAndIsCapped() {
    for (int i = 0; i < 200; i++) {
      assertThat(policy.backoffMs(1)).isBetween(50L, 100L);
      assertThat(policy.backoffMs(3)).isBetween(200L, 400L);
      assertThat(policy.backoffMs(30)).isBetween(500L, 1_000L);
      assertThat(policy.decide(IDEMPOTENT, UNKNOWN, null, 1, 0, 0, NOW).waitMs()).isBetween(100L, 200L);
    }
  }

  @Test
  void readsRetryAfterInItsThreeForms() {
    long now = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
    assertThat(RetryAfter.parse(null, "2", now)).isEqualTo(2_000L);
    assertThat(RetryAfter.parse(null, "0.5", now)).isEqualTo(500L);
    assertThat(RetryAfter.parse("250", "9", now)).as("retry-after-ms first").isEqualTo(250L);
    assertThat(RetryAfter.parse("soon", "9", now)).isEqualTo(9_000L);
    assertThat(RetryAfter.parse(null, "Thu, 01 Jan 2026 00:00:03 GMT", now)).isEqualTo(3_000L);
    assertThat(RetryAfter.parse(null, "Wed, 31 Dec 2025 23:59:00 GMT", now)).as("a date past").isEqualTo(0L);
    assertThat(RetryAfter.parse(null, "-4", now)).isEqualTo(0L);
    assertThat(RetryAfter.parse(null, "soon", now)).isNull();
    assertThat(RetryAfter.parse(null, "NaN", now)).isNull();
    assertThat(RetryAfter.parse(null, null, now)).isNull();
  }
}
