package dev.trunkline.twilio;

import static dev.trunkline.twilio.TwilioTestEnv.assertFailure;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trunkline.contract.Addresses;
import dev.trunkline.contract.CredentialPurpose;
import dev.trunkline.contract.Secret;
import dev.trunkline.contract.StoreMessages.PasswordState;
import dev.trunkline.contract.StoreMessages.SipCredentials;
import dev.trunkline.contract.TenantRef;
import dev.trunkline.contract.TwilioMessages.EnsureTrunk;
import dev.trunkline.contract.TwilioMessages.FinishCredentialRotation;
import dev.trunkline.contract.TwilioMessages.CredentialRotationFinished;
import dev.trunkline.contract.TwilioMessages.CredentialRotationStarted;
import dev.trunkline.contract.TwilioMessages.TrunkInfo;
import dev.trunkline.simulators.FaultRule;
import dev.trunkline.twilio.TwilioTestEnv.Tenant;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Zero-downtime rotation: the old credential keeps working until the caller says it may go. */
@ExtendWith(VertxExtension.class)
class CredentialRotationTest {
  private static TwilioTestEnv env;

  @BeforeAll
  static void start(Vertx vertx) {
    env = TwilioTestEnv.start(vertx, null);
  }

  @AfterAll
  static void stop() {
    env.stop();
  }

  private static TrunkInfo setUp(Tenant t) {
    return env.call(Addresses.Twilio.TRUNK_ENSURE, new EnsureTrunk(t.subaccountId(), null, null, null),
        TrunkInfo.class);
  }

  private static JsonArray credentials(Tenant t, String listSid) {
    JsonArray lists = env.sim.state(t.accountSid()).getJsonArray("credential_lists");
    for (int i = 0; i < lists.size(); i++) {
      if (listSid.equals(lists.getJsonObject(i).getString("sid"))) {
        return lists.getJsonObject(i).getJsonArray("credentials");
      }
    }
    throw new AssertionError("no list " + listSid);
  }

  @Test
  void rotationKeepsTheOldCredentialUntilTheCallerFinishesIt() {
    Tenant t = env.newTenant();
    TrunkInfo trunk = setUp(t);
    Secret oldPassword = env.sip(t).password();

    CredentialRotationStarted started = env.call(Addresses.Twilio.CREDENTIAL_ROTATE_BEGIN, new TenantRef(t.subaccountId()),
        CredentialRotationStarted.class);

    assertThat(started.previousCredentialSid()).isEqualTo(trunk.credentialSid());
    assertThat(started.credentialSid()).isNotEqualTo(trunk.credentialSid());
    assertThat(started.username()).isNotEqualTo(trunk.username()).endsWith("_r2").hasSizeLessThanOrEqualTo(32);
    assertThat(credentials(t, trunk.credentialListSid())).hasSize(2);
    SipCredentials during = env.sip(t);
    assertThat(during.password()).as("the active password is still the old one").isEqualTo(oldPassword);
    assertThat(during.pending().purpose()).isEqualTo(CredentialPurpose.ROTATION);
    assertThat(during.pending().username()).isEqualTo(started.username());
    assertThat(during.pending().credentialSid()).as("recorded once Twilio created it")
        .isEqualTo(started.credentialSid());
    Secret newPassword = during.pending().password();
    assertThat(newPassword).isNotEqualTo(oldPassword);
    // Both work while the caller moves its numbers.
    assertThat(env.sim.checkPassword(t.accountSid(), trunk.credentialListSid(), trunk.username(),
        oldPassword.reveal()))
        .isTrue();
    assertThat(env.sim.checkPassword(t.accountSid(), trunk.credentialListSid(), started.username(),
        newPassword.reveal()))
        .isTrue();
    // A setup in the middle of a rotation changes nothing.
    long writes = env.sim.requests().writes(t.accountSid());
    assertThat(setUp(t).repaired()).isEmpty();
    assertThat(env.sim.requests().writes(t.accountSid())).isEqualTo(writes);
    // Asking again returns the rotation in progress instead of adding a third credential.
    CredentialRotationStarted again = env.call(Addresses.Twilio.CREDENTIAL_ROTATE_BEGIN, new TenantRef(t.subaccountId()),
        CredentialRotationStarted.class);
    assertThat(again.credentialSid()).isEqualTo(started.credentialSid());
    assertThat(credentials(t, trunk.credentialListSid())).hasSize(2);

    CredentialRotationFinished finished = env.call(Addresses.Twilio.CREDENTIAL_ROTATE_FINISH,
        new FinishCredentialRotation(t.subaccountId(), started.credentialSid()), CredentialRotationFinished.class);

    assertThat(finished.deletedCredentialSid()).isEqualTo(trunk.credentialSid());
    assertThat(finished.credentialSid()).isEqualTo(started.credentialSid());
    assertThat(finished.username()).isEqualTo(started.username());
    JsonArray left = credentials(t, trunk.credentialListSid());
    assertThat(left).hasSize(1);
    assertThat(left.getJsonObject(0).getString("sid")).isEqualTo(started.credentialSid());
    SipCredentials after = env.sip(t);
    assertThat(after.passwordState()).isEqualTo(PasswordState.KNOWN);
    assertThat(after.username()).isEqualTo(started.username());
    assertThat(after.password()).isEqualTo(newPassword);
    assertThat(env.connector(t).trunk().credentialSid()).isEqualTo(started.credentialSid());
    assertThat(env.sim.checkPassword(t.accountSid(), trunk.credentialListSid(), started.username(),
        newPassword.reveal()))
        .isTrue();

    // Finishing again is harmless; a later setup keeps the rotated credential.
    CredentialRotationFinished repeat = env.call(Addresses.Twilio.CREDENTIAL_ROTATE_FINISH,
        new FinishCredentialRotation(t.subaccountId(), started.credentialSid()), CredentialRotationFinished.class);
    assertThat(repeat.deletedCredentialSid()).isNull();
    TrunkInfo afterSetup = setUp(t);
    assertThat(afterSetup.credentialSid()).isEqualTo(started.credentialSid());
    assertThat(afterSetup.repaired()).isEmpty();

    // A second rotation takes the next suffix, not _r2_r3.
    CredentialRotationStarted second = env.call(Addresses.Twilio.CREDENTIAL_ROTATE_BEGIN, new TenantRef(t.subaccountId()),
        CredentialRotationStarted.class);
    assertThat(second.username()).endsWith("_r3").doesNotContain("_r2");
  }

