package dev.trunkline.simulators;

import static dev.trunkline.contract.testing.Await.await;
import static dev.trunkline.contract.testing.Await.awaitFailure;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Every fault kind of the Twilio simulator, from Java and over /__admin, and what each does to the state. */
@ExtendWith(VertxExtension.class)
class TwilioFaultsTest {

  private static final String ACCOUNT = "AC" + "00000000000000000000000000000abc";
  private static final String TOKEN = "faults-token";

  private static Vertx vertx;
  private static TwilioSimulator sim;
  private static WebClient webClient;
  private TwilioClient twilio;

  @BeforeAll
  static void startOnce() {
    vertx = Vertx.vertx();
    sim = await(TwilioSimulator.start(vertx, new SimulatorOptions()));
    webClient = WebClient.create(vertx);
  }

  @AfterAll
  static void stopOnce() {
    webClient.close();
    await(sim.close());
    await(vertx.close());
  }

  @BeforeEach
  void resetState() {
    sim.reset();
    twilio = new TwilioClient(webClient, sim.baseUrl(), ACCOUNT, TOKEN);
  }

  @Test
  void errorFaultAnswersWithATwilioErrorBodyAndChangesNothing() {
    sim.faults().add(FaultRule.on("POST", "/v1/Trunks").error(500).times(1));
    HttpResponse<Buffer> failed = twilio.post("/v1/Trunks", "FriendlyName", "x");
    assertThat(failed.statusCode()).isEqualTo(500);
    JsonObject body = failed.bodyAsJsonObject();
    assertThat(body.getInteger("code")).isEqualTo(20500);
    assertThat(body.getInteger("status")).isEqualTo(500);
    assertThat(body.getString("message")).isNotBlank();
    assertThat(body.getString("more_info")).contains("20500");
    assertThat(sim.trunks(ACCOUNT)).isEmpty();
    assertThat(twilio.post("/v1/Trunks", "FriendlyName", "x").statusCode()).isEqualTo(201);

    sim.faults().add(FaultRule.on("GET", "/v1/Trunks/*").error(503, 20503, "maintenance").times(1));
    String sid = sim.trunks(ACCOUNT).get(0).getString("sid");
    HttpResponse<Buffer> unavailable = twilio.get("/v1/Trunks/" + sid);
    assertThat(unavailable.statusCode()).isEqualTo(503);
    assertThat(unavailable.bodyAsJsonObject().getString("message")).isEqualTo("maintenance");
    assertThat(twilio.get("/v1/Trunks/" + sid).statusCode()).isEqualTo(200);
    // The list path does not match the single-segment glob.
    sim.faults().add(FaultRule.on("GET", "/v1/Trunks/*").error(500));
    assertThat(twilio.get("/v1/Trunks").statusCode()).isEqualTo(200);
  }

  @Test
  void tooManyRequestsCarriesRetryAfter() {
    sim.faults().add(FaultRule.on(null, "/2010-04-01/Accounts/*/SIP/**").tooManyRequests(4).times(2));
    for (int i = 0; i < 2; i++) {
      HttpResponse<Buffer> limited = twilio.get("/2010-04-01/Accounts/$AC/SIP/CredentialLists.json");
      assertThat(limited.statusCode()).isEqualTo(429);
      assertThat(limited.getHeader("Retry-After")).isEqualTo("4");
      assertThat(limited.bodyAsJsonObject().getInteger("code")).isEqualTo(20429);
    }
    assertThat(twilio.get("/2010-04-01/Accounts/$AC/SIP/CredentialLists.json").statusCode()).isEqualTo(200);
    // Faulted requests still count as received.
    assertThat(sim.requests().count("GET", "/2010-04-01/Accounts/*/SIP/CredentialLists.json")).isEqualTo(3);
  }

  @Test
  void dropConnectionLosesTheRequest() {
    sim.faults().add(FaultRule.on("POST", "/2010-04-01/Accounts/*/SIP/CredentialLists.json").dropConnection().times(1));
    Throwable failure = awaitFailure(twilio.request(HttpMethod.POST, "/2010-04-01/Accounts/$AC/SIP/CredentialLists.json")
        .sendForm(MultiMap.caseInsensitiveMultiMap().add("FriendlyName", "lost")));
    // The connection closed without a response: the client sees exactly that, nothing else.
    assertThat(failure).isInstanceOf(HttpClosedException.class);
    assertThat(sim.credentialLists(ACCOUNT)).isEmpty();
  }

