package dev.trunkline.gateway;

import dev.trunkline.provisioning.BoundedFanOut;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trunkline.contract.Addresses;
import dev.trunkline.contract.StoreMessages.RetellStatus;
import dev.trunkline.contract.StoreMessages;
import dev.trunkline.simulators.FaultRule;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Not a test of speed (it asserts only correctness): an opt-in measurement of the fix flow over the whole
 * stack, printing wall time, Retell round trips and heap, for the report and for bench/.
 * Run: {@code mvn -B -o verify -pl api-gateway -am -Dtest=FixFlowMeasurement -Dsurefire.failIfNoSpecifiedTests=false
 * -Dtrunkline.measure=true -Dtrunkline.measure.numbers=10000 -Dtrunkline.measure.latencyMs=20}
 */
@ExtendWith(VertxExtension.class)
@EnabledIfSystemProperty(named = "trunkline.measure", matches = "true")
class FixFlowMeasurement {

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.MINUTES)
  void fixManyNumbers(Vertx vertx, VertxTestContext test) {
    int n = Integer.getInteger("trunkline.measure.numbers", 2_000);
    int concurrency = Integer.getInteger("trunkline.measure.concurrency", 32);
    long latency = Long.getLong("trunkline.measure.latencyMs", 20L);
    JsonObject overrides = new JsonObject()
        .put("gateway", new JsonObject().put("fixConcurrency", concurrency).put("busTimeoutMs", 600_000))
        .put("retell", new JsonObject().put("rateLimitPerSecond", 1_000_000).put("rateLimitBurst", 1_000_000)
            .put("maxPoolSize", concurrency));
    List<String> numbers = IntStream.range(0, n).mapToObj(i -> String.format("+1555%07d", i)).toList();
    TrunklineHarness.start(vertx, overrides, true).compose(h -> h.seedTenant().compose(t -> {
      // Record the numbers through the store with a bounded window (the fan-out itself).
      return BoundedFanOut.run(vertx, BoundedFanOut.PageSource.of(numbers), 64, 30_000,
              (String phone) -> h.bus(Addresses.Store.NUMBER_SAVE, new StoreMessages.PhoneNumber(t.id(), phone,
                  null, t.trunkSid(), RetellStatus.IMPORTED, null, 0, 0)),
              (phone, err) -> null)
          .map(v -> {
            numbers.forEach(phone -> h.retell.seedBroken(t.apiKey(), phone, t.terminationUri()));
            h.retell.faults().add(FaultRule.on("PATCH", "/update-phone-number/**").latency(latency));
            h.retell.requests().reset();
            System.gc();
            return t;
          })
          .compose(v -> {
            long heapBefore = usedHeap();
            long start = System.nanoTime();
            return h.call(HttpMethod.POST, h.path(t.id(), "/twilio/fix-retell-credentials"), h.token(t.id()), null)
                .map(r -> {
                  long ms = (System.nanoTime() - start) / 1_000_000;
                  long patches = h.retell.requests().count("PATCH", "/update-phone-number/**");
                  double idealRounds = Math.ceil((double) n / concurrency);
                  System.out.printf("MEASURE fix-retell-credentials: %d numbers, concurrency %d, Retell latency %d ms:"
                          + " HTTP %d in %d ms; %d PATCHes; %.0f round trips ideal (%.0f ms at that latency); "
                          + "%.1f round-trip times taken; heap delta %d MiB; response %d KiB%n",
                      n, concurrency, latency, r.statusCode(), ms, patches, idealRounds, idealRounds * latency,
                      ms / (double) latency, (usedHeap() - heapBefore) / (1 << 20), r.body().length() / 1024);
                  test.verify(() -> {
                    assertThat(r.statusCode()).isEqualTo(200);
                    assertThat(r.bodyAsJsonObject().getJsonObject("data").getInteger("successCount")).isEqualTo(n);
                    assertThat(patches).isEqualTo(n);
                  });
                  return r;
                });
          });
    })).onComplete(test.succeeding(r -> test.completeNow()));
  }

  private static long usedHeap() {
    Runtime rt = Runtime.getRuntime();
    return rt.totalMemory() - rt.freeMemory();
  }
}
