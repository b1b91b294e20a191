package dev.trunkline.twilio;

import static dev.trunkline.contract.testing.SecretAssertions.assertNoSecrets;
import static dev.trunkline.contract.testing.SecretAssertions.secrets;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trunkline.contract.Addresses;
import dev.trunkline.contract.Redaction;
import dev.trunkline.contract.Secret;
import dev.trunkline.contract.ServiceException;
import dev.trunkline.contract.StoreMessages.PutTwilioAccount;
import dev.trunkline.contract.TwilioMessages.EnsureTrunk;
import dev.trunkline.contract.TwilioMessages.VerifyAccount;
import dev.trunkline.twilio.client.TwilioApiException;
import dev.trunkline.twilio.client.TwilioAuth;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Twilio base URLs that answer 307 to another host: the client follows no redirect (the Basic credentials, and a
 * POST's form with a SIP password, would go along), and each call fails 502 {@code TWILIO_REDIRECT} naming the
 * status, never the Location. Two real local servers: the "Twilio" one redirects every request, the other records
 * every request it receives.
 */
@ExtendWith(VertxExtension.class)
class RedirectsTest {
  private static final String LOCATION_QUERY = "sig=elsewhere-7f3a9c";

  /** What the other host saw: method, path, and whether an Authorization header came (never its value). */
  private final List<String> seenElsewhere = new CopyOnWriteArrayList<>();
  private TwilioTestEnv env;

  @AfterEach
  void stop() {
    if (env != null) {
      env.stop();
    }
  }

  @Test
  void verifyEnsureAndACredentialPostSendNothingToWhereA307Points(Vertx vertx) {
    HttpServer elsewhere = TwilioTestEnv.await(vertx.createHttpServer()
        .requestHandler(req -> req.body().onComplete(body -> {
          seenElsewhere.add(req.method() + " " + req.path() + " authorization="
              + (req.getHeader("Authorization") != null));
          req.response().putHeader("content-type", "application/json").end("{}");
        }))
        .listen(0, "127.0.0.1"));
    int otherPort = elsewhere.actualPort();
    HttpServer twilio = TwilioTestEnv.await(vertx.createHttpServer()
        .requestHandler(req -> req.body().onComplete(body -> req.response().setStatusCode(307)
            .putHeader("Location", "http://127.0.0.1:" + otherPort + req.path() + "?" + LOCATION_QUERY)
            .putHeader("content-type", "application/json")
            .end(new JsonObject().put("code", 20307).put("message", "moved to ?" + LOCATION_QUERY).encode())))
        .listen(0, "127.0.0.1"));
    String base = "http://127.0.0.1:" + twilio.actualPort();
    env = TwilioTestEnv.start(vertx, new JsonObject().put("apiBaseUrl", base).put("trunkingBaseUrl", base));

    TwilioAuth auth = new TwilioAuth(TwilioTestEnv.newAccountSid(), TwilioTestEnv.newAuthToken());
    Secret password = new Secret("Pw7hQ2xV9mK4nL8sR3tZ4cYb");
    String subaccountId = TwilioTestEnv.newSubaccountId();
    env.call(Addresses.Store.TWILIO_ACCOUNT_PUT, new PutTwilioAccount(subaccountId, auth.accountSid(),
        auth.authToken()), JsonObject.class);

    Map<String, ServiceException> failures = new LinkedHashMap<>();
    failures.put("account.verify", env.failure(Addresses.Twilio.ACCOUNT_VERIFY,
        new VerifyAccount(auth.accountSid(), auth.authToken())));
    failures.put("trunk.ensure", env.failure(Addresses.Twilio.TRUNK_ENSURE,
        new EnsureTrunk(subaccountId, null, null, null)));
    failures.put("CreateSipCredential", (ServiceException) TwilioFailures.map(postFailure(auth, password)));

    assertThat(seenElsewhere).as("requests the other host received").isEmpty();
    Map<String, String> secrets = secrets("the auth token", auth.authToken().reveal(), "the Basic auth value",
        Redaction.basicAuthValue(auth.accountSid(), auth.authToken()).reveal(), "the SIP password",
        password.reveal());
    failures.forEach((what, se) -> {
      assertNoSecrets("the failure of " + what, se.toWire(), secrets);
      assertThat(se.status()).as("status of %s", se).isEqualTo(502);
      assertThat(se.code()).as("code of %s", se).isEqualTo("TWILIO_REDIRECT");
      assertThat(se.details().getInteger("upstreamStatus")).isEqualTo(307);
      assertThat(se.getMessage()).contains("307");
      assertThat(se.toWire()).doesNotContain(LOCATION_QUERY).doesNotContain(Integer.toString(otherPort));
    });
  }

  private TwilioApiException postFailure(TwilioAuth auth, Secret password) {
    try {
      TwilioTestEnv.await(env.api.createCredential(auth, "CL" + "0".repeat(32), "user", password));
    } catch (AssertionError e) {
      if (e.getCause() instanceof TwilioApiException t) {
        return t;
      }
      throw e;
    }
    throw new AssertionError("expected CreateSipCredential to fail");
  }
}
