package dev.trunkline.bench;

import dev.trunkline.app.ConfigLoader;
import dev.trunkline.app.Trunkline;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An asynchronous whole-tenant fix of N numbers (10,000 by default) as an operation (issue 16), in whatever heap the
 * JVM was given ({@code exec:exec@operation} gives it 128 MiB): {@code Prefer: respond-async}, polled to its end,
 * then every result paged from the store, 500 at a time. Retell's limit is lifted so the run takes seconds, not the
 * 8 minutes of Retell's 20/s.
 *
 * <p>What it measures is the heap the run <em>retains</em>: once a second a full GC and the heap in use after it
 * (garbage is not what a node holds). A run that keeps every result grows with N; one that sends them to the store
 * as they come and keeps counts stays flat. The database runs in a process of its own (the {@code store-server}
 * command, as in a deployment): its cache and the 10,000 results it stores are not the node's heap. The simulators
 * share the node's JVM; their numbers are seeded before the baseline is taken.
 */
final class OperationBenchmark {
  private OperationBenchmark() {}

  static void run(boolean quick) throws Exception {
    int numbers = quick ? 2_000 : 10_000;
    Vertx vertx = Vertx.vertx();
    Process store = null;
    try {
      int storePort = FixFanOutBenchmark.freePort();
      store = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
          "-cp", System.getProperty("java.class.path"), "dev.trunkline.app.Main", "store-server", "--port",
          String.valueOf(storePort), "--data-dir", Files.createTempDirectory("trunkline-bench-store").toString())
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      awaitPort(storePort);
      JsonObject config = ConfigLoader.defaults();
      config.put("mode", "sandbox").put("dataDir", Files.createTempDirectory("trunkline-bench").toString());
      config.getJsonObject("http").put("port", FixFanOutBenchmark.freePort()).put("host", "127.0.0.1");
      config.getJsonObject("gateway").put("rateLimit", new JsonObject().put("requestsPerMinute", 1_000_000));
      config.getJsonObject("retell").put("rateLimitPerSecond", 100_000).put("rateLimitBurst", 100_000);
      config.put("drift", new JsonObject().put("enabled", false));
      config.put("mongo", new JsonObject().put("uri", "mongodb://127.0.0.1:" + storePort));
      Trunkline node = FixFanOutBenchmark.await(Trunkline.start(vertx, config));
      WebClient http = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
          .setDefaultPort(node.httpPort()));
      String token = FixFanOutBenchmark.token(vertx, node.config().getJsonObject("gateway").getString("jwtSecret"));
      String base = "/api/connectors/" + FixFanOutBenchmark.TENANT;
      FixFanOutBenchmark.expect(FixFanOutBenchmark.await(http.put(base + "/twilio").bearerTokenAuthentication(token)
          .sendJsonObject(new JsonObject().put("accountSid", "AC" + "b".repeat(32))
              .put("authToken", "bench-twilio-token"))), 200);
      FixFanOutBenchmark.expect(FixFanOutBenchmark.await(http.put(base + "/retell").bearerTokenAuthentication(token)
          .sendJsonObject(new JsonObject().put("apiKey", FixFanOutBenchmark.RETELL_KEY))), 200);
      JsonObject trunk = FixFanOutBenchmark.await(http.post(base + "/twilio/setup").bearerTokenAuthentication(token)
          .sendJsonObject(new JsonObject())).bodyAsJsonObject().getJsonObject("data");
      BudgetBenchmark.seed(vertx, node, numbers, trunk.getString("terminationUri"));

