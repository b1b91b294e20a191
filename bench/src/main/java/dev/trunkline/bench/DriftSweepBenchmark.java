package dev.trunkline.bench;

import dev.trunkline.app.ConfigLoader;
import dev.trunkline.app.Trunkline;
import dev.trunkline.contract.Addresses;
import dev.trunkline.contract.Bus;
import dev.trunkline.contract.StoreMessages.PhoneNumber;
import dev.trunkline.contract.StoreMessages.RetellStatus;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/**
 * The drift sweep over N numbers of one tenant (10,000 by default), in whatever heap the JVM was given
 * ({@code exec:exec@drift} gives it 128 MiB): every number inspected once, a few of them drifted, the period short
 * and the rate cap high so the sweep runs as fast as the services let it. Reports how long the sweep took, its
 * Retell requests, 429s and the peak heap in use while it ran: the sweep holds one page of numbers, never the list.
 */
final class DriftSweepBenchmark {
  static final int DRIFTED = 100;

  private DriftSweepBenchmark() {}

  static void run(boolean quick) throws Exception {
    int numbers = quick ? 2_000 : 10_000;
    Vertx vertx = Vertx.vertx();
    try {
      JsonObject config = ConfigLoader.defaults();
      config.put("mode", "sandbox").put("dataDir", Files.createTempDirectory("trunkline-bench").toString());
      config.getJsonObject("http").put("port", FixFanOutBenchmark.freePort()).put("host", "127.0.0.1");
      config.getJsonObject("gateway").put("rateLimit", new JsonObject().put("requestsPerMinute", 1_000_000));
      config.getJsonObject("retell").put("rateLimitPerSecond", 100_000).put("rateLimitBurst", 100_000);
      // A first (empty) sweep at start; the measured one begins a period later, once the numbers are seeded.
      config.put("drift", new JsonObject().put("enabled", true).put("periodSeconds", 30).put("maxPerSecond", 2_000)
          .put("leaseMs", 30_000));
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
      seed(vertx, node, numbers, trunk.getString("terminationUri"), trunk.getString("username"));
      long requestsBefore = node.sandbox().retell().requests().total();

      BudgetBenchmark.HeapSampler heap = BudgetBenchmark.HeapSampler.start();
      JsonObject sweep = null;
      while (sweep == null || sweep.getInteger("checked") < numbers) {
        Thread.sleep(500);
        HttpResponse<?> drift = FixFanOutBenchmark.await(http.get(base + "/drift?limit=1")
            .bearerTokenAuthentication(token).send());
        sweep = drift.bodyAsJsonObject().getJsonObject("data").getJsonObject("lastSweep");
      }
      long peakMiB = heap.stop() >> 20;
      long ms = sweep.getLong("finishedAt") - sweep.getLong("startedAt");
      System.out.printf("%n== drift sweep: %d numbers (%d drifted), JVM max heap %d MiB%n", numbers, DRIFTED,
          Runtime.getRuntime().maxMemory() >> 20);
      System.out.printf("sweep %d ms (%.0f numbers/s), checked %d, ok %d, drifted %d, errors %d; Retell requests %d, "
              + "429s %d; peak heap in use %d MiB%n", ms, numbers * 1000.0 / ms, sweep.getInteger("checked"),
          sweep.getInteger("ok"), sweep.getInteger("drifted"), sweep.getInteger("errors"),
          node.sandbox().retell().requests().total() - requestsBefore, node.sandbox().retell().rateLimited(), peakMiB);
      FixFanOutBenchmark.await(node.close());
    } finally {
      FixFanOutBenchmark.await(vertx.close());
    }
  }

  /** N numbers recorded and in Retell as the trunk needs them, but the first {@link #DRIFTED} with no username. */
  private static void seed(Vertx vertx, Trunkline node, int numbers, String terminationUri, String username)
      throws Exception {
    long now = System.currentTimeMillis();
    for (int from = 0; from < numbers; from += 200) {
      List<Future<PhoneNumber>> saves = new ArrayList<>();
      for (int i = from; i < Math.min(numbers, from + 200); i++) {
        String phone = "+1628" + String.format("%07d", i);
        node.sandbox().retell().seed(FixFanOutBenchmark.RETELL_KEY, new JsonObject().put("phone_number", phone)
            .put("termination_uri", terminationUri).put("auth_username", i < DRIFTED ? "" : username));
        saves.add(Bus.request(vertx, Addresses.Store.NUMBER_SAVE, new PhoneNumber(FixFanOutBenchmark.TENANT, phone,
            "PN" + String.format("%032x", i), null, RetellStatus.IMPORTED, null, now, now), PhoneNumber.class,
            10_000, null));
      }
      FixFanOutBenchmark.await(Future.all(saves));
    }
  }
}
