package dev.trunkline.contract.testing;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Waiting in tests, instead of sleeping: for a future, or for a condition polled until it holds or a deadline
 * passes. Every wait is bounded and its failure says what was awaited.
 *
 * <p>The blocking waits are for the test's own thread and refuse to run on an event loop (they would stall
 * the very code they wait for); from event-loop code use {@link #until(Vertx, String, Duration, Supplier)},
 * which polls on timers and answers with a future.
 */
public final class Await {
  /** How long a wait lasts unless told otherwise: far above any healthy wait, so only a hang reaches it. */
  public static final Duration DEFAULT = Duration.ofSeconds(20);
  /** Between two polls of a condition. */
  static final long POLL_MS = 10;

  private Await() {}

  /** The future's result, waited for at most {@link #DEFAULT}; its failure becomes an {@link AssertionError}. */
  public static <T> T await(Future<T> future) {
    return await("a future", future, DEFAULT);
  }

  /** The future's result, waited for at most {@code within}; {@code what} names it in a failure. */
  public static <T> T await(String what, Future<T> future, Duration within) {
    try {
      return completion(what, future, within);
    } catch (ExecutionException e) {
      throw new AssertionError(what + " failed: " + e.getCause(), e.getCause());
    }
  }

  /** The future's failure, waited for at most {@link #DEFAULT}; a success is an {@link AssertionError}. */
  public static Throwable awaitFailure(Future<?> future) {
    return awaitFailure("a future", future, DEFAULT);
  }

  /** The future's failure, which must be of this kind, waited for at most {@link #DEFAULT}. */
  public static <X extends Throwable> X awaitFailure(Future<?> future, Class<X> kind) {
    Throwable failure = awaitFailure("a future", future, DEFAULT);
    if (!kind.isInstance(failure)) {
      throw new AssertionError("expected a future to fail with a " + kind.getName() + ", it failed with " + failure,
          failure);
    }
    return kind.cast(failure);
  }

  /** The future's failure, waited for at most {@code within}; a success is an {@link AssertionError}. */
  public static Throwable awaitFailure(String what, Future<?> future, Duration within) {
    Object result;
    try {
      result = completion(what, future, within);
    } catch (ExecutionException e) {
      return e.getCause();
    }
    throw new AssertionError("expected " + what + " to fail, it succeeded with " + result);
  }

  /** Polls {@code condition} until it holds, for at most {@link #DEFAULT}. */
  public static void until(String what, BooleanSupplier condition) {
    until(what, DEFAULT, condition);
  }

  /** Polls {@code condition} until it holds, for at most {@code within}; fails naming {@code what}. */
  public static void until(String what, Duration within, BooleanSupplier condition) {
    value(what, within, () -> condition.getAsBoolean() ? Boolean.TRUE : null, v -> true);
  }

  /**
   * Polls {@code probe} until its value passes {@code done} (a null value never does), for at most
   * {@code within}, and returns that value. A failure names {@code what} and the last value seen.
   */
  public static <T> T value(String what, Duration within, Supplier<T> probe, Predicate<? super T> done) {
    refuseEventLoop(what);
    long deadline = System.nanoTime() + within.toNanos();
    T last = null;
    while (true) {
      last = probe.get();
      if (last != null && done.test(last)) {
        return last;
      }
      if (System.nanoTime() - deadline >= 0) {
        throw new AssertionError("waited " + within.toMillis() + " ms for " + what + "; last seen: " + last);
      }
      pause();
    }
  }

  /**
   * Polls {@code condition} until it has held for {@code stableFor} without a break (a count that has stopped
   * moving, a queue that stays empty), for at most {@code within} in all.
   */
  public static void stable(String what, Duration stableFor, Duration within, BooleanSupplier condition) {
    refuseEventLoop(what);
    long deadline = System.nanoTime() + within.toNanos();
    long heldSince = -1;
    while (true) {
      long now = System.nanoTime();
      if (condition.getAsBoolean()) {
        if (heldSince < 0) {
          heldSince = now;
        } else if (now - heldSince >= stableFor.toNanos()) {
          return;
        }
      } else {
        heldSince = -1;
      }
      if (now - deadline >= 0) {
        throw new AssertionError("waited " + within.toMillis() + " ms for " + what + " to hold for "
            + stableFor.toMillis() + " ms in a row");
      }
      pause();
    }
  }

  /**
   * Asks {@code attempt} again, on a timer, until it succeeds with a non-null value, and answers with that
   * value; fails, naming {@code what} and the last failure, when {@code within} has passed. It never blocks:
   * use it from event-loop code or to build a test's async chain.
   */
  public static <T> Future<T> until(Vertx vertx, String what, Duration within, Supplier<Future<T>> attempt) {
    Promise<T> promise = Promise.promise();
    poll(vertx, what, System.nanoTime() + within.toNanos(), within, attempt, promise);
    return promise.future();
  }

  private static <T> void poll(Vertx vertx, String what, long deadline, Duration within,
      Supplier<Future<T>> attempt, Promise<T> promise) {
    Future<T> tried;
    try {
      tried = attempt.get();
    } catch (RuntimeException e) {
      tried = Future.failedFuture(e);
    }
    tried.onComplete(ar -> {
      if (ar.succeeded() && ar.result() != null) {
        promise.complete(ar.result());
      } else if (System.nanoTime() - deadline >= 0) {
        promise.fail(new AssertionError("waited " + within.toMillis() + " ms for " + what + "; last attempt: "
            + (ar.succeeded() ? "no value yet" : ar.cause()), ar.cause()));
      } else {
        vertx.setTimer(POLL_MS, id -> poll(vertx, what, deadline, within, attempt, promise));
      }
    });
  }

  private static <T> T completion(String what, Future<T> future, Duration within) throws ExecutionException {
    refuseEventLoop(what);
    try {
      return future.toCompletionStage().toCompletableFuture().get(within.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for " + what, e);
    } catch (TimeoutException e) {
      throw new AssertionError(what + " did not complete within " + within.toMillis() + " ms", e);
    }
  }

  private static void refuseEventLoop(String what) {
    if (Context.isOnEventLoopThread()) {
      throw new IllegalStateException("a blocking wait for " + what + " on an event loop would stall what it "
          + "waits for: chain on the future, or use Await.until(vertx, ...)");
    }
  }

  private static void pause() {
    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(POLL_MS));
    if (Thread.interrupted()) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while polling");
    }
  }
}