  @Test
  void aBeginStoppedBeforeTwilioCreatedTheCredentialLeavesNoSidAndTheRetryRecordsIt() {
    Tenant t = env.newTenant();
    TrunkInfo trunk = setUp(t);
    // The write-ahead happens, then Twilio never sees the credential: the pending one has no SID, which tells
    // the gateway not to hand it to Retell (it does not exist at Twilio).
    FaultRule lost = env.sim.faults().add(FaultRule.on("POST", "/2010-04-01/Accounts/" + t.accountSid()
        + "/SIP/CredentialLists/*/Credentials.json").dropConnection().times(1));
    env.failure(Addresses.Twilio.CREDENTIAL_ROTATE_BEGIN, new TenantRef(t.subaccountId()));
    env.sim.faults().remove(lost.id());
    SipCredentials halfway = env.sip(t);
    assertThat(halfway.pending().purpose()).isEqualTo(CredentialPurpose.ROTATION);
    assertThat(halfway.pending().credentialSid()).isNull();
    assertThat(credentials(t, trunk.credentialListSid())).hasSize(1);

    CredentialRotationStarted resumed = env.call(Addresses.Twilio.CREDENTIAL_ROTATE_BEGIN, new TenantRef(t.subaccountId()),
        CredentialRotationStarted.class);
    SipCredentials after = env.sip(t);
    assertThat(resumed.username()).isEqualTo(halfway.pending().username());
    assertThat(after.pending().credentialSid()).isEqualTo(resumed.credentialSid());
    assertThat(after.pending().password()).as("the written-ahead password is kept")
        .isEqualTo(halfway.pending().password());
    assertThat(credentials(t, trunk.credentialListSid())).hasSize(2);
    assertThat(env.sim.checkPassword(t.accountSid(), trunk.credentialListSid(), resumed.username(),
        after.pending().password().reveal())).isTrue();
  }

