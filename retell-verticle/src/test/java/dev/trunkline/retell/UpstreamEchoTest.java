package dev.trunkline.retell;

import static dev.trunkline.contract.testing.SecretAssertions.assertNoSecrets;
import static dev.trunkline.retell.Fixture.N1;
import static dev.trunkline.retell.Fixture.N3;
import static dev.trunkline.retell.Fixture.TRUNK;
import static dev.trunkline.retell.Fixture.USERNAME;
import static dev.trunkline.retell.Fixture.request;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trunkline.contract.Addresses.Retell;
import dev.trunkline.contract.RetellMessages.ImportNumber;
import dev.trunkline.contract.RetellMessages.InspectNumber;
import dev.trunkline.contract.RetellMessages.Inspection;
import dev.trunkline.contract.RetellMessages.KeyVerified;
import dev.trunkline.contract.RetellMessages.RetellNumber;
import dev.trunkline.contract.RetellMessages.SipTarget;
import dev.trunkline.contract.RetellMessages.VerifyKey;
import dev.trunkline.contract.Secret;
import dev.trunkline.contract.ServiceException;
import dev.trunkline.contract.testing.NoSecretsLogged;
import dev.trunkline.simulators.FaultRule;
import dev.trunkline.simulators.RetellSimulator;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Retell's error message echoes the API key or the SIP password the call sent, in every encoding an upstream may
 * use (plain, URL-encoded with + and with %20, Base64, a piece of 10 characters): neither the failure that crosses
 * the bus nor any log line (DEBUG, all loggers) holds any of them. The key and the password hold characters that
 * URL encoding changes, so each encoding is a different text. The same holds for a field of a successful reply that
 * a verification failure quotes.
 */
@ExtendWith(VertxExtension.class)
class UpstreamEchoTest {
  @RegisterExtension
  static final NoSecretsLogged LOGS = new NoSecretsLogged(Fixture.SECRETS);

  private static final String ECHO_KEY = "rk_9Zq+T/4w x=Lm&8Vb~c3";
  private static final String ECHO_PASSWORD = "Pw 7h+Q2x/V9=mK4&nL8~s";

  private RetellSimulator sim;
  private String deployment;

  @BeforeEach
  void start(Vertx vertx, VertxTestContext ctx) {
    Fixture.simulator(vertx)
        .compose(s -> {
          sim = s;
          return Fixture.deploy(vertx, Fixture.config(s.baseUrl()), 1);
        })
        .onComplete(ctx.succeeding(id -> {
          deployment = id;
          ctx.completeNow();
        }));
  }

  @AfterEach
  void stop(VertxTestContext ctx) {
    sim.close().onComplete(ctx.succeedingThenComplete());
  }

  /** Each encoding of each secret, by a name that says which. */
  static Map<String, String> encodings(String name, String secret) {
    Map<String, String> forms = new LinkedHashMap<>();
    forms.put(name, secret);
    String plus = URLEncoder.encode(secret, StandardCharsets.UTF_8);
    forms.put(name + ", URL-encoded with +", plus);
    forms.put(name + ", URL-encoded with %20", plus.replace("+", "%20"));
    forms.put(name + " in Base64", Base64.getEncoder().encodeToString(secret.getBytes(StandardCharsets.UTF_8)));
    forms.put("10 characters of " + name, secret.substring(4, 14));
    return forms;
  }