  @Test
  void dropResponseAppliesTheWriteButLosesTheReply() {
    sim.faults().add(FaultRule.on("POST", "/v1/Trunks").dropResponse().times(1));
    Throwable failure = awaitFailure(twilio.request(HttpMethod.POST, "/v1/Trunks")
        .sendForm(MultiMap.caseInsensitiveMultiMap().add("FriendlyName", "half-done")
            .add("DomainName", "half-done.pstn.twilio.com")));
    assertThat(failure).isInstanceOf(HttpClosedException.class);
    assertThat(sim.trunks(ACCOUNT)).hasSize(1);
    assertThat(sim.trunks(ACCOUNT).get(0).getString("friendly_name")).isEqualTo("half-done");
    // A blind retry now collides with what the lost request created: the situation a client must converge from.
    assertThat(twilio.post("/v1/Trunks", "DomainName", "half-done.pstn.twilio.com").statusCode()).isEqualTo(409);
  }

  @Test
  void latencyDelaysTheReply() {
    sim.faults().add(FaultRule.on("GET", "/v1/Trunks").latency(250).times(1));
    long start = System.nanoTime();
    assertThat(twilio.get("/v1/Trunks").statusCode()).isEqualTo(200);
    assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(250);
  }

  @Test
  void latencyThenErrorBothApply() {
    sim.faults().add(FaultRule.on("GET", "/v1/Trunks").latency(50).times(1));
    sim.faults().add(FaultRule.on("GET", "/v1/Trunks").error(502).times(1));
    assertThat(twilio.get("/v1/Trunks").statusCode()).isEqualTo(502);
    assertThat(sim.faults().rules()).isEmpty();
  }

  @Test
  void probabilityRules() {
    FaultRule never = sim.faults().add(FaultRule.on(null, "/**").error(500).probability(0));
    for (int i = 0; i < 5; i++) {
      assertThat(twilio.get("/v1/Trunks").statusCode()).isEqualTo(200);
    }
    assertThat(never.fired()).isZero();
    assertThat(sim.faults().remove(never.id())).isTrue();
    FaultRule always = sim.faults().add(FaultRule.on(null, "/**").error(500).probability(1).times(3));
    for (int i = 0; i < 3; i++) {
      assertThat(twilio.get("/v1/Trunks").statusCode()).isEqualTo(500);
    }
    assertThat(always.fired()).isEqualTo(3);
    assertThat(twilio.get("/v1/Trunks").statusCode()).isEqualTo(200);
  }

  @Test
  void faultsOverAdminHttpAndTheyNeverBlockAdmin() {
    HttpResponse<Buffer> created = await(webClient.postAbs(sim.baseUrl() + "/__admin/faults").timeout(10_000)
        .sendJsonObject(new JsonObject().put("path", "/**").put("kind", "drop_connection")));
    assertThat(created.statusCode()).isEqualTo(201);
    assertThat(awaitFailure(twilio.request(HttpMethod.GET, "/v1/Trunks").send()))
        .isInstanceOf(HttpClosedException.class);
    // Admin requests bypass faults, so the rule can always be removed again.
    HttpResponse<Buffer> listed = await(webClient.getAbs(sim.baseUrl() + "/__admin/faults").timeout(10_000).send());
    assertThat(listed.bodyAsJsonObject().getJsonArray("faults").getJsonObject(0).getLong("fired")).isEqualTo(1);
    assertThat(await(webClient.deleteAbs(sim.baseUrl() + "/__admin/faults").timeout(10_000).send()).statusCode())
        .isEqualTo(204);
    assertThat(twilio.get("/v1/Trunks").statusCode()).isEqualTo(200);

    HttpResponse<Buffer> custom = await(webClient.postAbs(sim.baseUrl() + "/__admin/faults").timeout(10_000)
        .sendJsonObject(new JsonObject().put("method", "GET").put("path", "/v1/Trunks").put("kind", "ERROR")
            .put("status", 400).put("code", 21201).put("message", "injected").put("times", 1)));
    assertThat(custom.statusCode()).isEqualTo(201);
    HttpResponse<Buffer> injected = twilio.get("/v1/Trunks");
    assertThat(injected.statusCode()).isEqualTo(400);
    assertThat(injected.bodyAsJsonObject().getInteger("code")).isEqualTo(21201);
    assertThat(injected.bodyAsJsonObject().getString("message")).isEqualTo("injected");
  }
}
