package dev.trunkline.bench;

import dev.trunkline.contract.Bus;
import dev.trunkline.contract.RetellMessages.SipTarget;
import dev.trunkline.contract.RetellMessages.SyncNumber;
import dev.trunkline.contract.RetellMessages.SyncOutcome;
import dev.trunkline.contract.RetellMessages.SyncResult;
import dev.trunkline.contract.Secret;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The price of the typed contract: a fix-flow message (SyncNumber in, SyncResult out) through
 * {@link Bus#request}/{@link Bus#consumer} (records mapped with Jackson) against the same exchange with
 * hand-built JsonObjects on the raw event bus (the baseline). Both keep 64 requests in flight.
 */
final class BusCodecBenchmark {
  private static final int IN_FLIGHT = 64;

  private BusCodecBenchmark() {}

  static void run(boolean quick) throws Exception {
    int requests = quick ? 20_000 : 100_000;
    Vertx vertx = Vertx.vertx();
    try {
      Bus.consumer(vertx, "bench.typed", SyncNumber.class, req -> Future.succeededFuture(
          new SyncResult(req.body().phoneNumber(), SyncOutcome.UPDATED, req.body().target().username(),
              req.body().target().terminationUri()))).completion().toCompletionStage().toCompletableFuture().get();
      vertx.eventBus().<JsonObject>consumer("bench.raw", m -> {
        JsonObject body = m.body();
        JsonObject target = body.getJsonObject("target");
        m.reply(new JsonObject().put("phoneNumber", body.getString("phoneNumber")).put("outcome", "UPDATED")
            .put("authUsername", target.getString("username")).put("terminationUri", target.getString("terminationUri")));
      }).completion().toCompletionStage().toCompletableFuture().get();

      long[] typed = new long[5];
      long[] raw = new long[5];
      runTyped(vertx, requests / 5); // warm-up
      runRaw(vertx, requests / 5);
      for (int i = 0; i < typed.length; i++) { // interleaved, so drift hits both alike
        typed[i] = runTyped(vertx, requests);
        raw[i] = runRaw(vertx, requests);
      }
      long t = Benchmarks.median(typed);
      long r = Benchmarks.median(raw);
      System.out.printf("%n== bus codec: %d request/replies, %d in flight, median of 5%n", requests, IN_FLIGHT);
      System.out.printf("raw JsonObject (baseline)   %8d ms  %9.0f req/s%n", r, requests * 1000.0 / r);
      System.out.printf("typed records via Bus       %8d ms  %9.0f req/s   %.2fx the baseline's time%n", t,
          requests * 1000.0 / t, (double) t / r);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  private static long runTyped(Vertx vertx, int n) throws Exception {
    return drive(vertx, n, i -> Bus.request(vertx, "bench.typed", new SyncNumber(new Secret("k"), "+1415555" + i,
        new SipTarget("t.pstn.twilio.com", "user", new Secret("Passw0rdPassw0rd"), "TCP"), false, null),
        SyncResult.class, 10_000, "rid").mapEmpty());
  }

  private static long runRaw(Vertx vertx, int n) throws Exception {
    DeliveryOptions options = new DeliveryOptions().setSendTimeout(10_000).addHeader("x-request-id", "rid");
    return drive(vertx, n, i -> vertx.eventBus().request("bench.raw", new JsonObject().put("apiKey", "k")
        .put("phoneNumber", "+1415555" + i).put("target", new JsonObject().put("terminationUri", "t.pstn.twilio.com")
            .put("username", "user").put("password", "Passw0rdPassw0rd").put("transport", "TCP"))
        .put("importIfMissing", false), options).mapEmpty());
  }

  /** Keeps IN_FLIGHT requests going until n completed; returns elapsed ms. */
  private static long drive(Vertx vertx, int n, java.util.function.IntFunction<Future<Void>> send) throws Exception {
    Promise<Long> done = Promise.promise();
    AtomicInteger started = new AtomicInteger();
    AtomicInteger finished = new AtomicInteger();
    long start = System.nanoTime();
    vertx.runOnContext(v -> {
      Runnable[] next = new Runnable[1];
      next[0] = () -> {
        int i = started.getAndIncrement();
        if (i >= n) {
          return;
        }
        send.apply(i).onComplete(ar -> {
          if (finished.incrementAndGet() == n) {
            done.tryComplete(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
          } else {
            next[0].run();
          }
        });
      };
      for (int k = 0; k < IN_FLIGHT; k++) {
        next[0].run();
      }
    });
    return done.future().toCompletionStage().toCompletableFuture().get(5, TimeUnit.MINUTES);
  }
}
