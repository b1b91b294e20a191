package dev.trunkline.gateway;

import static dev.trunkline.contract.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trunkline.contract.StoreMessages.RetellStatus;
import dev.trunkline.contract.testing.Await;
import dev.trunkline.gateway.TrunklineHarness.Tenant;
import dev.trunkline.simulators.FaultRule;
import dev.trunkline.simulators.RetellSimulator;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A client that gives up on a long fix or audit (its load balancer's timeout, a killed script) must not leave
 * the whole fan-out running behind it: the gateway stops starting numbers once the connection is gone. Retell
 * holds (HOLD) every call of the kind under test, so when the client hangs up exactly {@code fixConcurrency}
 * numbers are in flight and none has finished; those time out ({@code perNumberTimeoutMs}) and nothing more may
 * start. The run is over when the tenant's only fan-out slot is free again ({@code maxFanOutsPerTenant} 1).
 */
@ExtendWith(VertxExtension.class)
class ClientDisconnectTest {
  private static final int NUMBERS = 40;
  private static final int CONCURRENCY = 2;
  private static TrunklineHarness h;

  @BeforeAll
  static void start(Vertx vertx, VertxTestContext test) {
    JsonObject overrides = new JsonObject().put("gateway", new JsonObject()
        .put("fixConcurrency", CONCURRENCY).put("perNumberTimeoutMs", 5_000).put("listPageSize", 10)
        .put("maxFanOutsPerTenant", 1));
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
    FaultRule held = h.retell.faults().add(FaultRule.on("PATCH", "/update-phone-number/*").hold(30_000));
    try {
      long before = h.retell.requests().writes(workspace);
      hangUpOnce("POST", h.path(t.id(), "/twilio/fix-retell-credentials"), t, "{}", held);
      awaitRunEnded(t);
      assertThat(held.held()).as("updates in flight when the client hung up, and ever").isEqualTo(CONCURRENCY);
      assertThat(h.retell.requests().writes(workspace) - before)
          .as("no Retell update started after the in-flight ones").isEqualTo(CONCURRENCY);
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
    FaultRule held = h.retell.faults().add(FaultRule.on("GET", "/get-phone-number/*").hold(30_000));
    try {
      long before = h.retell.requests().reads(workspace);
      hangUpOnce("GET", h.path(t.id(), "/twilio/retell-credentials"), t, null, held);
      awaitRunEnded(t);
      assertThat(held.held()).as("reads in flight when the client hung up, and ever").isEqualTo(CONCURRENCY);
      assertThat(h.retell.requests().reads(workspace) - before)
          .as("no Retell read started after the in-flight ones").isEqualTo(CONCURRENCY);
    } finally {
      h.retell.faults().clear();
    }
    JsonObject full = await(h.call(HttpMethod.GET, h.path(t.id(), "/twilio/retell-credentials"), h.token(t.id()),
        null)).bodyAsJsonObject();
    assertThat(full.getJsonObject("data").getInteger("total")).isEqualTo(NUMBERS);
  }

  /**
   * Waits until the abandoned run has completed: until then it holds the tenant's only fan-out slot, and an audit
   * of a number the tenant does not have is refused with 429 TOO_MANY_FAN_OUTS; after, it is answered 404
   * without calling Retell.
   */
  private static void awaitRunEnded(Tenant t) {
    String probe = h.path(t.id(), "/twilio/retell-credentials?phoneNumber=%2B19995550000");
    HttpResponse<Buffer> free = await(Await.until(h.vertx, "the abandoned run to free the tenant's fan-out slot",
        Duration.ofSeconds(30), () -> h.call(HttpMethod.GET, probe, h.token(t.id()), null)
            .map(r -> r.statusCode() == 429 ? null : r)));
    GatewayEdgeTest.assertError(free, 404, "NUMBER_NOT_FOUND");
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

  /**
   * Sends the request over a plain socket and closes it, without reading an answer, once the gateway has
   * {@value #CONCURRENCY} calls held at Retell: the fan-out's window is full and no number has finished.
   */
  private static void hangUpOnce(String method, String path, Tenant t, String body, FaultRule held)
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
      await(held.whenHeld(CONCURRENCY));
    }
  }
}
