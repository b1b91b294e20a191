package dev.trunkline.gateway;

import static dev.trunkline.contract.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trunkline.contract.testing.Await;
import dev.trunkline.gateway.RotationFixtures.T;
import dev.trunkline.simulators.FaultRule;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The audit and the rotation as operations over real HTTP (docs/api.md "Long operations"), tenants onboarded
 * through the API against the Twilio and Retell simulators: {@code Prefer: respond-async} answers 202 and the poll
 * ends with the synchronous report; a second rotation joins the running one; a cancelled rotation leaves both
 * credentials valid and every number on one of them, whether it was moving numbers or verifying them, and a re-run
 * finishes the same rotation. Retell holds (HOLD) one call of the flow under test, so "running" is a fact.
 */
@ExtendWith(VertxExtension.class)
class AsyncAuditAndRotationTest {
  private static final String ROTATE = "/twilio/credentials/rotate";
  private static TrunklineHarness h;
  private static RotationFixtures f;

  @RegisterExtension
  static final SharedHarness HARNESS = SharedHarness.of(new JsonObject()
        .put("retell", new JsonObject().put("requestTimeoutMs", 30_000))
        .put("provisioning", new JsonObject().put("fixConcurrency", 1).put("perNumberTimeoutMs", 30_000)
            .put("listPageSize", 2).put("rotationDrainTimeoutMs", 1_500)),
      harness -> {
        h = harness;
        f = new RotationFixtures(harness);
      }).clearingFaults();

  @Test
  void anAsyncAuditAnswers202AndThePollEndsWithTheAuditReport() {
    T t = f.onboard(List.of("+14155550160", "+14155550161", "+14155550162"));
    FaultRule held = f.hold("GET", "/get-phone-number/*4155550161");

    HttpResponse<Buffer> accepted = async(t, HttpMethod.GET, "/twilio/retell-credentials");
    String location = accepted.getHeader("Location");
    assertThat(accepted.bodyAsJsonObject().getJsonObject("data").getString("kind")).isEqualTo("audit");
    await(held.whenHeld(1));
    assertThat(get(t, location).getString("state")).isEqualTo("running");

    held.release();
    JsonObject done = awaitEnd(t, location);
    assertThat(done.getString("state")).isEqualTo("succeeded");
    assertThat(done.getJsonObject("report").getString("message"))
        .isEqualTo("Audited 3 of 3 phone numbers: 3 ok, 0 with wrong or missing credentials");
    assertThat(done.getJsonObject("report").getJsonObject("data").getLong("okCount")).isEqualTo(3);
    List<JsonObject> results = allResults(t, location);
    assertThat(results).hasSize(3).allSatisfy(r -> {
      assertThat(r.getString("phase")).isEqualTo("audit");
      assertThat(r.getString("status")).isEqualTo("OK");
    });
  }

  @Test
  void anAsyncRotationAnswers202AndThePollEndsWithTheRotationFinished() {
    T t = f.onboard(List.of("+14155550163", "+14155550164", "+14155550165"));
    FaultRule held = f.hold("PATCH", "/update-phone-number/*4155550164");

    String location = async(t, HttpMethod.POST, ROTATE).getHeader("Location");
    await(held.whenHeld(1));
    assertThat(get(t, location).getString("state")).isEqualTo("running");
    String newUser = f.sip(t).pending().username();

    held.release();
    JsonObject done = awaitEnd(t, location);
    assertThat(done.getString("state")).as(done.encode()).isEqualTo("succeeded");
    JsonObject report = done.getJsonObject("report");
    assertThat(report.getJsonObject("data").getBoolean("finished")).isTrue();
    assertThat(report.getJsonObject("data").getString("username")).isEqualTo(newUser);
    assertThat(done.getLong("done")).as("3 moved, then 3 verified").isEqualTo(6);
    List<JsonObject> results = allResults(t, location);
    assertThat(results.stream().filter(r -> "move".equals(r.getString("phase")))).hasSize(3);
    assertThat(results.stream().filter(r -> "verify".equals(r.getString("phase")))).hasSize(3);
    f.assertEveryNumberOnTheOnlyCredential(t, newUser);
  }

  @Test
  void aSecondRotationWhileOneRunsJoinsItInsteadOfStartingAnother() {
    T t = f.onboard(List.of("+14155550166", "+14155550167"));
    FaultRule held = f.hold("PATCH", "/update-phone-number/*4155550166");

    String location = async(t, HttpMethod.POST, ROTATE).getHeader("Location");
    await(held.whenHeld(1));
    String newUser = f.sip(t).pending().username();
    HttpResponse<Buffer> second = f.call(t, HttpMethod.POST, ROTATE, null);
    assertThat(second.statusCode()).as(second.bodyAsString()).isEqualTo(200);
    assertThat(second.getHeader("Location")).isEqualTo(location);
    assertThat(second.bodyAsJsonObject().getJsonObject("data").getString("state")).isEqualTo("running");

    held.release();
    assertThat(awaitEnd(t, location).getString("state")).isEqualTo("succeeded");
    f.assertEveryNumberOnTheOnlyCredential(t, newUser);
  }