      RetainedHeap heap = RetainedHeap.start();
      long start = System.nanoTime();
      HttpResponse<?> accepted = FixFanOutBenchmark.await(http.post(base + "/twilio/fix-retell-credentials")
          .putHeader("Prefer", "respond-async").bearerTokenAuthentication(token).sendJsonObject(new JsonObject()));
      FixFanOutBenchmark.expect(accepted, 202);
      String location = accepted.getHeader("Location");
      JsonObject done;
      do {
        Thread.sleep(200);
        HttpResponse<?> poll = FixFanOutBenchmark.await(http.get(location + "?limit=1").bearerTokenAuthentication(token)
            .send());
        FixFanOutBenchmark.expect(poll, 200);
        done = poll.bodyAsJsonObject().getJsonObject("data");
      } while ("running".equals(done.getString("state")));
      long ms = (System.nanoTime() - start) / 1_000_000;
      long[] retained = heap.stop();

      // Every result, a page at a time from the store: each number once.
      Set<String> seen = new HashSet<>();
      int pages = 0;
      Object next = null;
      do {
        HttpResponse<?> read = FixFanOutBenchmark.await(http.get(location + "?limit=500" + (next == null ? ""
            : "&after=" + next)).bearerTokenAuthentication(token).send());
        FixFanOutBenchmark.expect(read, 200);
        JsonObject page = read.bodyAsJsonObject().getJsonObject("data");
        JsonArray results = page.getJsonArray("results");
        results.forEach(r -> seen.add(((JsonObject) r).getString("phoneNumber")));
        next = page.getValue("next");
        pages++;
      } while (next != null);

      System.out.printf("%n== operation: asynchronous fix of %d numbers, JVM max heap %d MiB%n", numbers,
          Runtime.getRuntime().maxMemory() >> 20);
      System.out.printf("%s in %d ms: done %d, ok %d, failed %d; %d distinct numbers in %d pages of 500%n",
          done.getString("state"), ms, done.getLong("done"), done.getLong("successCount"), done.getLong("failCount"),
          seen.size(), pages);
      System.out.printf("retained heap (after a full GC, sampled every second): %d MiB before, at most %d MiB "
          + "during the run (+%d MiB), %d samples%n", retained[0] >> 20, retained[1] >> 20,
          (retained[1] - retained[0]) >> 20, retained[2]);
      if (!"succeeded".equals(done.getString("state")) || seen.size() != numbers) {
        throw new IllegalStateException("the operation did not fix every number once: " + done.encode());
      }
      FixFanOutBenchmark.await(node.close());
    } finally {
      FixFanOutBenchmark.await(vertx.close());
      if (store != null) {
        store.destroy();
        store.waitFor();
      }
    }
  }

  /** Until something listens on the loopback port (the store-server opening its file), at most 60 s. */
  private static void awaitPort(int port) throws Exception {
    long until = System.currentTimeMillis() + 60_000;
    while (true) {
      try (Socket socket = new Socket("127.0.0.1", port)) {
        return;
      } catch (java.io.IOException e) {
        if (System.currentTimeMillis() > until) {
          throw new IllegalStateException("the store-server did not start on port " + port, e);
        }
        Thread.sleep(100);
      }
    }
  }

  /** The heap in use right after a full GC: once before the run, then every second until {@link #stop}. */
  static final class RetainedHeap {
    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final AtomicLong peak = new AtomicLong();
    private final AtomicLong samples = new AtomicLong();
    private final long before;
    private final Thread thread;
    private volatile boolean running = true;

    private RetainedHeap() {
      before = retained();
      thread = new Thread(() -> {
        while (running) {
          try {
            Thread.sleep(1_000);
          } catch (InterruptedException e) {
            return;
          }
          if (running) {
            peak.accumulateAndGet(retained(), Math::max);
            samples.incrementAndGet();
          }
        }
      }, "retained-heap");
      thread.setDaemon(true);
    }

    private long retained() {
      memory.gc();
      return memory.getHeapMemoryUsage().getUsed();
    }

    static RetainedHeap start() {
      RetainedHeap heap = new RetainedHeap();
      heap.thread.start();
      return heap;
    }

    /** {before, peak during the run, samples}. */
    long[] stop() throws InterruptedException {
      running = false;
      thread.interrupt();
      thread.join();
      return new long[] {before, Math.max(before, peak.get()), samples.get()};
    }
  }
}
