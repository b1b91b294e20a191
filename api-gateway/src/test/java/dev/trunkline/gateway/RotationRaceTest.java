package dev.trunkline.gateway;

import static dev.trunkline.contract.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trunkline.contract.Addresses;
import dev.trunkline.contract.CredentialPurpose;
import dev.trunkline.contract.Secret;
import dev.trunkline.contract.StoreMessages.RetellStatus;
import dev.trunkline.contract.StoreMessages.SipCredentials;
import dev.trunkline.contract.StoreMessages;
import dev.trunkline.gateway.RotationFixtures.T;
import dev.trunkline.simulators.FaultRule;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A credential rotation racing the requests that write credentials to Retell: purchase, import, fix, and
 * changes made behind Trunkline's back. Everything is real (gateway over HTTP, store, Twilio and Retell verticles,
 * both simulators over HTTP); the races are made deterministic with the Retell simulator's HOLD fault, which
 * keeps one chosen request provably in flight (arrived, not applied, not answered) until the test releases it.
 *
 * <p>The invariant every test ends on: each number's {@code auth_username} in Retell is a credential that still
 * exists in the trunk's credential list at Twilio, with the password Twilio has for it.
 *
 * <p>Timeouts are long here (a held request must not time out while the test acts) and the fan-out window is 1,
 * so that when the last number's sync is held every earlier number has provably been moved.
 */
class RotationRaceTest {
  private static final long WAIT_S = RotationFixtures.WAIT_S;
  private static TrunklineHarness h;
  private static RotationFixtures f;

  @RegisterExtension
  static final SharedHarness HARNESS = SharedHarness.of(new JsonObject()
      .put("retell", new JsonObject().put("requestTimeoutMs", 30_000))
      .put("gateway", new JsonObject().put("fixConcurrency", 1).put("perNumberTimeoutMs", 30_000)
          .put("busTimeoutMs", 30_000).put("listPageSize", 3).put("rotationDrainTimeoutMs", 1_500)),
      harness -> h = harness).clearingFaults();

  @BeforeAll
  static void start() {
    f = new RotationFixtures(h);
  }

  // ---- the races ---------------------------------------------------------------------------------------

  /** (a) Numbers bought or imported while the fan-out runs land on the new credential; the rotation finishes. */
  @Test
  void aPurchaseAndAnImportDuringTheFanOutLandOnTheNewCredentialAndTheRotationFinishes() {
    List<String> existing = List.of("+14155550150", "+14155550151", "+14155550152", "+14155550153");
    T t = f.onboard(existing);
    String oldUser = f.sip(t).username();
    FaultRule held = f.hold("PATCH", "/update-phone-number/*4155550153");
    Future<HttpResponse<Buffer>> rotation = f.rotate(t);
    await(held.whenHeld(1));
    // The fan-out is at the last number; its pager has passed every page.
    SipCredentials during = f.sip(t);
    String newUser = during.pending().username();
    assertThat(newUser).isNotEqualTo(oldUser);

    // Bought and imported now: both sort before the held number, so the fan-out never sees them.
    HttpResponse<Buffer> bought = f.purchase(t, "+14155550140");
    assertThat(bought.statusCode()).as(bought.bodyAsString()).isEqualTo(201);
    assertThat(f.retellUsername(t, "+14155550140")).as("a purchase during the rotation gets the new credential")
        .isEqualTo(newUser);
    assertThat(h.retell.checkPassword(t.retellKey(), "+14155550140", during.pending().password().reveal()))
        .isTrue();
    f.ownAtTwilio(t, "+16285550130");
    HttpResponse<Buffer> imported = f.call(t, HttpMethod.POST, "/twilio/phoneNumbers/import",
        new JsonObject().put("phoneNumber", "+16285550130"));
    assertThat(imported.statusCode()).as(imported.bodyAsString()).isEqualTo(201);
    assertThat(f.retellUsername(t, "+16285550130")).as("an import during the rotation gets the new credential")
        .isEqualTo(newUser);

    // The audit judges numbers against the new username now: moved ones are OK, the held one not yet.
    JsonObject audit = f.call(t, HttpMethod.GET, "/twilio/retell-credentials", null).bodyAsJsonObject()
        .getJsonObject("data");
    assertThat(audit.getJsonObject("expected").getString("auth_username")).isEqualTo(newUser);
    assertThat(audit.getJsonObject("rotation").getMap()).containsEntry("username", newUser)
        .containsEntry("previousUsername", oldUser);
    assertThat(f.statuses(audit)).containsEntry("+14155550150", "OK").containsEntry("+14155550140", "OK")
        .containsEntry("+16285550130", "OK").containsEntry("+14155550153", "WRONG_USERNAME");

    held.release();
    HttpResponse<Buffer> done = await(rotation);
    assertThat(done.statusCode()).as(done.bodyAsString()).isEqualTo(200);
    JsonObject data = done.bodyAsJsonObject().getJsonObject("data");
    assertThat(data.getBoolean("finished")).isTrue();
    assertThat(data.getInteger("total")).as("the fan-out saw the numbers it listed").isEqualTo(4);
    assertThat(data.getJsonObject("verification").getInteger("total"))
        .as("the verification pass lists the store again: the bought and imported numbers too").isEqualTo(6);
    assertThat(data.getJsonObject("verification").getLong("resynced")).isZero();
    f.assertEveryNumberOnTheOnlyCredential(t, newUser);
  }

