package dev.trunkline.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Not a test of speed (it asserts only the status): an opt-in measurement of what a refused request costs the gateway,
 * for bodies built to be expensive (hundreds of unknown fields, deep nesting, a long string) up to the body limit,
 * and a small invalid one. Prints requests per second and latency percentiles per kind.
 * Run: {@code mvn -B -o verify -pl api-gateway -am -Dtest=RejectedInputMeasurement
 * -Dsurefire.failIfNoSpecifiedTests=false -Dtrunkline.measure=true -Dtrunkline.measure.requests=3000}
 */
@ExtendWith(VertxExtension.class)
@EnabledIfSystemProperty(named = "trunkline.measure", matches = "true")
class RejectedInputMeasurement {
  private static final String A = "aaaaaaaaaaaaaaaaaaaaaaaa";

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.MINUTES)
  void refusedBodies(Vertx vertx, VertxTestContext test) {
    int n = Integer.getInteger("trunkline.measure.requests", 3_000);
    int concurrency = Integer.getInteger("trunkline.measure.concurrency", 16);
    JsonObject overrides = new JsonObject().put("gateway", new JsonObject()
        .put("rateLimit", new JsonObject().put("requestsPerMinute", 10_000_000)));
    Map<String, String> bodies = new LinkedHashMap<>();
    // Twice: the first round warms the JIT up.
    bodies.put("warm-up (small invalid)", new JsonObject().put("phoneNumber", "4155550100").encode());
    bodies.put("small invalid", new JsonObject().put("phoneNumber", "4155550100").encode());
    JsonObject many = new JsonObject();
    for (int i = 0; many.encode().length() < 16_000; i++) {
      many.put("f" + i, i);
    }
    bodies.put("~16 KB of unknown fields", many.encode());
    bodies.put("nesting 900 deep", "{\"phoneNumber\":" + "[".repeat(900) + "]".repeat(900) + "}");
    bodies.put("16 KB string", new JsonObject().put("phoneNumber", "+1" + "5".repeat(16_000)).encode());
    TrunklineHarness.start(vertx, overrides, false).onComplete(test.succeeding(h -> {
      Future<Void> chain = Future.succeededFuture();
      for (Map.Entry<String, String> kind : bodies.entrySet()) {
        chain = chain.compose(v -> run(h, kind.getKey(), kind.getValue(), n, concurrency));
      }
      chain.onComplete(test.succeedingThenComplete());
    }));
  }

  private static Future<Void> run(TrunklineHarness h, String kind, String body, int n, int concurrency) {
    String uri = h.path(A, "/twilio/phoneNumbers/import");
    String token = h.token(A);
    long[] latencies = new long[n];
    int[] next = {0};
    long start = System.nanoTime();
    long cpuStart = processCpuNanos();
    List<Future<Void>> workers = new ArrayList<>();
    for (int w = 0; w < concurrency; w++) {
      workers.add(worker(h, uri, token, body, latencies, next, n));
    }
    return Future.all(workers).map(v -> {
      long wallNs = System.nanoTime() - start;
      long cpuNs = processCpuNanos() - cpuStart;
      Arrays.sort(latencies);
      // CPU time of the whole process (client and gateway) per request: far steadier than wall time on a shared host.
      System.out.printf("MEASURE %-26s %6d requests (%d bytes each) %4.0f us CPU/request %7.0f req/s  p50 %.2f ms"
          + "  p99 %.2f ms%n", kind, n, body.length(), cpuNs / 1e3 / n, n / (wallNs / 1e9), latencies[n / 2] / 1e6,
          latencies[n * 99 / 100] / 1e6);
      return null;
    });
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static Future<Void> worker(TrunklineHarness h, String uri, String token, String body, long[] latencies,
      int[] next, int n) {
    if (next[0] >= n) {
      return Future.succeededFuture();
    }
    int i = next[0]++;
    long t0 = System.nanoTime();
    return h.call(HttpMethod.POST, uri, token, body).compose(r -> {
      latencies[i] = System.nanoTime() - t0;
      assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(400);
      return worker(h, uri, token, body, latencies, next, n);
    });
  }

}
