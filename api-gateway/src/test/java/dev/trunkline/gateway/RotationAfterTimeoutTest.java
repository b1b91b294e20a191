package dev.trunkline.gateway;

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
 * A Retell write the gateway stopped waiting for can still land: the gateway's per-number timeout (1 s here) is
 * shorter than what the Retell service gives the same request (30 s here). A fix whose write timed out must keep
 * the old credential alive (its lease lingers) until that write can no longer land, or the late write puts the
 * number on a deleted credential.
 */
class RotationAfterTimeoutTest {
  private static TrunklineHarness h;
  private static RotationFixtures f;

  @RegisterExtension
  static final SharedHarness HARNESS = SharedHarness.of(new JsonObject()
      .put("retell", new JsonObject().put("requestTimeoutMs", 30_000))
      .put("gateway", new JsonObject().put("fixConcurrency", 1).put("perNumberTimeoutMs", 1_000)
          .put("busTimeoutMs", 30_000).put("rotationDrainTimeoutMs", 500).put("credentialLeaseTtlMs", 3_000)),
      harness -> h = harness).clearingFaults();

  @BeforeAll
  static void start() {
    f = new RotationFixtures(h);
  }

  @Test
  void aFixWriteThatTimedOutKeepsTheOldCredentialUntilItCanNoLongerLand() throws Exception {
    List<String> numbers = List.of("+19175550150", "+19175550151");
    T t = f.onboard(numbers);
    String oldUser = f.sip(t).username();
    FaultRule held = f.hold("PATCH", "/update-phone-number/*9175550150");

    HttpResponse<Buffer> fixed = f.call(t, HttpMethod.POST, "/twilio/fix-retell-credentials", new JsonObject());
    assertThat(fixed.statusCode()).as(fixed.bodyAsString()).isEqualTo(207);
    assertThat(fixed.bodyAsJsonObject().getJsonObject("data").getJsonArray("results").getJsonObject(0)
        .getJsonObject("error").getString("code")).isEqualTo("TIMEOUT");
    assertThat(held.held()).as("the fix's write to the first number is still in flight").isEqualTo(1);

    // The fix has answered, but its write with the old credential may still land: the rotation must not finish.
    HttpResponse<Buffer> blocked = Await.await(f.rotate(t));
    GatewayEdgeTest.assertError(blocked, 409, "OLD_CREDENTIAL_IN_USE");
    String newUser = f.sip(t).pending().username();
    assertThat(f.retellUsername(t, numbers.get(0))).as("moved by the rotation").isEqualTo(newUser);

    // The late write lands now, putting the number back on the old credential, which must still exist.
    held.release();
    Await.until("the released write to land", Duration.ofSeconds(20),
        () -> oldUser.equals(f.retellUsername(t, numbers.get(0))));
    assertThat(f.twilioUsernames(t)).contains(oldUser);
    f.assertEveryNumberOnALiveCredential(t);

    // Once the lease has expired (credentialLeaseTtlMs after the write timed out) a re-run moves the number again,
    // verifies every number and finishes. Until then each re-run is refused for that reason and no other.
    HttpResponse<Buffer> done = Await.value("a re-run of the rotation that is not refused",
        Duration.ofSeconds(30), () -> {
          HttpResponse<Buffer> rerun = Await.await(f.rotate(t));
          if (rerun.statusCode() == 409) {
            GatewayEdgeTest.assertError(rerun, 409, "OLD_CREDENTIAL_IN_USE");
            return null;
          }
          return rerun;
        }, rerun -> true);
    assertThat(done.statusCode()).as(done.bodyAsString()).isEqualTo(200);
    assertThat(done.bodyAsJsonObject().getJsonObject("data").getBoolean("finished")).isTrue();
    f.assertEveryNumberOnTheOnlyCredential(t, newUser);
  }
}
