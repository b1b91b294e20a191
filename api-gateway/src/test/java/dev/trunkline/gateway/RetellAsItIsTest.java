package dev.trunkline.gateway;

import static dev.trunkline.contract.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trunkline.contract.StoreMessages.PhoneNumber;
import dev.trunkline.contract.StoreMessages.SipCredentials;
import dev.trunkline.gateway.RotationFixtures.T;
import dev.trunkline.simulators.FaultRule;
import dev.trunkline.simulators.RetellSimulator;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The flows against Retell as its OpenAPI document describes it (the simulator is held to that document): a number
 * deleted in Retell behind Trunkline's back is NOT_IN_RETELL in the audit and is re-imported by a fix with
 * importMissing, removing it succeeds, a purchase whose import reply was lost converges, and a rotation survives
 * it. After every test, every reply the simulator gave is one the document lists for its operation.
 */
class RetellAsItIsTest {
  private static TrunklineHarness h;
  private static RotationFixtures f;

  @RegisterExtension
  static final SharedHarness HARNESS = SharedHarness.of(new JsonObject(), harness -> h = harness);

  @BeforeAll
  static void start() {
    f = new RotationFixtures(h);
  }

  /** Every reply Retell gave in the test is a status its document lists for the operation, with its shape. */
  @AfterEach
  void onlyDocumentedReplies() {
    h.retell.faults().clear();
    RetellSimulator.ContractReport report = h.retell.contract();
    assertThat(report.violations()).as("replies outside Retell's document").isEmpty();
    for (Map.Entry<String, Long> reply : report.replies().entrySet()) {
      String[] parts = reply.getKey().split(" ");
      if (parts.length == 2) {
        assertThat(h.retell.documentedStatuses(parts[0])).as(reply.getKey()).contains(Integer.parseInt(parts[1]));
      }
    }
  }

  private static void deleteInRetell(T t, String phone) {
    HttpResponse<Buffer> r = await(h.client.deleteAbs(h.retell.baseUrl() + "/delete-phone-number/"
        + phone.replace("+", "%2B")).bearerTokenAuthentication(t.retellKey()).send());
    assertThat(r.statusCode()).isEqualTo(204);
  }

  private static JsonObject result(HttpResponse<Buffer> reply, String phone) {
    return reply.bodyAsJsonObject().getJsonObject("data").getJsonArray("results").stream()
        .map(JsonObject.class::cast).filter(r -> phone.equals(r.getString("phoneNumber"))).findFirst()
        .orElseThrow(() -> new AssertionError("no result for " + phone + " in " + reply.bodyAsString()));
  }

  private static PhoneNumber stored(T t, String phone) {
    return await(h.storedNumbers(t.id())).stream().filter(n -> n.phoneNumber().equals(phone)).findFirst()
        .orElseThrow();
  }

  private static void assertOnTrunkCredentials(T t, String phone) {
    SipCredentials sip = f.sip(t);
    assertThat(h.retell.number(t.retellKey(), phone).orElseThrow().getJsonObject("sip_outbound_trunk_config")
        .getString("auth_username")).isEqualTo(sip.username());
    assertThat(h.retell.checkPassword(t.retellKey(), phone, sip.password().reveal())).isTrue();
  }