  /** (b) A fix issued while the rotation runs moves numbers to the new credential, never back to the old one. */
  @Test
  void aFixDuringTheRotationKeepsMovedNumbersOnTheNewCredential() {
    List<String> numbers = List.of("+12125550150", "+12125550151", "+12125550152", "+12125550153");
    T t = f.onboard(numbers);
    String oldUser = f.sip(t).username();
    FaultRule held = f.hold("PATCH", "/update-phone-number/*2125550153");
    Future<HttpResponse<Buffer>> rotation = f.rotate(t);
    await(held.whenHeld(1));
    String newUser = f.sip(t).pending().username();
    for (String n : numbers.subList(0, 3)) {
      assertThat(f.retellUsername(t, n)).as("moved before the fix starts").isEqualTo(newUser);
    }

    HttpResponse<Buffer> fixed = f.call(t, HttpMethod.POST, "/twilio/fix-retell-credentials", new JsonObject());
    assertThat(fixed.statusCode()).as(fixed.bodyAsString()).isEqualTo(200);
    JsonArray results = fixed.bodyAsJsonObject().getJsonObject("data").getJsonArray("results");
    assertThat(results).hasSize(4);
    for (int i = 0; i < results.size(); i++) {
      assertThat(results.getJsonObject(i).getString("auth_username")).as("the fix hands out the new credential")
          .isEqualTo(newUser);
    }
    for (String n : numbers) {
      assertThat(f.retellUsername(t, n)).as("nothing moved back to " + oldUser).isEqualTo(newUser);
    }
    HttpResponse<Buffer> dryRun = f.call(t, HttpMethod.POST, "/twilio/fix-retell-credentials",
        new JsonObject().put("dryRun", true));
    assertThat(dryRun.bodyAsJsonObject().getString("message"))
        .as("numbers on the new credential are not reported wrong")
        .isEqualTo("Dry run: 0 of 4 phone numbers need fixing");

    held.release();
    HttpResponse<Buffer> done = await(rotation);
    assertThat(done.statusCode()).as(done.bodyAsString()).isEqualTo(200);
    assertThat(done.bodyAsJsonObject().getJsonObject("data").getBoolean("finished")).isTrue();
    f.assertEveryNumberOnTheOnlyCredential(t, newUser);
  }

  /**
   * (c) A number changed behind the rotation's back after the fan-out moved it (one set back to the old
   * credential, one re-created broken) is caught by the verification pass and synced again before the old
   * credential is deleted.
   */
  @Test
  void theVerificationPassResyncsNumbersChangedBehindTheRotationsBack() {
    List<String> numbers = List.of("+16465550150", "+16465550151", "+16465550152", "+16465550153");
    T t = f.onboard(numbers);
    SipCredentials before = f.sip(t);
    FaultRule held = f.hold("PATCH", "/update-phone-number/*6465550153");
    Future<HttpResponse<Buffer>> rotation = f.rotate(t);
    await(held.whenHeld(1));
    String newUser = f.sip(t).pending().username();
    assertThat(f.retellUsername(t, numbers.get(0))).isEqualTo(newUser);

    // A stale script writes the old credential back; another number is deleted and re-created without one.
    f.setInRetell(t, numbers.get(0), before.username(), before.password().reveal());
    await(h.client.deleteAbs(h.retell.baseUrl() + "/delete-phone-number/" + numbers.get(1).replace("+", "%2B"))
        .bearerTokenAuthentication(t.retellKey()).send());
    h.retell.seedBroken(t.retellKey(), numbers.get(1), before.terminationUri());

    held.release();
    HttpResponse<Buffer> done = await(rotation);
    assertThat(done.statusCode()).as(done.bodyAsString()).isEqualTo(200);
    f.assertEveryNumberOnTheOnlyCredential(t, newUser);
    JsonObject verification = done.bodyAsJsonObject().getJsonObject("data").getJsonObject("verification");
    assertThat(verification.getInteger("total")).isEqualTo(4);
    assertThat(verification.getLong("resynced")).isEqualTo(2);
    assertThat(f.statuses(verification)).containsEntry(numbers.get(0), "WRONG_USERNAME")
        .containsEntry(numbers.get(1), "MISSING_USERNAME").hasSize(2);
  }

