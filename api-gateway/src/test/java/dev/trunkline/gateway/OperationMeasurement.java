package dev.trunkline.gateway;

import static dev.trunkline.contract.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trunkline.contract.Addresses;
import dev.trunkline.contract.StoreMessages;
import dev.trunkline.contract.StoreMessages.RetellStatus;
import dev.trunkline.contract.testing.Await;
import dev.trunkline.gateway.TrunklineHarness.Tenant;
import dev.trunkline.provisioning.BoundedFanOut;
import dev.trunkline.simulators.FaultRule;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Opt-in measurement of a long fix as an operation over the whole stack: 202 at once, polled to its end, its results
 * paged from the store; prints wall time, heap (sampled every 100 ms, after a GC before) and the pages read.
 * Run: {@code mvn -B -o verify -pl api-gateway -am -Dtest=OperationMeasurement -Dsurefire.failIfNoSpecifiedTests=false
 * -Dtrunkline.measure=true -Dtrunkline.measure.numbers=10000 -Dtrunkline.measure.latencyMs=20}
 */
@ExtendWith(VertxExtension.class)
@EnabledIfSystemProperty(named = "trunkline.measure", matches = "true")
class OperationMeasurement {

  @Test
  void aLongFixAsAnOperation(Vertx vertx) {
    int n = Integer.getInteger("trunkline.measure.numbers", 2_000);
    long latency = Long.getLong("trunkline.measure.latencyMs", 20L);
    JsonObject overrides = new JsonObject()
        .put("provisioning", new JsonObject().put("fixConcurrency", 32).put("busTimeoutMs", 60_000))
        .put("retell", new JsonObject().put("rateLimitPerSecond", 1_000_000).put("rateLimitBurst", 1_000_000)
            .put("maxPoolSize", 32));
    TrunklineHarness h = await(TrunklineHarness.start(vertx, overrides, true));
    Tenant t = await(h.seedTenant());
    List<String> numbers = IntStream.range(0, n).mapToObj(i -> String.format("+1555%07d", i)).toList();
    await(BoundedFanOut.run(vertx, BoundedFanOut.PageSource.of(numbers), 64, 30_000,
        (String phone) -> h.bus(Addresses.Store.NUMBER_SAVE, new StoreMessages.PhoneNumber(t.id(), phone, null,
            t.trunkSid(), RetellStatus.IMPORTED, null, 0, 0)), (phone, err) -> null));
    numbers.forEach(phone -> h.retell.seedBroken(t.apiKey(), phone, t.terminationUri()));
    h.retell.faults().add(FaultRule.on("PATCH", "/update-phone-number/**").latency(latency));
    System.gc();
    long heapBefore = usedHeap();
    AtomicLong peak = new AtomicLong(heapBefore);
    long sampler = vertx.setPeriodic(100, id -> peak.accumulateAndGet(usedHeap(), Math::max));

    long start = System.nanoTime();
    HttpResponse<Buffer> accepted = await(h.send(h.request(HttpMethod.POST,
        h.path(t.id(), "/twilio/fix-retell-credentials"), h.token(t.id())).putHeader("Prefer", "respond-async"),
        new JsonObject()));
    long acceptedMs = (System.nanoTime() - start) / 1_000_000;
    assertThat(accepted.statusCode()).isEqualTo(202);
    String location = accepted.getHeader("Location");
    JsonObject done = await(Await.until(vertx, "the operation to end", Duration.ofMinutes(10),
        () -> h.call(HttpMethod.GET, location + "?limit=1", h.token(t.id()), null).map(r -> {
          JsonObject data = r.bodyAsJsonObject().getJsonObject("data");
          return "running".equals(data.getString("state")) ? null : data;
        })));
    long endMs = (System.nanoTime() - start) / 1_000_000;
    int pages = 0;
    long seen = 0;
    String next = null;
    do {
      JsonObject page = await(h.call(HttpMethod.GET, location + "?limit=500" + (next == null ? "" : "&after=" + next),
          h.token(t.id()), null)).bodyAsJsonObject().getJsonObject("data");
      seen += page.getJsonArray("results").size();
      next = page.getValue("next") == null ? null : page.getValue("next").toString();
      pages++;
    } while (next != null);
    vertx.cancelTimer(sampler);
    System.out.printf("MEASURE operation fix: %d numbers, Retell latency %d ms: 202 in %d ms, %s after %d ms "
            + "(done %d); %d results read in %d pages of 500; heap before %d MiB, peak %d MiB (+%d MiB)%n",
        n, latency, acceptedMs, done.getString("state"), endMs, done.getLong("done"), seen, pages,
        heapBefore >> 20, peak.get() >> 20, (peak.get() - heapBefore) >> 20);
    assertThat(done.getString("state")).isEqualTo("succeeded");
    assertThat(seen).isEqualTo(n);
  }

  private static long usedHeap() {
    Runtime rt = Runtime.getRuntime();
    return rt.totalMemory() - rt.freeMemory();
  }
}
