package dev.trunkline.provisioning;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trunkline.contract.ServiceException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The fan-out's guarantees: a bounded and fully used window, results in input order whatever order tasks
 * finish in, failures and timeouts kept per item, pages pulled only as needed, and a failing page source
 * failing the run. Tasks are real timers on the event loop, not mocks.
 */
@ExtendWith(VertxExtension.class)
class BoundedFanOutTest {

  /** A page source over 0..n-1 that counts fetches and how far ahead of the tasks it has been read. */
  private static final class CountingPages implements BoundedFanOut.PageSource<Integer> {
    final int total;
    final int pageSize;
    int next;
    int fetches;

    CountingPages(int total, int pageSize) {
      this.total = total;
      this.pageSize = pageSize;
    }

    @Override
    public Future<BoundedFanOut.Page<Integer>> next() {
      fetches++;
      List<Integer> items = new ArrayList<>();
      while (items.size() < pageSize && next < total) {
        items.add(next++);
      }
      return Future.succeededFuture(new BoundedFanOut.Page<>(items, next >= total));
    }
  }

  @Test
  void keepsInputOrderAndNeverExceedsTheWindow(Vertx vertx, VertxTestContext test) {
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger maxInFlight = new AtomicInteger();
    CountingPages pages = new CountingPages(250, 40);
    BoundedFanOut.run(vertx, pages, 16, 5_000, (Integer i) -> {
      maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
      Promise<String> p = Promise.promise();
      // Later items finish sooner, so completion order is nothing like input order.
      vertx.setTimer(1 + (250 - i) % 7, id -> {
        inFlight.decrementAndGet();
        p.complete("r" + i);
      });
      return p.future();
    }, (i, err) -> "failed " + i)
        .onComplete(test.succeeding(results -> test.verify(() -> {
          assertThat(results).containsExactlyElementsOf(IntStream.range(0, 250).mapToObj(i -> "r" + i).toList());
          assertThat(maxInFlight.get()).isEqualTo(16); // the window is full, and never more than full
          assertThat(pages.fetches).isEqualTo(7); // ceil(250 / 40) pages, each fetched once
          test.completeNow();
        })));
  }

  @Test
  void aFailureOrATimeoutIsThatItemsResultOnly(Vertx vertx, VertxTestContext test) {
    BoundedFanOut.run(vertx, BoundedFanOut.PageSource.of(List.of(0, 1, 2, 3, 4)), 2, 100, (Integer i) -> switch (i) {
      case 1 -> Future.failedFuture(new ServiceException(404, "RETELL_NOT_FOUND", "not in Retell"));
      case 2 -> Promise.<String>promise().future(); // never answers
      case 3 -> throw new IllegalStateException("task blew up");
      default -> Future.succeededFuture("ok " + i);
    }, (i, err) -> "failed " + i + ": " + ServiceException.from(err).code())
        .onComplete(test.succeeding(results -> test.verify(() -> {
          assertThat(results).containsExactly("ok 0", "failed 1: RETELL_NOT_FOUND", "failed 2: TIMEOUT",
              "failed 3: INTERNAL_ERROR", "ok 4");
          test.completeNow();
        })));
  }

  @Test
  void noItemsIsAnEmptyResult(Vertx vertx, VertxTestContext test) {
    BoundedFanOut.run(vertx, BoundedFanOut.PageSource.<Integer>of(List.of()), 8, 100,
            (Integer i) -> Future.succeededFuture(i), (i, err) -> -1)
        .onComplete(test.succeeding(results -> test.verify(() -> {
          assertThat(results).isEmpty();
          test.completeNow();
        })));
  }

  @Test
  void pagesArePulledOnlyAsTheWindowFrees(Vertx vertx, VertxTestContext test) {
    // 1,000 items in pages of 10 with a window of 5: the source may never be more than one page ahead.
    CountingPages pages = new CountingPages(1_000, 10);
    AtomicInteger started = new AtomicInteger();
    AtomicInteger maxAhead = new AtomicInteger();
    BoundedFanOut.run(vertx, pages, 5, 5_000, (Integer i) -> {
      started.incrementAndGet();
      maxAhead.accumulateAndGet(pages.next - started.get(), Math::max);
      Promise<Integer> p = Promise.promise();
      vertx.setTimer(1, id -> p.complete(i));
      return p.future();
    }, (i, err) -> -1)
        .onComplete(test.succeeding(results -> test.verify(() -> {
          assertThat(results).hasSize(1_000);
          assertThat(maxAhead.get()).isLessThanOrEqualTo(10);
          test.completeNow();
        })));
  }

