package dev.trunkline.app;

import static dev.trunkline.contract.testing.Await.await;
import static dev.trunkline.contract.testing.Await.awaitFailure;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trunkline.contract.testing.LogCapture;
import dev.trunkline.contract.testing.SecretAssertions;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code auto} is the sandbox only when nothing production-like is configured: an operator's JWT secret, keys,
 * service token, database or upstream URL never end up in a sandbox that prints a 24-hour token. Production on the
 * embedded store says so, and keeps {@code /metrics} off the public port. In-process, on port 0.
 */
class StartupModeTest {
  private static final SecureRandom RANDOM = new SecureRandom();

  @TempDir
  Path tmp;
  private Vertx vertx;

  @BeforeEach
  void vertx() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void close() throws Exception {
    await(vertx.close());
  }

  @Test
  void autoWithAnyProductionSettingIsProductionAndStopsNamingWhatIsMissing() {
    Map<String, String> alone = new LinkedHashMap<>();
    alone.put("TRUNKLINE_JWT_SECRET", random(32));
    alone.put("TRUNKLINE_KEYS", "k1:" + random(32));
    alone.put("TRUNKLINE_SERVICE_TOKEN", random(24));
    alone.put("TRUNKLINE_MONGO_URI", "mongodb://127.0.0.1:1");
    alone.put("TRUNKLINE_LEGACY_ENCRYPTION_KEY", random(16));
    alone.put("RETELL_API_KEY", "key_" + random(16));
    alone.put("RETELL_BASE_URL", "https://api.retellai.com");
    alone.put("TWILIO_API_BASE_URL", "https://api.twilio.com");
    for (Map.Entry<String, String> setting : alone.entrySet()) {
      Path dataDir = tmp.resolve(setting.getKey());
      JsonObject config = config(dataDir, Map.of(setting.getKey(), setting.getValue()));

      assertThat(awaitFailure(Trunkline.start(vertx, config), IllegalStateException.class))
          .as("auto with only %s", setting.getKey())
          .hasMessageStartingWith("production mode needs ")
          .hasMessageContaining("auto mode chose production because " + setting.getKey() + " (");
      assertThat(dataDir.resolve(SandboxSecrets.FILE_NAME)).as("no sandbox secrets generated").doesNotExist();
    }

    // The brief's case: the JWT secret alone. Production then names exactly the missing vault keys.
    String secret = alone.get("TRUNKLINE_JWT_SECRET");
    JsonObject config = config(tmp.resolve("jwt"), Map.of("TRUNKLINE_JWT_SECRET", secret));
    assertThat(awaitFailure(Trunkline.start(vertx, config), IllegalStateException.class))
        .hasMessage("production mode needs TRUNKLINE_KEYS (vault.keys); auto mode chose production because "
            + "TRUNKLINE_JWT_SECRET (gateway.jwtSecret) is set (a sandbox starts only when no production setting "
            + "is, docs/security.md)");
  }

  @Test
  void aBannerNeverMintsATokenWithASecretItDidNotGenerate() throws Exception {
    // Control: the sandbox's own secret signs the demo token.
    Trunkline generated = await(Trunkline.start(vertx, config(tmp.resolve("own"), Map.of())));
    String own;
    try {
      own = banner(generated);
    } finally {
      await(generated.close());
    }
    assertThat(own).containsPattern("export TOKEN=eyJ[\\w-]+\\.[\\w-]+\\.[\\w-]+");

    // A sandbox asked for explicitly, with the operator's JWT secret: simulated upstreams, no token.
    String operatorSecret = random(48);
    List<String> warnings;
    Trunkline configured;
    try (LogCapture logs = LogCapture.start()) {
      configured = await(Trunkline.start(vertx, config(tmp.resolve("configured"),
          Map.of("TRUNKLINE_MODE", "sandbox", "TRUNKLINE_JWT_SECRET", operatorSecret))));
      warnings = lines(logs, Trunkline.class, Sandbox.class);
    }
    String text;
    try {
      assertThat(configured.sandbox()).isNotNull();
      text = banner(configured);
    } finally {
      await(configured.close());
    }
    SecretAssertions.assertNoSecret("the banner", text, "the operator's JWT secret", operatorSecret);
    // A boolean, so that a failure does not print the token it found.
    assertThat(text.contains("eyJ")).as("a JWT in the banner").isFalse();
    assertThat(text).contains("No dev token: the JWT secret is configured, not generated");
    assertThat(warnings)
        .anyMatch(l -> l.contains("SANDBOX MODE was asked for with production settings configured "
            + "(TRUNKLINE_JWT_SECRET (gateway.jwtSecret))"))
        .anyMatch(l -> l.contains("the encryption key, the service token were generated"))
        .noneMatch(l -> l.contains("JWT secret were generated"));
  }