  @Test
  void aRotationCancelledWhileMovingKeepsBothCredentialsAndARerunFinishesTheSameRotation() {
    T t = f.onboard(List.of("+14155550170", "+14155550171", "+14155550172"));
    String oldUser = f.sip(t).username();
    FaultRule held = f.hold("PATCH", "/update-phone-number/*4155550170");

    String location = async(t, HttpMethod.POST, ROTATE).getHeader("Location");
    await(held.whenHeld(1));
    String newUser = f.sip(t).pending().username();
    cancel(t, location);
    held.release();

    JsonObject cancelled = awaitEnd(t, location);
    assertThat(cancelled.getString("state")).as(cancelled.encode()).isEqualTo("cancelled");
    assertThat(cancelled.getLong("done")).as("the number in flight, no other").isEqualTo(1);
    JsonObject report = cancelled.getJsonObject("report");
    assertThat(report.getString("message")).startsWith("Rotation not finished: it was cancelled");
    assertThat(report.getJsonObject("data").getBoolean("finished")).isFalse();
    assertThat(f.twilioUsernames(t)).as("both credentials stay valid").containsExactlyInAnyOrder(oldUser, newUser);
    assertThat(f.retellUsername(t, "+14155550170")).isEqualTo(newUser);
    assertThat(f.retellUsername(t, "+14155550172")).as("never started").isEqualTo(oldUser);
    f.assertEveryNumberOnALiveCredential(t);

    String rerun = async(t, HttpMethod.POST, ROTATE).getHeader("Location");
    assertThat(rerun).isNotEqualTo(location);
    assertThat(awaitEnd(t, rerun).getString("state")).isEqualTo("succeeded");
    f.assertEveryNumberOnTheOnlyCredential(t, newUser);
  }

  @Test
  void aRotationCancelledWhileVerifyingDoesNotRemoveTheOldCredential() {
    T t = f.onboard(List.of("+14155550175", "+14155550176"));
    String oldUser = f.sip(t).username();
    // Moving is PATCHes; the verification reads each number back: its first read is held.
    FaultRule held = f.hold("GET", "/get-phone-number/*4155550175");

    String location = async(t, HttpMethod.POST, ROTATE).getHeader("Location");
    await(held.whenHeld(1));
    String newUser = f.sip(t).pending().username();
    cancel(t, location);
    held.release();

    JsonObject cancelled = awaitEnd(t, location);
    assertThat(cancelled.getString("state")).as(cancelled.encode()).isEqualTo("cancelled");
    JsonObject data = cancelled.getJsonObject("report").getJsonObject("data");
    assertThat(data.getBoolean("finished")).as("a cancel stops the rotation before it removes the old credential")
        .isFalse();
    assertThat(cancelled.getJsonObject("report").getString("message"))
        .contains("cancelled before the old credential was removed");
    assertThat(f.twilioUsernames(t)).containsExactlyInAnyOrder(oldUser, newUser);
    f.assertEveryNumberOnALiveCredential(t);
  }

  // ---- helpers ---------------------------------------------------------------------------------------

  private static HttpResponse<Buffer> async(T t, HttpMethod method, String rest) {
    HttpResponse<Buffer> r = await(h.send(h.request(method, h.path(t.id(), rest), t.token())
        .putHeader("Prefer", "respond-async"), method == HttpMethod.GET ? null : new JsonObject()));
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(202);
    assertThat(r.getHeader("Location")).startsWith(h.path(t.id(), "/operations/"));
    return r;
  }

  private static void cancel(T t, String location) {
    HttpResponse<Buffer> r = await(h.call(HttpMethod.DELETE, location, t.token(), null));
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    assertThat(r.bodyAsJsonObject().getJsonObject("data").getBoolean("cancelRequested")).isTrue();
  }

  private static JsonObject get(T t, String uri) {
    HttpResponse<Buffer> r = await(h.call(HttpMethod.GET, uri, t.token(), null));
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    return r.bodyAsJsonObject().getJsonObject("data");
  }

  private static JsonObject awaitEnd(T t, String location) {
    return await(Await.until(h.vertx, "operation " + location + " to end", Duration.ofSeconds(40),
        () -> h.call(HttpMethod.GET, location, t.token(), null).map(r -> {
          JsonObject data = r.bodyAsJsonObject().getJsonObject("data");
          return data != null && !"running".equals(data.getString("state")) ? data : null;
        })));
  }

  private static List<JsonObject> allResults(T t, String location) {
    List<JsonObject> out = new ArrayList<>();
    String next = null;
    do {
      JsonObject page = get(t, location + "?limit=2" + (next == null ? "" : "&after=" + next));
      JsonArray results = page.getJsonArray("results");
      results.forEach(r -> out.add((JsonObject) r));
      next = page.getValue("next") == null ? null : page.getValue("next").toString();
    } while (next != null);
    return out;
  }
}
