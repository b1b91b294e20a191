package dev.trunkline.retell;

import static dev.trunkline.contract.testing.SecretAssertions.redact;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trunkline.contract.Bus;
import dev.trunkline.contract.ServiceException;
import io.vertx.core.Handler;
import io.vertx.junit5.VertxTestContext;
import java.util.function.Consumer;
import dev.trunkline.contract.RetellMessages.SipTarget;
import dev.trunkline.contract.Secret;
import dev.trunkline.contract.testing.SecretAssertions;
import dev.trunkline.simulators.RetellSimulator;
import dev.trunkline.simulators.SimulatorOptions;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What the Retell tests share: the secrets they use (so {@link dev.trunkline.contract.testing.NoSecretsLogged} can
 * look for them), a simulator started on a free port, and the verticle deployed against it with fast test settings.
 */
final class Fixture {
  static final String KEY = "key_f4e1c0ffee9d4b2a8a1d3b7c5e6f7a80";
  static final String OTHER_KEY = "key_0b1d2e3f4a5b6c7d8e9f00112233aabb";
  static final String DEFAULT_KEY = "key_default_5d6e7f8091a2b3c4d5e6f708";
  static final String PASSWORD = "Pw-7hQ2xV9mK4nL8sR3t";
  static final String OTHER_PASSWORD = "Pw-2bN6cX1zA5sD9fG4h";
  /** Every secret above, by name, for {@link SecretAssertions}. */
  static final Map<String, String> SECRETS = SecretAssertions.secrets("the API key", KEY, "the other API key",
      OTHER_KEY, "the default API key", DEFAULT_KEY, "the SIP password", PASSWORD, "the other SIP password",
      OTHER_PASSWORD);

  static final String TRUNK = "acme5jj7w1sp.pstn.twilio.com";
  static final String USERNAME = "acme5jj7w1sp_user";
  static final String N1 = "+447480802119";
  static final String N2 = "+447476942799";
  static final String N3 = "+14155550100";

  static final long BUS_TIMEOUT_MS = 30_000;

  private Fixture() {}

  static Secret key() {
    return new Secret(KEY);
  }

  static SipTarget target() {
    return new SipTarget(TRUNK, USERNAME, new Secret(PASSWORD), "TCP");
  }

  static Future<RetellSimulator> simulator(Vertx vertx) {
    return RetellSimulator.start(vertx, new SimulatorOptions().host("127.0.0.1").port(0));
  }

  /** Test settings: quick retries and timeouts, a limiter that does not get in the way unless asked to. */
  static JsonObject config(String baseUrl) {
    return new JsonObject().put("retell", new JsonObject()
        .put("baseUrl", baseUrl)
        .put("requestTimeoutMs", 2_000)
        .put("maxRetries", 2)
        .put("retryBaseDelayMs", 10)
        .put("retryMaxDelayMs", 40)
        .put("maxRetryAfterMs", 3_000)
        .put("rateLimitPerSecond", 10_000)
        .put("rateLimitBurst", 10_000)
        .put("rateLimitMaxQueue", 10_000)
        .put("maxPoolSize", 8));
  }

  static Future<String> deploy(Vertx vertx, JsonObject config, int instances) {
    return deploy(vertx, RetellVerticle::new, config, instances);
  }

  static Future<String> deploy(Vertx vertx, Supplier<RetellVerticle> verticle, JsonObject config, int instances) {
    return vertx.deployVerticle(verticle, new DeploymentOptions().setConfig(config).setInstances(instances));
  }

  /**
   * A handler for {@code ctx.failing(...)}: the failure must be a ServiceException with this status and code, and
   * pass {@code more}; then the test completes.
   */
  static Handler<Throwable> failure(VertxTestContext ctx, int status, String code, Consumer<ServiceException> more) {
    return err -> ctx.verify(() -> {
      // The failure is described with the secrets redacted: some tests check that its message has none.
      if (!(err instanceof ServiceException se)) {
        throw new AssertionError("expected a ServiceException, got " + redact(String.valueOf(err), SECRETS));
      }
      assertThat(se.status()).as("status of %s", redact(se.toString(), SECRETS)).isEqualTo(status);
      assertThat(se.code()).as("code of %s", redact(se.toString(), SECRETS)).isEqualTo(code);
      more.accept(se);
      ctx.completeNow();
    });
  }

  static <R> Future<R> request(Vertx vertx, String address, Object body, Class<R> replyType) {
    return Bus.request(vertx, address, body, replyType, BUS_TIMEOUT_MS, null);
  }

  /** An import body for seeding a healthy number straight into the simulator. */
  static JsonObject seedBody(String phone, String terminationUri, String username, String password) {
    return new JsonObject().put("phone_number", phone).put("termination_uri", terminationUri)
        .put("sip_trunk_auth_username", username).put("sip_trunk_auth_password", password)
        .put("transport", "TCP");
  }
}