  @Test
  void productionOnTheEmbeddedStoreSaysSoAndKeepsMetricsOffTheApiPort() throws Exception {
    Path dataDir = tmp.resolve("prod");
    JsonObject config = config(dataDir, Map.of("TRUNKLINE_KEYS", "k1:" + random(32),
        "TRUNKLINE_JWT_SECRET", random(32)));
    // With metrics on, as the launcher builds its Vert.x.
    Vertx metered = await(VertxFactory.create(config));
    try {
      List<String> lines;
      Trunkline node;
      try (LogCapture logs = LogCapture.start()) {
        node = await(Trunkline.start(metered, config));
        lines = lines(logs, Trunkline.class);
      }
      try {
        assertThat(node.sandbox()).isNull();
        assertThat(node.config().getString("mode")).isEqualTo("production");
        assertThat(lines).anyMatch(l -> l.startsWith("WARN PRODUCTION ON THE EMBEDDED STORE: TRUNKLINE_MONGO_URI is "
            + "not set, so every tenant's data is in " + dataDir.toAbsolutePath().resolve("store.mv")));
        WebClient client = WebClient.create(metered);
        HttpResponse<Buffer> ready = await(client.get(node.httpPort(), "127.0.0.1", "/health/ready")
            .timeout(5000).send());
        assertThat(ready.statusCode()).as(ready.bodyAsString()).isEqualTo(200);
        assertThat(ready.bodyAsJsonObject().getJsonObject("checks").getJsonObject("store").getString("backend"))
            .isEqualTo("embedded");
        HttpResponse<Buffer> metrics = await(client.get(node.httpPort(), "127.0.0.1", "/metrics").timeout(5000).send());
        assertThat(metrics.statusCode()).as("/metrics on the public port in production").isEqualTo(404);
        assertThat(lines).anyMatch(l -> l.startsWith("WARN metrics are collected but not served"));
      } finally {
        await(node.close());
      }
    } finally {
      await(metered.close());
    }
  }

  private static String banner(Trunkline node) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    Banner.print(node, new PrintStream(bytes, true, StandardCharsets.UTF_8));
    return bytes.toString(StandardCharsets.UTF_8);
  }

  /** Defaults plus {@code env}, on port 0 with one gateway instance and a data dir of the test's. */
  private static JsonObject config(Path dataDir, Map<String, String> env) {
    Map<String, String> all = new LinkedHashMap<>(env);
    all.put("TRUNKLINE_HTTP_PORT", "0");
    all.put("TRUNKLINE_HTTP_HOST", "127.0.0.1");
    all.put("TRUNKLINE_DATA_DIR", dataDir.toString());
    return ConfigLoader.applyOverrides(ConfigLoader.defaults(), all, Map.of("trunkline.http.instances", "1"));
  }

  private static String random(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return Base64.getEncoder().encodeToString(b);
  }

  /** What these classes logged, as "LEVEL message". */
  private static List<String> lines(LogCapture logs, Class<?>... classes) {
    List<String> names = java.util.Arrays.stream(classes).map(Class::getName).toList();
    return logs.events().stream().filter(e -> names.contains(e.getLoggerName()))
        .map(e -> e.getLevel() + " " + e.getFormattedMessage()).toList();
  }
}
