package dev.trunkline.retell;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class BackoffTest {
  @Test
  void retriesWhatRetellsSdkRetries() {
    assertThat(Backoff.retryable(408)).isTrue();
    assertThat(Backoff.retryable(409)).isTrue();
    assertThat(Backoff.retryable(429)).isTrue();
    assertThat(Backoff.retryable(500)).isTrue();
    assertThat(Backoff.retryable(503)).isTrue();
    assertThat(Backoff.retryable(400)).isFalse();
    assertThat(Backoff.retryable(401)).isFalse();
    assertThat(Backoff.retryable(404)).isFalse();
    assertThat(Backoff.retryable(422)).isFalse();
  }

  @Test
  void delayDoublesWithJitterInItsUpperHalfAndIsCapped() {
    for (int i = 0; i < 200; i++) {
      assertThat(Backoff.delayMs(1, 100, 10_000)).isBetween(50L, 100L);
      assertThat(Backoff.delayMs(3, 100, 10_000)).isBetween(200L, 400L);
      assertThat(Backoff.delayMs(30, 100, 1_000)).isBetween(500L, 1_000L);
    }
  }

  @Test
  void readsRetryAfterInItsThreeForms() {
    Instant now = Instant.parse("2026-01-01T00:00:00Z");
    assertThat(Backoff.retryAfterMs(null, "2", now)).hasValue(2_000);
    assertThat(Backoff.retryAfterMs(null, "0.5", now)).hasValue(500);
    assertThat(Backoff.retryAfterMs("250", "9", now)).hasValue(250);
    assertThat(Backoff.retryAfterMs(null, "Thu, 01 Jan 2026 00:00:03 GMT", now)).hasValue(3_000);
    assertThat(Backoff.retryAfterMs(null, "-4", now)).hasValue(0);
    assertThat(Backoff.retryAfterMs(null, "soon", now)).isEmpty();
    assertThat(Backoff.retryAfterMs(null, null, now)).isEmpty();
  }
}
