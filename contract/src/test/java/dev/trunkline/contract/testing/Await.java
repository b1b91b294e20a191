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
import java.util.function.Function;
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
  public static final Duration DEFAULT = Duration.ofSeconds(60);
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
    throw new AssertionError("expected " + what + " to fail, it succeeded with " + shown(result));
  }

  /** Polls {@code condition} until it holds, for at most {@link #DEFAULT}. */
  public static void until(String what, Condition condition) {
    until(what, DEFAULT, condition);
  }

  /** Polls {@code condition} until it holds, for at most {@code within}; fails naming {@code what}. */
  public static void until(String what, Duration within, Condition condition) {
    until(what, within, condition, () -> "it never held");
  }

  /** {@link #until(String, Duration, Condition)} polling every {@code every}, for a condition that costs. */
  public static void until(String what, Duration within, Duration every, Condition condition) {
    poll(what, within, every, () -> condition.holds() ? Boolean.TRUE : null, v -> true, last -> "it never held");
  }

  /**
   * Polls {@code condition} until it holds, for at most {@code within}; the failure names {@code what} and adds
   * {@code state}, asked for then (what was seen instead: a count, a connection's text).
   */
  public static void until(String what, Duration within, Condition condition, Supplier<String> state) {
    poll(what, within, Duration.ofMillis(POLL_MS), () -> condition.holds() ? Boolean.TRUE : null, v -> true,
        last -> state.get());
  }

  /**
   * Polls {@code probe} until its value passes {@code done} (a null value never does), for at most
   * {@code within}, and returns that value. A failure names {@code what} and the last value seen.
   */
  public static <T> T value(String what, Duration within, Probe<T> probe, Predicate<? super T> done) {
    return value(what, within, Duration.ofMillis(POLL_MS), probe, done);
  }

  /**
   * {@link #value(String, Duration, Probe, Predicate)} polling every {@code every} instead of every
   * {@value #POLL_MS} ms: for a probe that costs something (an HTTP call to a node that is starting).
   */
  public static <T> T value(String what, Duration within, Duration every, Probe<T> probe,
      Predicate<? super T> done) {
    return poll(what, within, every, probe, done, last -> "last seen: " + shown(last));
  }

  private static <T> T poll(String what, Duration within, Duration every, Probe<T> probe,
      Predicate<? super T> done, Function<T, String> state) {
    refuseEventLoop(what);
    long deadline = System.nanoTime() + within.toNanos();
    while (true) {
      T last = ask(what, probe);
      if (last != null && done.test(last)) {
        return last;
      }
      if (System.nanoTime() - deadline >= 0) {
        throw new AssertionError("waited " + within.toMillis() + " ms for " + what + "; " + state.apply(last));
      }
      pause(every.toNanos());
    }
  }

  /**
   * Polls {@code condition} until it has held for {@code stableFor} without a break (a count that has stopped
   * moving, a queue that stays empty), for at most {@code within} in all.
   */
  public static void stable(String what, Duration stableFor, Duration within, Condition condition) {
    refuseEventLoop(what);
    long deadline = System.nanoTime() + within.toNanos();
    long heldSince = -1;
    while (true) {
      long now = System.nanoTime();
      if (ask(what, condition::holds)) {
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
      pause(TimeUnit.MILLISECONDS.toNanos(POLL_MS));
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

  /** What a test polls: may throw (a probe over HTTP or a file); a checked exception fails the wait. */
  @FunctionalInterface
  public interface Probe<T> {
    /** The value now, or null for none yet. */
    T get() throws Exception;
  }

  /** A condition a test polls: may throw, as a {@link Probe} may. */
  @FunctionalInterface
  public interface Condition {
    boolean holds() throws Exception;
  }

  private static <T> T ask(String what, Probe<T> probe) {
    try {
      return probe.get();
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while polling for " + what, e);
    } catch (Exception e) {
      throw new AssertionError("polling for " + what + " failed: " + e, e);
    }
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

  /**
   * A value for a failure message: numbers, booleans and enum constants as they are, anything else by its type
   * only, since a reply or a text may hold a secret (see {@link SecretAssertions}).
   */
  static String shown(Object value) {
    if (value == null) {
      return "nothing";
    }
    if (value instanceof Number || value instanceof Boolean || value instanceof Enum<?>) {
      return value.toString();
    }
    return "a " + value.getClass().getName();
  }

  private static void refuseEventLoop(String what) {
    if (Context.isOnEventLoopThread()) {
      throw new IllegalStateException("a blocking wait for " + what + " on an event loop would stall what it "
          + "waits for: chain on the future, or use Await.until(vertx, ...)");
    }
  }

  private static void pause(long nanos) {
    LockSupport.parkNanos(nanos);
    if (Thread.interrupted()) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while polling");
    }
  }
}
