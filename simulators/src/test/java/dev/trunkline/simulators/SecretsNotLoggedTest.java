package dev.trunkline.simulators;

import static dev.trunkline.contract.testing.Await.await;
import static dev.trunkline.contract.testing.SecretAssertions.assertNoSecrets;
import static dev.trunkline.contract.testing.SecretAssertions.secrets;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trunkline.contract.testing.LogCapture;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * Runs both simulators through success and failure paths and checks no log event (at any level) carries a token,
 * key or password.
 */
@ExtendWith(VertxExtension.class)
class SecretsNotLoggedTest {

  private static final String TOKEN = "twilio-token-SECRET-1";
  private static final String API_KEY = "retell-key-SECRET-2";
  private static final String PASSWORD = "SipPassw0rdSECRET3";

  @Test
  void noSecretInAnyLogLine(Vertx vertx) {
    List<String> lines;
    try (LogCapture logs = LogCapture.start()) {
      LoggerFactory.getLogger(SecretsNotLoggedTest.class).info("secrets-test probe");
      TwilioSimulator twilioSim = await(TwilioSimulator.start(vertx, new SimulatorOptions()));
      RetellSimulator retellSim = await(RetellSimulator.start(vertx, new SimulatorOptions()));
      WebClient web = WebClient.create(vertx);
      TwilioClient twilio = new TwilioClient(web, twilioSim.baseUrl(), "AC" + "5".repeat(32), TOKEN);
      String list = TwilioSimulatorTest.createCredentialList(twilio, "l");
      String credentials = "/2010-04-01/Accounts/$AC/SIP/CredentialLists/" + list + "/Credentials.json";
      twilio.post(credentials, "Username", "u", "Password", PASSWORD);
      twilio.post(credentials, "Username", "u", "Password", PASSWORD);
      twilio.post(credentials, "Username", "weak", "Password", PASSWORD.toLowerCase());
      new TwilioClient(web, twilioSim.baseUrl(), "AC" + "5".repeat(32), TOKEN + "x").get("/v1/Trunks");
      JsonObject body = new JsonObject().put("phone_number", "+14155550100").put("termination_uri", "t.pstn.twilio.com")
          .put("sip_trunk_auth_username", "u").put("sip_trunk_auth_password", PASSWORD);
      for (int i = 0; i < 2; i++) {
        await(web.postAbs(retellSim.baseUrl() + "/import-phone-number").bearerTokenAuthentication(API_KEY)
            .timeout(10_000).sendJsonObject(body));
      }
      await(web.patchAbs(retellSim.baseUrl() + "/update-phone-number/%2B14155550100")
          .bearerTokenAuthentication(API_KEY).timeout(10_000)
          .sendJsonObject(new JsonObject().put("auth_password", PASSWORD).put("transport", "bogus")));
      web.close();
      await(twilioSim.close());
      await(retellSim.close());
      lines = logs.lines();
    }
    assertNoSecrets("a captured log event", lines,
        secrets("the Twilio auth token", TOKEN, "the Retell API key", API_KEY, "the SIP password", PASSWORD));
    // The capture works (so an empty capture proves something): a probe line logged during the run is in it.
    // After the scan: this assertion prints every captured event when it fails.
    assertThat(lines).anyMatch(l -> l.startsWith("INFO " + SecretsNotLoggedTest.class.getName() + " [")
        && l.contains("] secrets-test probe\n"));
  }
}