  /** (c) When the verification pass cannot put a number on the new credential, the old one is not deleted. */
  @Test
  void aNumberTheVerificationCannotRepairKeepsTheOldCredentialAlive() {
    List<String> numbers = List.of("+13125550150", "+13125550151", "+13125550152");
    T t = f.onboard(numbers);
    SipCredentials before = f.sip(t);
    FaultRule held = f.hold("PATCH", "/update-phone-number/*3125550152");
    Future<HttpResponse<Buffer>> rotation = f.rotate(t);
    await(held.whenHeld(1));
    String newUser = f.sip(t).pending().username();
    f.setInRetell(t, numbers.get(0), before.username(), before.password().reveal());
    // From now on Retell refuses to update that number.
    h.retell.faults().add(FaultRule.on("PATCH", "/update-phone-number/*3125550150").error(500));

    held.release();
    HttpResponse<Buffer> unfinished = await(rotation);
    assertThat(unfinished.statusCode()).as(unfinished.bodyAsString()).isEqualTo(207);
    JsonObject data = unfinished.bodyAsJsonObject().getJsonObject("data");
    assertThat(data.getBoolean("finished")).isFalse();
    assertThat(data.getJsonObject("verification").getInteger("failCount")).isEqualTo(1);
    assertThat(unfinished.bodyAsJsonObject().getString("message")).contains("could not be verified")
        .contains("both credentials stay valid");
    assertThat(f.twilioUsernames(t)).as("the old credential is kept").containsExactlyInAnyOrder(before.username(),
        newUser);
    f.assertEveryNumberOnALiveCredential(t);

    h.retell.faults().clear();
    HttpResponse<Buffer> rerun = await(f.rotate(t));
    assertThat(rerun.statusCode()).as(rerun.bodyAsString()).isEqualTo(200);
    f.assertEveryNumberOnTheOnlyCredential(t, newUser);
  }

  /**
   * A purchase that read the credentials before the rotation began still imports with the old credential; the
   * rotation must not delete it until that purchase has ended, and then verifies and moves its number.
   */
  @Test
  void aPurchaseThatReadTheOldCredentialBeforeTheRotationKeepsItAliveUntilItEnds() {
    List<String> numbers = List.of("+13035550150", "+13035550151");
    T t = f.onboard(numbers);
    String oldUser = f.sip(t).username();
    FaultRule held = f.hold("POST", "/import-phone-number");
    Future<HttpResponse<Buffer>> purchase = h.send(h.request(HttpMethod.POST,
            h.path(t.id(), "/twilio/phoneNumbers/purchase"), t.token()).putHeader("Idempotency-Key", "early-buyer"),
        new JsonObject().put("phoneNumber", "+13035550140"));
    await(held.whenHeld(1)); // bought at Twilio, the Retell import (old credential) in flight

    HttpResponse<Buffer> blocked = await(f.rotate(t));
    JsonObject error = GatewayEdgeTest.assertError(blocked, 409, "OLD_CREDENTIAL_IN_USE");
    assertThat(error.getString("message")).contains("both credentials stay valid");
    String newUser = f.sip(t).pending().username();
    assertThat(f.twilioUsernames(t)).containsExactlyInAnyOrder(oldUser, newUser);

    held.release();
    HttpResponse<Buffer> bought = await(purchase);
    assertThat(bought.statusCode()).as(bought.bodyAsString()).isEqualTo(201);
    assertThat(f.retellUsername(t, "+13035550140")).as("it read the credentials before the rotation")
        .isEqualTo(oldUser);
    f.assertEveryNumberOnALiveCredential(t);

    HttpResponse<Buffer> done = await(f.rotate(t));
    assertThat(done.statusCode()).as(done.bodyAsString()).isEqualTo(200);
    f.assertEveryNumberOnTheOnlyCredential(t, newUser);
  }

