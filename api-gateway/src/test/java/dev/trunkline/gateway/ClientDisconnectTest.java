package dev.trunkline.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trunkline.contract.StoreMessages.RetellStatus;
import dev.trunkline.gateway.TrunklineHarness.Tenant;
import dev.trunkline.simulators.FaultRule;
import dev.trunkline.simulators.RetellSimulator;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A client that gives up on a long fix or audit (its load balancer's timeout, a killed script) must not leave
 * the whole fan-out running behind it: the gateway stops starting numbers once the connection is gone. Retell
 * is slowed down so that the full run would take seconds; the client hangs up after the first few numbers.
 */
@ExtendWith(VertxExtension.class)
class ClientDisconnectTest {
  private static final int NUMBERS = 40;
  private static final long RETELL_LATENCY_MS = 300;
  private static TrunklineHarness h;

  @BeforeAll
  static void start(Vertx vertx, VertxTestContext test) {
    JsonObject overrides = new JsonObject().put("gateway", new JsonObject()
        .put("fixConcurrency", 2).put("perNumberTimeoutMs", 5_000).put("listPageSize", 10));
    TrunklineHarness.start(vertx, overrides, true).onComplete(test.succeeding(harness -> {
      h = harness;
      test.completeNow();
    }));
  }

  @AfterAll
  static void noSecretLeaked() {
    h.assertNoSecretLeaked();
  }

  @Test
  void aFixStopsStartingNumbersWhenItsClientDisconnects() throws Exception {
    Tenant t = seedBrokenTenant("+1650555");
    String workspace = RetellSimulator.workspaceId(t.apiKey());
    h.retell.faults().add(FaultRule.on("PATCH", "/update-phone-number/*").latency(RETELL_LATENCY_MS));
    try {
      long before = h.retell.requests().writes(workspace);
      hangUpOnce("POST", h.path(t.id(), "/twilio/fix-retell-credentials"), t, "{}",
          () -> h.retell.requests().writes(workspace) > before);
      long atHangUp = h.retell.requests().writes(workspace) - before;
      // What was in flight finishes (at most fixConcurrency numbers, one Retell latency); then nothing more.
      Thread.sleep(3 * RETELL_LATENCY_MS);
      long settled = h.retell.requests().writes(workspace) - before;
      Thread.sleep(6 * RETELL_LATENCY_MS);
      long later = h.retell.requests().writes(workspace) - before;
      assertThat(atHangUp).as("the fix had started before the client hung up").isPositive();
      assertThat(later).as("no Retell update started after the in-flight ones").isEqualTo(settled);
      assertThat(later).as("a full run would update all %d numbers", NUMBERS).isLessThan(NUMBERS / 2);
    } finally {
      h.retell.faults().clear();
    }
    // The tenant is not left half-done for good: the client's retry fixes everything.
    JsonObject retry = await(h.call(HttpMethod.POST, h.path(t.id(), "/twilio/fix-retell-credentials"),
        h.token(t.id()), new JsonObject())).bodyAsJsonObject();
    assertThat(retry.getString("message")).isEqualTo("Fixed credentials for " + NUMBERS + " of " + NUMBERS
        + " phone numbers");
  }

  @Test
  void anAuditStopsStartingNumbersWhenItsClientDisconnects() throws Exception {
    Tenant t = seedBrokenTenant("+1650556");
    String workspace = RetellSimulator.workspaceId(t.apiKey());
    h.retell.faults().add(FaultRule.on("GET", "/get-phone-number/*").latency(RETELL_LATENCY_MS));
    try {
      long before = h.retell.requests().reads(workspace);
      hangUpOnce("GET", h.path(t.id(), "/twilio/retell-credentials"), t, null,
          () -> h.retell.requests().reads(workspace) > before);
      Thread.sleep(3 * RETELL_LATENCY_MS);
      long settled = h.retell.requests().reads(workspace) - before;
      Thread.sleep(6 * RETELL_LATENCY_MS);
      long later = h.retell.requests().reads(workspace) - before;
      assertThat(settled).as("the audit had started").isPositive();
      assertThat(later).as("no Retell read started after the in-flight ones").isEqualTo(settled);
      assertThat(later).isLessThan(NUMBERS / 2);
    } finally {
      h.retell.faults().clear();
    }
    JsonObject full = await(h.call(HttpMethod.GET, h.path(t.id(), "/twilio/retell-credentials"), h.token(t.id()),
        null)).bodyAsJsonObject();
    assertThat(full.getJsonObject("data").getInteger("total")).isEqualTo(NUMBERS);
  }

  private static Tenant seedBrokenTenant(String prefix) throws Exception {
    List<String> numbers = IntStream.range(0, NUMBERS).mapToObj(i -> String.format("%s%04d", prefix, i)).toList();
    Future<Tenant> seeded = h.seedTenant()
        .compose(t -> h.saveNumbers(t, RetellStatus.IMPORTED, numbers).map(v -> t))
        .map(t -> {
          numbers.forEach(n -> h.retell.seedBroken(t.apiKey(), n, t.terminationUri()));
          return t;
        });
    return await(seeded);
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /**
   * Sends the request over a plain socket and closes it, without reading an answer, as soon as {@code started}
   * says the gateway has begun calling Retell.
   */
  private static void hangUpOnce(String method, String path, Tenant t, String body, BooleanSupplier started)
      throws Exception {
    byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
    String head = method + " " + path + " HTTP/1.1\r\n"
        + "Host: 127.0.0.1:" + h.port + "\r\n"
        + "Authorization: Bearer " + h.token(t.id()) + "\r\n"
        + (body == null ? "" : "Content-Type: application/json\r\nContent-Length: " + content.length + "\r\n")
        + "\r\n";
    try (Socket socket = new Socket("127.0.0.1", h.port)) {
      OutputStream out = socket.getOutputStream();
      out.write(head.getBytes(StandardCharsets.US_ASCII));
      out.write(content);
      out.flush();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
      while (!started.getAsBoolean() && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
    }
  }
}
