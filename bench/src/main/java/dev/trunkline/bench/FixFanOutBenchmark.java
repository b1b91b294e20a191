package dev.trunkline.bench;

import dev.trunkline.app.ConfigLoader;
import dev.trunkline.app.Trunkline;
import dev.trunkline.contract.Addresses;
import dev.trunkline.contract.Bus;
import dev.trunkline.contract.StoreMessages.PhoneNumber;
import dev.trunkline.contract.StoreMessages.RetellStatus;
import dev.trunkline.simulators.FaultRule;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The fix flow's fan-out: N numbers whose Retell update takes {@value #LATENCY_MS} ms each (injected in the
 * Retell simulator), fixed through the real HTTP API with concurrency 1 (the baseline: the origin service's
 * one-at-a-time loop), 8 and 32. The claim to check: about ceil(N / concurrency) round trips, not N.
 */
final class FixFanOutBenchmark {
  static final long LATENCY_MS = 20;
  static final String TENANT = "65a000000000000000000b01";
  static final String RETELL_KEY = "bench-retell-key";

  private FixFanOutBenchmark() {}

  static void run(boolean quick) throws Exception {
    int numbers = quick ? 64 : 256;
    int runs = quick ? 3 : 5;
    System.out.printf("%n== fix fan-out: %d numbers, %d ms injected Retell latency per update, median of %d runs%n",
        numbers, LATENCY_MS, runs);
    System.out.printf("%-12s %12s %14s %16s %10s%n", "concurrency", "median ms", "round trips", "ceil(N/c)", "speed-up");
    long baseline = -1;
    for (int concurrency : new int[] {1, 8, 32}) {
      long median = measure(numbers, concurrency, runs);
      if (baseline < 0) {
        baseline = median;
      }
      System.out.printf("%-12d %12d %14.1f %16d %9.1fx%n", concurrency, median, (double) median / LATENCY_MS,
          (numbers + concurrency - 1) / concurrency, (double) baseline / median);
    }
  }

  private static long measure(int numbers, int concurrency, int runs) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      JsonObject config = config(concurrency);
      Trunkline node = await(Trunkline.start(vertx, config));
      WebClient http = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
          .setDefaultPort(node.httpPort()));
      String token = token(vertx, node.config().getJsonObject("gateway").getString("jwtSecret"));
      String base = "/api/connectors/" + TENANT;
      expect(await(http.put(base + "/twilio").bearerTokenAuthentication(token).sendJsonObject(new JsonObject()
          .put("accountSid", "AC" + "b".repeat(32)).put("authToken", "bench-twilio-token"))), 200);
      expect(await(http.put(base + "/retell").bearerTokenAuthentication(token)
          .sendJsonObject(new JsonObject().put("apiKey", RETELL_KEY))), 200);
      HttpResponse<?> setup = await(http.post(base + "/twilio/setup").bearerTokenAuthentication(token)
          .sendJsonObject(new JsonObject()));
      String terminationUri = setup.bodyAsJsonObject().getJsonObject("data").getString("terminationUri");
      seed(vertx, node, numbers, terminationUri);
      node.sandbox().retell().faults().add(FaultRule.on("PATCH", "/update-phone-number/*").latency(LATENCY_MS));

      long[] times = new long[runs];
      for (int i = -1; i < runs; i++) { // run -1 warms up the JIT and the pools
        long start = System.nanoTime();
        HttpResponse<?> fix = await(http.post(base + "/twilio/fix-retell-credentials").timeout(300_000)
            .bearerTokenAuthentication(token).sendJsonObject(new JsonObject()));
        long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        expect(fix, 200);
        int fixed = fix.bodyAsJsonObject().getJsonObject("data").getInteger("successCount");
        if (fixed != numbers) {
          throw new IllegalStateException("fixed " + fixed + " of " + numbers);
        }
        if (i >= 0) {
          times[i] = elapsed;
        }
      }
      await(node.close());
      return Benchmarks.median(times);
    } finally {
      await(vertx.close());
    }
  }

  static void seed(Vertx vertx, Trunkline node, int numbers, String terminationUri) throws Exception {
    List<Future<PhoneNumber>> saves = new ArrayList<>();
    long now = System.currentTimeMillis();
    for (int i = 0; i < numbers; i++) {
      String phone = "+1628555" + String.format("%04d", i);
      node.sandbox().retell().seedBroken(RETELL_KEY, phone, terminationUri);
      saves.add(Bus.request(vertx, Addresses.Store.NUMBER_SAVE, new PhoneNumber(TENANT, phone,
          "PN" + String.format("%032x", i), null, RetellStatus.IMPORTED, null, now, now), PhoneNumber.class, 10_000, null));
    }
    await(Future.all(saves));
  }

  private static JsonObject config(int concurrency) throws Exception {
    JsonObject config = ConfigLoader.defaults();
    config.put("mode", "sandbox").put("dataDir", Files.createTempDirectory("trunkline-bench").toString());
    config.getJsonObject("http").put("port", freePort()).put("host", "127.0.0.1");
    config.getJsonObject("provisioning").put("fixConcurrency", concurrency);
    config.getJsonObject("gateway").put("rateLimit", new JsonObject().put("requestsPerMinute", 1_000_000));
    // The client-side Retell rate limit would cap the fan-out at its own rate; this measures the fan-out.
    config.getJsonObject("retell").put("rateLimitPerSecond", 100_000).put("rateLimitBurst", 100_000);
    return config;
  }

  static String token(Vertx vertx, String secret) {
    JWTAuth auth = JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(secret)));
    return auth.generateToken(new JsonObject().put("sub", "bench").put("subaccounts", new JsonArray().add(TENANT)),
        new JWTOptions().setExpiresInMinutes(60));
  }

  static void expect(HttpResponse<?> response, int status) {
    if (response.statusCode() != status) {
      throw new IllegalStateException("expected " + status + ", got " + response.statusCode() + ": "
          + response.bodyAsString());
    }
  }

  static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.MINUTES);
  }

  static int freePort() throws java.io.IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