  @Test
  void theWholeStoryWithANumberThatVanishedFromRetell() {
    String kept = "+19175550101";
    String vanished = "+19175550102";
    String removed = "+19175550103";
    T t = f.onboard(List.of(kept, vanished, removed));
    HttpResponse<Buffer> audit = f.call(t, HttpMethod.GET, "/twilio/retell-credentials", null);
    assertThat(audit.statusCode()).isEqualTo(200);
    assertThat(audit.bodyAsJsonObject().getJsonObject("data").getInteger("okCount")).isEqualTo(3);

    deleteInRetell(t, vanished);
    audit = f.call(t, HttpMethod.GET, "/twilio/retell-credentials", null);
    assertThat(audit.statusCode()).as(audit.bodyAsString()).isEqualTo(200);
    assertThat(result(audit, vanished).getString("status")).isEqualTo("NOT_IN_RETELL");
    assertThat(result(audit, kept).getString("status")).isEqualTo("OK");

    // Without importMissing the number is that number's failure, named as not in Retell.
    HttpResponse<Buffer> fix = f.call(t, HttpMethod.POST, "/twilio/fix-retell-credentials", new JsonObject());
    assertThat(fix.statusCode()).as(fix.bodyAsString()).isEqualTo(207);
    assertThat(result(fix, vanished).getJsonObject("error").getString("code")).isEqualTo("RETELL_NOT_FOUND");

    fix = f.call(t, HttpMethod.POST, "/twilio/fix-retell-credentials", new JsonObject().put("importMissing", true));
    assertThat(fix.statusCode()).as(fix.bodyAsString()).isEqualTo(200);
    assertThat(result(fix, vanished).getBoolean("success")).isTrue();
    assertOnTrunkCredentials(t, vanished);
    assertThat(stored(t, vanished).retellStatus().name()).isEqualTo("IMPORTED");

    // Removing a number Retell already lost succeeds, and the number leaves the trunk.
    deleteInRetell(t, removed);
    HttpResponse<Buffer> remove = f.call(t, HttpMethod.DELETE, "/phone-numbers/" + removed.replace("+", "%2B"),
        null);
    assertThat(remove.statusCode()).as(remove.bodyAsString()).isEqualTo(200);
    assertThat(stored(t, removed).retellStatus().name()).isEqualTo("REMOVED");
    assertThat(h.retell.number(t.retellKey(), removed)).isEmpty();

    // The request log of the whole story, by operation and status (printed for the record; no secrets in it).
    System.out.println("Retell replies in the whole story: " + h.retell.contract().replies());
    // The unknown-number answers really were Retell's 422, for get, update and delete.
    assertThat(h.retell.contract().replies()).containsKeys("getPhoneNumber 422", "updatePhoneNumber 422",
        "deletePhoneNumber 422").doesNotContainKeys("getPhoneNumber 404", "deletePhoneNumber 404");
  }

  @Test
  void aPurchaseWhoseImportReplyWasLostEnds201WithTheNumberImportedAndVerified() {
    T t = f.onboard(List.of());
    String phone = "+19175550111";
    FaultRule lost = h.retell.faults().add(FaultRule.on("POST", "/import-phone-number").dropResponse().times(1));
    HttpResponse<Buffer> bought = f.purchase(t, phone);
    assertThat(lost.fired()).isEqualTo(1);
    assertThat(bought.statusCode()).as(bought.bodyAsString()).isEqualTo(201);
    assertThat(bought.bodyAsJsonObject().getJsonObject("data").getString("retellStatus")).isEqualTo("IMPORTED");
    assertThat(stored(t, phone).retellStatus().name()).isEqualTo("IMPORTED");
    assertOnTrunkCredentials(t, phone);
  }

  @Test
  void aRotationSurvivesANumberThatVanishedFromRetell() {
    String kept = "+19175550121";
    String vanished = "+19175550122";
    T t = f.onboard(List.of(kept, vanished));
    String oldUsername = f.sip(t).username();
    deleteInRetell(t, vanished);

    HttpResponse<Buffer> rotated = await(f.rotate(t));
    assertThat(rotated.statusCode()).as(rotated.bodyAsString()).isEqualTo(200);
    JsonObject data = rotated.bodyAsJsonObject().getJsonObject("data");
    assertThat(data.getBoolean("finished")).isTrue();
    assertThat(result(rotated, vanished).getBoolean("notInRetell")).isTrue();
    assertThat(data.getJsonObject("verification").getLong("notInRetell")).isEqualTo(1L);
    SipCredentials sip = f.sip(t);
    assertThat(sip.username()).isNotEqualTo(oldUsername);
    assertOnTrunkCredentials(t, kept);
    // Not re-imported by the rotation; a fix with importMissing brings it back on the new credential.
    assertThat(h.retell.number(t.retellKey(), vanished)).isEmpty();
    HttpResponse<Buffer> fix = f.call(t, HttpMethod.POST, "/twilio/fix-retell-credentials",
        new JsonObject().put("importMissing", true).put("phoneNumber", vanished));
    assertThat(fix.statusCode()).as(fix.bodyAsString()).isEqualTo(200);
    assertOnTrunkCredentials(t, vanished);
  }
}
