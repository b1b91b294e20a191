package dev.trunkline.gateway;

import static dev.trunkline.contract.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trunkline.contract.testing.Await;
import dev.trunkline.gateway.RotationFixtures.T;
import dev.trunkline.simulators.FaultRule;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * End to end with the retries production ships (the other gateway tests turn them off to stay fast): Retell
 * {@code maxRetries} 2 with 500 ms base backoff and 4 s per attempt, Twilio {@code maxRetries} 3. Then the
 * interplay docs/api.md warns about: a per-number timeout shorter than a write's retries reports the number as
 * timed out while the write still lands, and the writer's credential lease outlives the request until it can
 * no longer land.
 */
class ProductionRetriesTest {
  private static TrunklineHarness h;
  private static RotationFixtures f;

  // The shipped values (RetellConfig's declared defaults).
  @RegisterExtension
  static final SharedHarness HARNESS = SharedHarness.of(new JsonObject()
      .put("retell", new JsonObject().put("maxRetries", 2).put("requestTimeoutMs", 4_000)
          .put("retryBaseDelayMs", 500).put("retryMaxDelayMs", 8_000))
      .put("twilio", new JsonObject().put("maxRetries", 3))
      // A per-number timeout shorter than a write's retries can take (1.5 s against up to 3 x 4 s plus backoff).
      .put("gateway", new JsonObject().put("perNumberTimeoutMs", 1_500).put("busTimeoutMs", 30_000)
          .put("rotationDrainTimeoutMs", 500).put("credentialLeaseTtlMs", 3_000)),
      harness -> h = harness).clearingFaults();

  @BeforeAll
  static void start() {
    f = new RotationFixtures(h);
  }

  @Test
  void aPurchaseRidesOutTwoRetellFailuresOnItsRetries() {
    T t = f.onboard(List.of());
    String phone = "+19175550160";
    long importsBefore = h.retell.requests().count("POST", "/import-phone-number");
    FaultRule outage = h.retell.faults().add(FaultRule.on("POST", "/import-phone-number").error(500).times(2));
    HttpResponse<Buffer> bought = f.purchase(t, phone);
    assertThat(bought.statusCode()).as(bought.bodyAsString()).isEqualTo(201);
    assertThat(bought.bodyAsJsonObject().getJsonObject("data").getString("retellStatus")).isEqualTo("IMPORTED");
    assertThat(outage.fired()).isEqualTo(2);
    assertThat(h.retell.requests().count("POST", "/import-phone-number") - importsBefore)
        .as("two failed attempts and the one that took").isEqualTo(3);
    assertThat(f.retellUsername(t, phone)).isEqualTo(f.sip(t).username());
  }

  @Test
  void aFixRetriesEachNumbersFailedWriteAndEveryNumberEndsRight() {
    List<String> numbers = List.of("+19175550161", "+19175550162", "+19175550163");
    T t = f.onboard(numbers);
    numbers.forEach(n -> f.setInRetell(t, n, "", "Wr0ngPassword-x"));
    long patchesBefore = h.retell.requests().count("PATCH", "/update-phone-number/*");
    FaultRule flaky = h.retell.faults().add(FaultRule.on("PATCH", "/update-phone-number/*").error(503).times(3));
    HttpResponse<Buffer> fixed = f.call(t, HttpMethod.POST, "/twilio/fix-retell-credentials", new JsonObject());
    assertThat(fixed.statusCode()).as(fixed.bodyAsString()).isEqualTo(200);
    assertThat(flaky.fired()).isEqualTo(3);
    assertThat(h.retell.requests().count("PATCH", "/update-phone-number/*") - patchesBefore).isEqualTo(6);
    String username = f.sip(t).username();
    for (String n : numbers) {
      assertThat(f.retellUsername(t, n)).isEqualTo(username);
      assertThat(h.retell.checkPassword(t.retellKey(), n, f.sip(t).password().reveal())).isTrue();
    }
  }

  @Test
  void aPerNumberTimeoutShorterThanTheRetriesReportsATimeoutWhileTheWriteStillLands() throws Exception {
    List<String> numbers = List.of("+19175550164");
    T t = f.onboard(numbers);
    String oldUser = f.sip(t).username();
    f.setInRetell(t, numbers.get(0), "", "Wr0ngPassword-x");
    // Two slow failures (1 s each, then 503) before the write takes: at least 2 s plus backoff, against the
    // gateway's 1.5 s for the number. Timers never fire early, so the order is certain.
    FaultRule slow = h.retell.faults().add(FaultRule.on("PATCH", "/update-phone-number/*").latency(1_000).times(2));
    FaultRule failing = h.retell.faults().add(FaultRule.on("PATCH", "/update-phone-number/*").error(503).times(2));
    HttpResponse<Buffer> fixed = f.call(t, HttpMethod.POST, "/twilio/fix-retell-credentials", new JsonObject());
    assertThat(fixed.statusCode()).as(fixed.bodyAsString()).isEqualTo(502);
    assertThat(fixed.bodyAsJsonObject().getJsonObject("data").getJsonArray("results").getJsonObject(0)
        .getJsonObject("error").getString("code")).isEqualTo("TIMEOUT");

    // The fix has answered, but the Retell service still retries its write with the current credential: the
    // fix's lease lingers, so a rotation cannot delete that credential yet.
    HttpResponse<Buffer> blocked = await(f.rotate(t));
    GatewayEdgeTest.assertError(blocked, 409, "OLD_CREDENTIAL_IN_USE");

    // The write the gateway stopped waiting for lands on its third attempt, with the credential it was given.
    Await.until("the retried write to land", Duration.ofSeconds(20),
        () -> failing.fired() == 2 && oldUser.equals(f.retellUsername(t, numbers.get(0))));
    assertThat(slow.fired()).isEqualTo(2);
    assertThat(f.twilioUsernames(t)).as("the credential it landed with still exists").contains(oldUser);
    f.assertEveryNumberOnALiveCredential(t);
  }
}
