package dev.trunkline.twilio;

import static dev.trunkline.contract.testing.SecretAssertions.assertNoSecrets;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trunkline.contract.Addresses;
import dev.trunkline.contract.Secret;
import dev.trunkline.contract.ServiceException;
import dev.trunkline.contract.testing.LogCapture;
import dev.trunkline.contract.TwilioMessages.EnsureTrunk;
import dev.trunkline.contract.TwilioMessages.VerifyAccount;
import dev.trunkline.simulators.FaultRule;
import dev.trunkline.twilio.TwilioTestEnv.Tenant;
import dev.trunkline.twilio.client.TwilioApiException;
import dev.trunkline.twilio.client.TwilioAuth;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Twilio's error message echoes the auth token, the Basic auth value or a SIP password the call sent, in every
 * encoding an upstream may use (plain, URL-encoded with + and with %20, Base64 of the secret alone and of
 * {@code sid:token}, a piece of 10 characters): neither the failure that crosses the bus, nor the client's
 * exception, nor any log event (every level, all loggers; the client logs a final 5xx at WARN with Twilio's text) holds
 * any of them. The password holds characters that URL encoding changes, so each of its encodings is a different
 * text; the token is hex, where they are the same.
 */
@ExtendWith(VertxExtension.class)
class UpstreamEchoTest {
  private static LogCapture logs;
  private static final String ECHO_PASSWORD = "Pw 7h+Q2x/V9=mK4&nL8~s";
  private static TwilioTestEnv env;

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

  /** Each encoding of a secret, by a name that says which. */
  private static Map<String, String> encodings(String name, String secret) {
    Map<String, String> forms = new LinkedHashMap<>();
    forms.put(name, secret);
    String plus = URLEncoder.encode(secret, StandardCharsets.UTF_8);
    forms.put(name + ", URL-encoded with +", plus);
    forms.put(name + ", URL-encoded with %20", plus.replace("+", "%20"));
    forms.put(name + " in Base64", base64(secret));
    forms.put("10 characters of " + name, secret.substring(4, 14));
    return forms;
  }

  private static String base64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void noEncodingOfTheTokenOrAPasswordLeavesThroughAFailureAnExceptionOrALogLine() {
    Tenant t = env.newTenant();
    String token = t.auth().authToken().reveal();
    Map<String, String> secrets = new LinkedHashMap<>(encodings("the auth token", token));
    secrets.put("the Basic auth value", base64(t.accountSid() + ":" + token));
    Map<String, String> passwordForms = encodings("the SIP password", ECHO_PASSWORD);
    secrets.putAll(passwordForms);
    List<String> texts = new ArrayList<>();
    List<ServiceException> failures = new ArrayList<>();

    // Over the bus, a 500 (retried, then logged at WARN) echoing each form of the token.
    String accountPath = "/2010-04-01/Accounts/" + t.accountSid() + ".json";
    List<String> tokenForms = new ArrayList<>(secrets.values()).subList(0, 6);
    for (String form : tokenForms) {
      FaultRule rule = env.sim.faults().add(FaultRule.on("GET", accountPath)
          .error(500, 20500, "echo: " + form + " :end"));
      failures.add(env.failure(Addresses.Twilio.ACCOUNT_VERIFY, new VerifyAccount(t.accountSid(),
          t.auth().authToken())));
      env.sim.faults().remove(rule.id());
    }
    // A locked flow: setup's first listing answers with the Basic auth value in its text.
    FaultRule listing = env.sim.faults().add(FaultRule.on("GET", "/v1/Trunks")
        .error(500, 20500, "echo: " + secrets.get("the Basic auth value") + " :end"));
    failures.add(env.failure(Addresses.Twilio.TRUNK_ENSURE, new EnsureTrunk(t.subaccountId(), null, null, null)));
    env.sim.faults().remove(listing.id());

    // A POST whose form holds a password: the rejection echoes it in each encoding.
    TwilioAuth auth = t.auth();
    String listSid = TwilioTestEnv.await(env.api.createCredentialList(auth, "echo")).sid();
    for (String form : passwordForms.values()) {
      FaultRule rule = env.sim.faults().add(FaultRule.on("POST", "/2010-04-01/Accounts/" + t.accountSid()
          + "/SIP/CredentialLists/" + listSid + "/Credentials.json").error(500, 20500, "echo: " + form + " :end"));
      TwilioApiException e = clientFailure(auth, listSid);
      texts.add(e.toString());
      failures.add((ServiceException) TwilioFailures.map(e));
      env.sim.faults().remove(rule.id());
    }

    failures.forEach(f -> texts.add(f.toWire()));
    assertNoSecrets("a failure or exception", texts, secrets);
    logs.assertNoSecrets(secrets);

    // After the scans: what is left is Twilio's text around the mark, in the usual failure.
    for (ServiceException se : failures) {
      assertThat(se.status()).as("status of %s", se).isEqualTo(502);
      assertThat(se.code()).as("code of %s", se).isEqualTo("TWILIO_ERROR");
      assertThat(se.details().getInteger("twilioCode")).isEqualTo(20500);
      assertThat(se.getMessage()).endsWith(" failed: echo: [REDACTED] :end");
    }
    assertThat(logs.lines()).as("the client logged the final failures at WARN")
        .anyMatch(l -> l.startsWith("WARN ") && l.contains("twilio FetchAccount failed after 3 attempt(s)")
            && l.contains("[REDACTED]"));
  }

  private static TwilioApiException clientFailure(TwilioAuth auth, String listSid) {
    try {
      TwilioTestEnv.await(env.api.createCredential(auth, listSid, "echo-user", new Secret(ECHO_PASSWORD)));
    } catch (AssertionError e) {
      if (e.getCause() instanceof TwilioApiException t) {
        return t;
      }
      throw new AssertionError("CreateSipCredential failed otherwise: " + e.getCause().getClass().getName());
    }
    throw new AssertionError("expected CreateSipCredential to fail");
  }
}
