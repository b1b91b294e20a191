package dev.trunkline.twilio;

import static dev.trunkline.contract.testing.SecretAssertions.assertNoSecrets;
import static dev.trunkline.contract.testing.SecretAssertions.numbered;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trunkline.contract.Addresses;
import dev.trunkline.contract.ServiceException;
import dev.trunkline.contract.testing.LogCapture;
import dev.trunkline.contract.TwilioMessages.EnsureTrunk;
import dev.trunkline.simulators.FaultRule;
import dev.trunkline.twilio.TwilioTestEnv.Tenant;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * No auth token or SIP password appears in any log event (every level, MDC, arguments, exceptions), in any reply, or in any
 * failure, across a run of every operation and of the failure paths.
 */
@ExtendWith(VertxExtension.class)
class SecretsNeverLoggedTest {
  private static TwilioTestEnv env;
  private static LogCapture logs;

  @BeforeAll
  static void start(Vertx vertx) {
    logs = LogCapture.start();
    env = TwilioTestEnv.start(vertx, null);
  }

  @AfterAll
  static void stop() {
    env.stop();
    logs.close();
  }

  @Test
  void noSecretInLogsRepliesOrFailures() {
    EveryOperation run = new EveryOperation(env);
    run.run();

    // Failure paths: a credential creation that fails after the password was written ahead, and a dropped reply.
    Tenant t = env.newTenant();
    run.secrets.add(t.auth().authToken().reveal());
    FaultRule rule = env.sim.faults().add(FaultRule.on("POST", "/2010-04-01/Accounts/" + t.accountSid()
        + "/SIP/CredentialLists/*/Credentials.json").error(400, 21202, "Password policy").times(1));
    List<String> failures = new ArrayList<>();
    ServiceException e = env.failure(Addresses.Twilio.TRUNK_ENSURE, new EnsureTrunk(t.subaccountId(), null, null,
        null));
    failures.add(e.toWire());
    env.sim.faults().remove(rule.id());
    var pending = env.sip(t).pending();
    assertThat(pending).isNotNull();
    run.secrets.add(pending.password().reveal());
    env.sim.faults().add(FaultRule.on("POST", "/v1/Trunks/*/OriginationUrls").dropResponse().times(1));
    failures.add(env.failure(Addresses.Twilio.TRUNK_ENSURE, new EnsureTrunk(t.subaccountId(), null, null, null))
        .toWire());
    env.call(Addresses.Twilio.TRUNK_ENSURE, new EnsureTrunk(t.subaccountId(), null, null, null),
        dev.trunkline.contract.TwilioMessages.TrunkInfo.class);
    run.secrets.add(env.sip(t).password().reveal());

    // The count, not the set: hasSizeGreaterThanOrEqualTo would print the secrets when it fails.
    assertThat(run.secrets.size()).as("secrets collected").isGreaterThanOrEqualTo(8);
    List<String> lines = logs.lines();
    // A failing scan names the secret (#n in the order collected) and where it is, never its value.
    Map<String, String> secrets = numbered("secret", run.secrets);
    assertNoSecrets("a captured log event", lines, secrets);
    assertNoSecrets("a reply", run.replies, secrets);
    assertNoSecrets("a failure", failures, secrets);
    // After the scan: this control prints every line when it fails.
    assertThat(lines).as("the capture works").anyMatch(l -> l.contains("CreateSipCredential"));
  }
}