  @Test
  void noEncodingOfTheKeyOrPasswordLeavesThroughAFailureOrALogLine(Vertx vertx, VertxTestContext ctx) {
    Map<String, String> secrets = new LinkedHashMap<>(encodings("the API key", ECHO_KEY));
    secrets.putAll(encodings("the SIP password", ECHO_PASSWORD));
    Secret key = new Secret(ECHO_KEY);
    SipTarget target = new SipTarget(TRUNK, USERNAME, new Secret(ECHO_PASSWORD), "TCP");

    // One import per encoding (a message holding them all would be cut short before the last), and an inspection
    // and a key verification whose refusal echoes the key.
    List<String> echoed = new ArrayList<>(secrets.values());
    List<String> what = new ArrayList<>();
    Future<?> chain = Future.succeededFuture();
    List<Future<?>> calls = new ArrayList<>();
    for (int i = 0; i < echoed.size(); i++) {
      String message = "echo: " + echoed.get(i) + " :end";
      int at = i;
      chain = chain.eventually(() -> {
        sim.faults().add(FaultRule.on("POST", "/import-phone-number").error(400, null, message).times(1));
        Future<RetellNumber> call = request(vertx, Retell.NUMBER_IMPORT, new ImportNumber(key, N3, target, null),
            RetellNumber.class);
        calls.add(call);
        what.add("an import whose rejection echoes secret form #" + (at + 1));
        return call;
      });
    }
    String keyInBase64 = secrets.get("the API key in Base64");
    chain = chain.eventually(() -> {
      sim.faults().add(FaultRule.on("GET", "/get-phone-number/*").error(400, null, "bad " + keyInBase64).times(1));
      Future<Inspection> call = request(vertx, Retell.NUMBER_INSPECT, new InspectNumber(key, N1, TRUNK, "u"),
          Inspection.class);
      calls.add(call);
      what.add("an inspection");
      return call;
    }).eventually(() -> {
      sim.faults().add(FaultRule.on("GET", "/v2/list-phone-numbers")
          .error(401, null, "invalid key " + secrets.get("the API key, URL-encoded with %20")).times(1));
      Future<KeyVerified> call = request(vertx, Retell.KEY_VERIFY, new VerifyKey(key), KeyVerified.class);
      calls.add(call);
      what.add("a key verification");
      return call;
    });

    chain.onComplete(done -> ctx.verify(() -> {
      List<ServiceException> failures = new ArrayList<>();
      for (int i = 0; i < calls.size(); i++) {
        assertThat(calls.get(i).failed()).as("%s failed", what.get(i)).isTrue();
        ServiceException se = (ServiceException) calls.get(i).cause();
        assertNoSecrets("the failure of " + what.get(i), se.toWire(), secrets);
        failures.add(se);
      }
      // The scan first: the controls after it may print a line when they fail.
      assertNoSecrets("a captured log line", LOGS.lines(), secrets);

      for (int i = 0; i < echoed.size(); i++) {
        ServiceException se = failures.get(i);
        assertThat(se.status()).as("status of %s", se).isEqualTo(422);
        assertThat(se.code()).as("code of %s", se).isEqualTo("RETELL_REJECTED");
        assertThat(se.details().getString("upstreamMessage")).as("what is left of Retell's text")
            .isEqualTo("echo: [REDACTED] :end");
      }
      ServiceException inspect = failures.get(echoed.size());
      assertThat(inspect.code()).as("code of %s", inspect).isEqualTo("RETELL_REJECTED");
      assertThat(inspect.details().getString("upstreamMessage")).isEqualTo("bad [REDACTED]");
      ServiceException verify = failures.get(echoed.size() + 1);
      assertThat(verify.status()).as("status of %s", verify).isEqualTo(400);
      assertThat(verify.code()).as("code of %s", verify).isEqualTo("RETELL_UNAUTHORIZED");
      assertThat(verify.details().getString("upstreamMessage")).isEqualTo("invalid key [REDACTED]");
      ctx.completeNow();
    }));
  }

  @Test
  void aVerificationFailureDoesNotQuoteASecretFromTheReply(Vertx vertx, VertxTestContext ctx) {
    // A server that accepts the import and shows the password (URL-encoded) where the username belongs.
    String shown = "u:" + URLEncoder.encode(ECHO_PASSWORD, StandardCharsets.UTF_8);
    HttpServer echoing = vertx.createHttpServer().requestHandler(req -> req.body().onComplete(body ->
        req.response().setStatusCode(201).putHeader("content-type", "application/json")
            .end(new JsonObject().put("phone_number", N3).put("phone_number_type", "custom")
                .put("sip_outbound_trunk_config", new JsonObject().put("termination_uri", TRUNK)
                    .put("auth_username", shown).put("transport", "TCP")).encode())));
    Map<String, String> secrets = encodings("the SIP password", ECHO_PASSWORD);
    vertx.undeploy(deployment)
        .compose(v -> echoing.listen(0, "127.0.0.1"))
        .compose(server -> Fixture.deploy(vertx, Fixture.config("http://127.0.0.1:" + server.actualPort()), 1))
        .compose(id -> request(vertx, Retell.NUMBER_IMPORT, new ImportNumber(new Secret(ECHO_KEY), N3,
            new SipTarget(TRUNK, USERNAME, new Secret(ECHO_PASSWORD), "TCP"), null), RetellNumber.class))
        .onComplete(ctx.failing(err -> ctx.verify(() -> {
          ServiceException se = (ServiceException) err;
          assertNoSecrets("the verification failure", se.toWire(), secrets);
          assertThat(se.code()).as("code of %s", se).isEqualTo("RETELL_VERIFY_MISMATCH");
          assertThat(se.details().getString("field")).isEqualTo("auth_username");
          assertThat(se.details().getString("actual")).isEqualTo("u:[REDACTED]");
          ctx.completeNow();
        })));
  }
}