  @Test
  void aFinishWhoseDeleteFailedCompletesWhenRepeated() {
    Tenant t = env.newTenant();
    TrunkInfo trunk = setUp(t);
    CredentialRotationStarted started = env.call(Addresses.Twilio.CREDENTIAL_ROTATE_BEGIN, new TenantRef(t.subaccountId()),
        CredentialRotationStarted.class);
    FaultRule rule = env.sim.faults().add(FaultRule.on("DELETE", "/2010-04-01/Accounts/" + t.accountSid()
        + "/SIP/CredentialLists/*/Credentials/*.json").error(500).times(3));
    env.failure(Addresses.Twilio.CREDENTIAL_ROTATE_FINISH, new FinishCredentialRotation(t.subaccountId(),
        started.credentialSid()));
    env.sim.faults().remove(rule.id());
    // Promoted already: the new credential is active, the old one still exists.
    assertThat(env.connector(t).trunk().credentialSid()).isEqualTo(started.credentialSid());
    assertThat(credentials(t, trunk.credentialListSid())).hasSize(2);

    CredentialRotationFinished finished = env.call(Addresses.Twilio.CREDENTIAL_ROTATE_FINISH,
        new FinishCredentialRotation(t.subaccountId(), started.credentialSid()), CredentialRotationFinished.class);
    assertThat(finished.deletedCredentialSid()).isEqualTo(trunk.credentialSid());
    assertThat(credentials(t, trunk.credentialListSid())).hasSize(1);
  }

  @Test
  void setupNeverOverwritesAnOpenRotationsPendingPassword() {
    Tenant t = env.newTenant();
    TrunkInfo trunk = setUp(t);
    CredentialRotationStarted started = env.call(Addresses.Twilio.CREDENTIAL_ROTATE_BEGIN, new TenantRef(t.subaccountId()),
        CredentialRotationStarted.class);
    Secret rotationPassword = env.sip(t).pending().password();
    // The active credential disappears in Twilio while the rotation is open: setup would need a new password.
    TwilioTestEnv.await(env.api.deleteCredential(t.auth(), trunk.credentialListSid(), trunk.credentialSid()));

    assertFailure(env.failure(Addresses.Twilio.TRUNK_ENSURE, new EnsureTrunk(t.subaccountId(), null, null, null)),
        409, "ROTATION_IN_PROGRESS");
    assertThat(env.sip(t).pending().password()).as("the rotation's password is intact").isEqualTo(rotationPassword);

    CredentialRotationFinished finished = env.call(Addresses.Twilio.CREDENTIAL_ROTATE_FINISH,
        new FinishCredentialRotation(t.subaccountId(), started.credentialSid()), CredentialRotationFinished.class);
    assertThat(finished.deletedCredentialSid()).as("already gone").isNull();
    TrunkInfo after = setUp(t);
    assertThat(after.credentialSid()).isEqualTo(started.credentialSid());
    assertThat(after.repaired()).isEmpty();
    assertThat(env.sim.checkPassword(t.accountSid(), trunk.credentialListSid(), started.username(),
        env.sip(t).password().reveal())).isTrue();
  }

  @Test
  void rotationNeedsASetUpTrunkAndFinishNeedsTheStartedCredential() {
    Tenant t = env.newTenant();
    assertFailure(env.failure(Addresses.Twilio.CREDENTIAL_ROTATE_BEGIN, new TenantRef(t.subaccountId())), 409,
        "TRUNK_NOT_SET_UP");
    TrunkInfo trunk = setUp(t);
    assertFailure(env.failure(Addresses.Twilio.CREDENTIAL_ROTATE_FINISH,
        new FinishCredentialRotation(t.subaccountId(), "CR" + "0".repeat(32))), 404, "CREDENTIAL_NOT_FOUND");
    assertFailure(env.failure(Addresses.Twilio.CREDENTIAL_ROTATE_FINISH,
        new FinishCredentialRotation(t.subaccountId(), "nope")), 400, "INVALID_CREDENTIAL_SID");
    // The active credential is not a rotation's: finishing "into" it changes nothing and deletes nothing.
    CredentialRotationFinished noop = env.call(Addresses.Twilio.CREDENTIAL_ROTATE_FINISH,
        new FinishCredentialRotation(t.subaccountId(), trunk.credentialSid()), CredentialRotationFinished.class);
    assertThat(noop.deletedCredentialSid()).isNull();
    assertThat(credentials(t, trunk.credentialListSid())).hasSize(1);
  }
}
