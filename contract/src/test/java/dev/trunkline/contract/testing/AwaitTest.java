package dev.trunkline.contract.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Each wait returns what it waited for, and its failure says what it waited for. */
class AwaitTest {
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    Await.await(vertx.close());
  }

  @Test
  void aFutureIsAwaitedForItsResultOrItsFailure() {
    assertThat(Await.await(Future.succeededFuture("ok"))).isEqualTo("ok");
    IllegalStateException failure = Await.awaitFailure(Future.failedFuture(new IllegalStateException("no")),
        IllegalStateException.class);
    assertThat(failure).hasMessage("no");
    AssertionError wrongKind = catchThrowableOfType(AssertionError.class,
        () -> Await.awaitFailure(Future.failedFuture(new RuntimeException("no")), IllegalStateException.class));
    assertThat(wrongKind).hasMessageContaining("java.lang.IllegalStateException");
    AssertionError hung = catchThrowableOfType(AssertionError.class,
        () -> Await.await("the reply to GET /x", Promise.promise().future(), Duration.ofMillis(50)));
    assertThat(hung).hasMessage("the reply to GET /x did not complete within 50 ms");
  }

  @Test
  void aConditionIsPolledUntilItHoldsAndATimeoutNamesIt() {
    AtomicInteger polls = new AtomicInteger();
    Await.until("the third poll", () -> polls.incrementAndGet() == 3);
    assertThat(polls).hasValue(3);
    AssertionError never = catchThrowableOfType(AssertionError.class,
        () -> Await.value("a count of 5", Duration.ofMillis(50), () -> 4, n -> n == 5));
    assertThat(never).hasMessage("waited 50 ms for a count of 5; last seen: 4");
  }

  @Test
  void stableNeedsTheConditionToHoldWithoutABreak() {
    AtomicInteger polls = new AtomicInteger();
    // False on every fifth poll: never holds for 200 ms in a row (polls are 10 ms apart).
    AssertionError broken = catchThrowableOfType(AssertionError.class, () -> Await.stable("a steady state",
        Duration.ofMillis(200), Duration.ofMillis(400), () -> polls.incrementAndGet() % 5 != 0));
    assertThat(broken).hasMessageContaining("a steady state to hold for 200 ms in a row");
    Await.stable("always true", Duration.ofMillis(30), Duration.ofSeconds(5), () -> true);
  }

  @Test
  void onAnEventLoopABlockingWaitIsRefusedAndTheTimerPollAnswers() {
    Promise<Throwable> refused = Promise.promise();
    vertx.runOnContext(x -> {
      try {
        Await.until("anything", () -> true);
        refused.complete(null);
      } catch (IllegalStateException e) {
        refused.complete(e);
      }
    });
    assertThat(Await.await(refused.future())).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("on an event loop");

    AtomicInteger attempts = new AtomicInteger();
    Future<Integer> third = Await.until(vertx, "a third attempt", Duration.ofSeconds(5),
        () -> attempts.incrementAndGet() < 3 ? Future.failedFuture("not yet") : Future.succeededFuture(3));
    assertThat(Await.await(third)).isEqualTo(3);
    Throwable timedOut = Await.awaitFailure(Await.until(vertx, "a Retell call", Duration.ofMillis(50),
        () -> Future.failedFuture("nothing yet")));
    assertThat(timedOut).isInstanceOf(AssertionError.class)
        .hasMessageStartingWith("waited 50 ms for a Retell call; last attempt: ");
  }
}