  /** The same for a fix that began before the rotation: its lease keeps the old credential alive. */
  @Test
  void aFixThatBeganBeforeTheRotationKeepsTheOldCredentialAliveUntilItEnds() {
    List<String> numbers = List.of("+15125550150", "+15125550151");
    T t = f.onboard(numbers);
    String oldUser = f.sip(t).username();
    FaultRule held = f.hold("PATCH", "/update-phone-number/*5125550150");
    Future<HttpResponse<Buffer>> fix = f.callAsync(t, HttpMethod.POST, "/twilio/fix-retell-credentials", null);
    await(held.whenHeld(1));

    GatewayEdgeTest.assertError(await(f.rotate(t)), 409, "OLD_CREDENTIAL_IN_USE");
    String newUser = f.sip(t).pending().username();
    held.release();
    HttpResponse<Buffer> fixed = await(fix);
    assertThat(fixed.statusCode()).as(fixed.bodyAsString()).isEqualTo(200);
    assertThat(f.retellUsername(t, numbers.get(0))).isEqualTo(oldUser);
    f.assertEveryNumberOnALiveCredential(t);

    HttpResponse<Buffer> done = await(f.rotate(t));
    assertThat(done.statusCode()).as(done.bodyAsString()).isEqualTo(200);
    f.assertEveryNumberOnTheOnlyCredential(t, newUser);
  }

  /**
   * Only a rotation's credential that Twilio has (purpose "rotation" with a credential SID) is handed out: a
   * setup's written-ahead password, or a rotation credential whose begin stopped before Twilio created it, never.
   */
  @Test
  void aSetupWriteAheadOrAnUncreatedRotationCredentialIsNeverHandedOut() {
    TrunklineHarness.Tenant t = await(h.seedTenant());
    String phone = "+17185550150";
    await(h.saveNumbers(t, RetellStatus.IMPORTED, List.of(phone)));
    h.retell.seedBroken(t.apiKey(), phone, t.terminationUri());
    String sid = "CR" + "ab".repeat(16);

    for (StoreMessages.PutPendingSip pending : List.of(
        new StoreMessages.PutPendingSip(t.id(), "setup_written_ahead", new Secret(h.secret(
            TrunklineHarness.randomSecret("Pend1"))), CredentialPurpose.SETUP, sid),
        new StoreMessages.PutPendingSip(t.id(), "rotation_not_created", new Secret(h.secret(
            TrunklineHarness.randomSecret("Pend2"))), CredentialPurpose.ROTATION, null))) {
      await(h.bus(Addresses.Store.SIP_PENDING_PUT, pending));
      JsonObject audit = f.call(t.id(), HttpMethod.GET, "/twilio/retell-credentials", null).bodyAsJsonObject()
          .getJsonObject("data");
      assertThat(audit.getJsonObject("expected").getString("auth_username")).as(pending.purpose().wire())
          .isEqualTo(t.username());
      assertThat(audit.containsKey("rotation")).isFalse();
      HttpResponse<Buffer> fixed = f.call(t.id(), HttpMethod.POST, "/twilio/fix-retell-credentials", new JsonObject());
      assertThat(fixed.statusCode()).as(fixed.bodyAsString()).isEqualTo(200);
      assertThat(fixed.bodyAsJsonObject().getJsonObject("data").getJsonArray("results").getJsonObject(0)
          .getString("auth_username")).as(pending.purpose().wire()).isEqualTo(t.username());
      assertThat(h.retell.checkPassword(t.apiKey(), phone, t.password())).isTrue();
    }

    // The same rotation credential once Twilio has it (its SID recorded) is the one handed out.
    String rotationPassword = h.secret(TrunklineHarness.randomSecret("Rot1"));
    await(h.bus(Addresses.Store.SIP_PENDING_PUT, new StoreMessages.PutPendingSip(t.id(), "rotation_created",
        new Secret(rotationPassword), CredentialPurpose.ROTATION, sid)));
    HttpResponse<Buffer> fixed = f.call(t.id(), HttpMethod.POST, "/twilio/fix-retell-credentials", new JsonObject());
    assertThat(fixed.bodyAsJsonObject().getJsonObject("data").getJsonArray("results").getJsonObject(0)
        .getString("auth_username")).isEqualTo("rotation_created");
    assertThat(h.retell.checkPassword(t.apiKey(), phone, rotationPassword)).isTrue();
  }

}