  @Test
  void synchronousTasksDoNotRecurseTheStackAway(Vertx vertx, VertxTestContext test) {
    BoundedFanOut.run(vertx, new CountingPages(50_000, 1_000), 32, 5_000,
            (Integer i) -> Future.succeededFuture(i * 2), (i, err) -> -1)
        .onComplete(test.succeeding(results -> test.verify(() -> {
          assertThat(results).hasSize(50_000);
          assertThat(results.get(49_999)).isEqualTo(99_998);
          test.completeNow();
        })));
  }

  /**
   * {@code each} keeps no result and a shut gate holds new items back: a taker that holds at most 10 results
   * unprocessed (like the operation's recorder, behind the store) never sees more than 10 plus those in flight.
   */
  @Test
  void eachHandsResultsOnAndAShutGateHoldsTheRunBack(Vertx vertx, VertxTestContext test) {
    int window = 4;
    java.util.ArrayDeque<Integer> unprocessed = new java.util.ArrayDeque<>();
    List<Runnable> resume = new ArrayList<>();
    AtomicInteger maxUnprocessed = new AtomicInteger();
    AtomicInteger processed = new AtomicInteger();
    BoundedFanOut.Gate gate = new BoundedFanOut.Gate() {
      @Override
      public boolean open() {
        return unprocessed.size() < 10;
      }

      @Override
      public void whenOpen(Runnable r) {
        resume.add(r);
      }
    };
    // The taker works through 3 results every 5 ms, far slower than the tasks finish.
    long taker = vertx.setPeriodic(5, id -> {
      for (int i = 0; i < 3 && !unprocessed.isEmpty(); i++) {
        unprocessed.poll();
        processed.incrementAndGet();
      }
      List<Runnable> waiting = new ArrayList<>(resume);
      resume.clear();
      waiting.forEach(Runnable::run);
    });
    BoundedFanOut.each(vertx, new CountingPages(300, 20), window, 5_000, (Integer i) -> Future.succeededFuture(i),
            (i, err) -> -1, () -> false, (index, result) -> {
              unprocessed.add(result);
              maxUnprocessed.accumulateAndGet(unprocessed.size(), Math::max);
            }, gate)
        .onComplete(test.succeeding(started -> test.verify(() -> {
          vertx.cancelTimer(taker);
          assertThat(started).isEqualTo(300);
          assertThat(processed.get() + unprocessed.size()).isEqualTo(300);
          assertThat(maxUnprocessed.get()).as("never more than the gate's 10 and the window").isLessThanOrEqualTo(
              10 + window);
          test.completeNow();
        })));
  }

  @Test
  void aFailingPageSourceFailsTheRun(Vertx vertx, VertxTestContext test) {
    AtomicInteger calls = new AtomicInteger();
    BoundedFanOut.PageSource<Integer> source = () -> calls.incrementAndGet() == 1
        ? Future.succeededFuture(new BoundedFanOut.Page<>(List.of(1, 2), false))
        : Future.failedFuture(new ServiceException(503, "SERVICE_UNAVAILABLE", "store down"));
    BoundedFanOut.run(vertx, source, 4, 1_000, (Integer i) -> Future.succeededFuture(i), (i, err) -> -1)
        .onComplete(test.failing(err -> test.verify(() -> {
          assertThat(ServiceException.from(err).status()).isEqualTo(503);
          test.completeNow();
        })));
  }
  @Test
  void anAbandonedRunStartsNothingMoreAndAnswersWithWhatItStarted(Vertx vertx, VertxTestContext test) {
    java.util.concurrent.atomic.AtomicBoolean abandoned = new java.util.concurrent.atomic.AtomicBoolean();
    AtomicInteger started = new AtomicInteger();
    CountingPages pages = new CountingPages(100, 10);
    BoundedFanOut.run(vertx, pages, 4, 5_000, (Integer i) -> {
      started.incrementAndGet();
      if (i == 5) {
        abandoned.set(true); // the client goes away while items 0..5 are started or done
      }
      Promise<String> p = Promise.promise();
      vertx.setTimer(5, id -> p.complete("r" + i));
      return p.future();
    }, (i, err) -> "failed " + i, abandoned::get)
        .onComplete(test.succeeding(results -> test.verify(() -> {
          assertThat(started.get()).isEqualTo(6); // nothing after item 5, although 94 items remained
          assertThat(results).containsExactlyElementsOf(IntStream.range(0, 6).mapToObj(i -> "r" + i).toList());
          assertThat(pages.fetches).isEqualTo(1);
          test.completeNow();
        })));
  }
}
