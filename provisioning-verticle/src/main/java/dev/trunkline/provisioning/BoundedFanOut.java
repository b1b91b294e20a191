package dev.trunkline.provisioning;

import dev.trunkline.contract.ServiceException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * Runs one asynchronous task per item with at most {@code concurrency} in flight, pulling items page by
 * page from a {@link PageSource} only as the window frees up, and collects one result per item in input
 * order.
 *
 * <p>It is a sliding window, not batches: when one task finishes the next starts, so N items take about
 * ceil(N / concurrency) task latencies. Memory holds one page of pending items, plus the results when the caller
 * asks for them as a list ({@link #run}); {@link #each} hands each result on and keeps none, and its {@link Gate}
 * holds new items back while whoever takes the results (the operation's recorder) is behind. A task that fails, or does not finish within {@code perItemTimeoutMs}, becomes that
 * item's result through {@code onFailure}; it never fails the whole run. Only the page source failing does.
 *
 * <p>A run can be abandoned ({@code abandoned} turns true, say because the HTTP client disconnected and the gateway cancelled the request, or its caller's time is nearly up): it then
 * starts and fetches nothing more, waits for what is in flight, and completes with the results of the items it
 * started, so a client that gave up does not leave thousands of upstream calls behind it.
 *
 * <p>All bookkeeping runs on the context that called {@link #run}, so there is no locking; completions
 * arriving on another thread are moved onto that context.
 */
public final class BoundedFanOut<T, R> {

  /** Items arrive in pages; {@code last} says no page follows. */
  public record Page<T>(List<T> items, boolean last) {}

  /** Yields the next page each time it is asked; it is never asked again after a last page. */
  @FunctionalInterface
  public interface PageSource<T> {
    Future<Page<T>> next();

    static <T> PageSource<T> of(List<T> items) {
      return () -> Future.succeededFuture(new Page<>(items, true));
    }
  }

  /**
   * Back-pressure from whoever takes the results: while the gate is shut no new item starts (those in flight
   * finish), and the run asks to be resumed through {@link #whenOpen}. Open by default.
   */
  public interface Gate {
    Gate OPEN = new Gate() {
      @Override
      public boolean open() {
        return true;
      }

      @Override
      public void whenOpen(Runnable resume) {
        resume.run();
      }
    };

    boolean open();

    /** Runs {@code resume} once, when the gate may have opened (the run looks again, and asks again if not). */
    void whenOpen(Runnable resume);
  }

  private final Vertx vertx;
  private final Context context;
  private final PageSource<T> source;
  private final int concurrency;
  private final long perItemTimeoutMs;
  private final Function<T, Future<R>> task;
  private final BiFunction<T, Throwable, R> onFailure;
  private final BooleanSupplier abandoned;
  private final BiConsumer<Integer, R> onResult;
  private final Gate gate;
  private final Promise<Integer> done = Promise.promise();

  private final ArrayDeque<T> pending = new ArrayDeque<>();
  /** The results in input order, or null when they are only handed on ({@link #each}). */
  private final List<R> results;
  private int started;
  private boolean waitingForGate;
  private int inFlight;
  private boolean fetching;
  private boolean exhausted;
  private boolean finished;
  private boolean stopped;
  private boolean pumping;
  private boolean pumpAgain;

  private BoundedFanOut(Vertx vertx, PageSource<T> source, int concurrency, long perItemTimeoutMs,
      Function<T, Future<R>> task, BiFunction<T, Throwable, R> onFailure, BooleanSupplier abandoned,
      BiConsumer<Integer, R> onResult, Gate gate, boolean collect) {
    if (concurrency < 1 || perItemTimeoutMs < 1) {
      throw new IllegalArgumentException("concurrency and timeout must be positive");
    }
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.source = source;
    this.concurrency = concurrency;
    this.perItemTimeoutMs = perItemTimeoutMs;
    this.task = task;
    this.onFailure = onFailure;
    this.abandoned = abandoned;
    this.onResult = onResult;
    this.gate = gate;
    this.results = collect ? new ArrayList<>() : null;
  }

  /**
   * Runs {@code task} over every item of {@code source}.
   *
   * @param onFailure turns an item's failure (its task's error, or a 504 {@code TIMEOUT}
   *     {@link ServiceException} after {@code perItemTimeoutMs}) into that item's result
   * @return the results in input order; fails only when the page source fails
   */
  public static <T, R> Future<List<R>> run(Vertx vertx, PageSource<T> source, int concurrency,
      long perItemTimeoutMs, Function<T, Future<R>> task, BiFunction<T, Throwable, R> onFailure) {
    return run(vertx, source, concurrency, perItemTimeoutMs, task, onFailure, () -> false, (i, r) -> { });
  }

  /**
   * Like {@link #run(Vertx, PageSource, int, long, Function, BiFunction)}, but once {@code abandoned} answers
   * true nothing new starts: the result then holds only the items started before (in input order).
   */
  public static <T, R> Future<List<R>> run(Vertx vertx, PageSource<T> source, int concurrency,
      long perItemTimeoutMs, Function<T, Future<R>> task, BiFunction<T, Throwable, R> onFailure,
      BooleanSupplier abandoned) {
    return run(vertx, source, concurrency, perItemTimeoutMs, task, onFailure, abandoned, (i, r) -> { });
  }

  /**
   * Like {@link #run(Vertx, PageSource, int, long, Function, BiFunction, BooleanSupplier)}, and hands each item's
   * result to {@code onResult} with its index as soon as it is known (progress events), on the run's context.
   */
  public static <T, R> Future<List<R>> run(Vertx vertx, PageSource<T> source, int concurrency,
      long perItemTimeoutMs, Function<T, Future<R>> task, BiFunction<T, Throwable, R> onFailure,
      BooleanSupplier abandoned, BiConsumer<Integer, R> onResult) {
    BoundedFanOut<T, R> run = new BoundedFanOut<>(vertx, source, concurrency, perItemTimeoutMs, task,
        onFailure, abandoned, onResult, Gate.OPEN, true);
    run.onContext(run::pump);
    return run.done.future().map(n -> run.results);
  }

  /**
   * Like {@link #run(Vertx, PageSource, int, long, Function, BiFunction, BooleanSupplier, BiConsumer)}, but keeps
   * no result: each goes to {@code onResult} only, and no item starts while {@code gate} is shut. Memory holds one
   * page of items and the tasks in flight, whatever the number of items.
   *
   * @return how many items were started (all of them, unless the run was abandoned)
   */
  public static <T, R> Future<Integer> each(Vertx vertx, PageSource<T> source, int concurrency,
      long perItemTimeoutMs, Function<T, Future<R>> task, BiFunction<T, Throwable, R> onFailure,
      BooleanSupplier abandoned, BiConsumer<Integer, R> onResult, Gate gate) {
    BoundedFanOut<T, R> run = new BoundedFanOut<>(vertx, source, concurrency, perItemTimeoutMs, task,
        onFailure, abandoned, onResult, gate, false);
    run.onContext(run::pump);
    return run.done.future();
  }

  /** Starts what the window allows, fetches when it runs dry, finishes when all is done. Re-entrant safe. */
  private void pump() {
    if (pumping) {
      pumpAgain = true; // a task completed synchronously inside the loop below; loop once more
      return;
    }
    pumping = true;
    try {
      do {
        pumpAgain = false;
        if (!finished && !stopped && abandoned.getAsBoolean()) {
          stopped = true; // start nothing more; what is in flight still completes into its slot
          exhausted = true;
          pending.clear();
        }
        while (!finished && inFlight < concurrency && !pending.isEmpty() && gate.open()) {
          launch(started++, pending.poll());
        }
        if (!finished && inFlight < concurrency && !pending.isEmpty() && !waitingForGate) {
          // Shut: the results' taker is behind. It resumes the run when it caught up (or looks again later).
          waitingForGate = true;
          gate.whenOpen(() -> onContext(() -> {
            waitingForGate = false;
            pump();
          }));
        }
        if (!finished && pending.isEmpty() && !exhausted && !fetching) {
          fetch();
        }
        if (!finished && exhausted && pending.isEmpty() && inFlight == 0 && !fetching) {
          finished = true;
          done.complete(started);
        }
      } while (pumpAgain);
    } finally {
      pumping = false;
    }
  }

  private void fetch() {
    fetching = true;
    Future<Page<T>> page;
    try {
      page = source.next();
    } catch (RuntimeException e) {
      page = Future.failedFuture(e);
    }
    page.onComplete(ar -> onContext(() -> {
      fetching = false;
      if (ar.failed()) {
        finished = true;
        done.tryFail(ar.cause());
        return;
      }
      Page<T> p = ar.result();
      if (p == null || p.last()) {
        exhausted = true;
      }
      if (p != null && p.items() != null && !stopped) {
        pending.addAll(p.items());
      }
      pump();
    }));
  }

  private void launch(int index, T item) {
    inFlight++;
    if (results != null) {
      results.add(null); // the slot this item's result fills, whatever order completions come in
    }
    Promise<R> slot = Promise.promise();
    long timer = vertx.setTimer(perItemTimeoutMs, id -> slot.tryFail(new ServiceException(504, "TIMEOUT",
        "no answer within " + perItemTimeoutMs + " ms")));
    Future<R> running;
    try {
      running = task.apply(item);
    } catch (RuntimeException e) {
      running = Future.failedFuture(e);
    }
    running.onComplete(slot::tryComplete, slot::tryFail);
    slot.future().onComplete(ar -> onContext(() -> {
      vertx.cancelTimer(timer);
      R result;
      if (ar.succeeded()) {
        result = ar.result();
      } else {
        result = onFailure.apply(item, ar.cause());
      }
      if (results != null) {
        results.set(index, result);
      }
      inFlight--;
      try {
        onResult.accept(index, result);
      } catch (RuntimeException e) {
        // A listener's bug must not lose the item's slot or stall the run.
      }
      pump();
    }));
  }

  private void onContext(Runnable action) {
    if (Vertx.currentContext() == context) {
      action.run();
    } else {
      context.runOnContext(v -> action.run());
    }
  }
}
