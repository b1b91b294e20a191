package dev.trunkline.app;

import static dev.trunkline.contract.testing.SecretAssertions.assertNoSecrets;
import static dev.trunkline.contract.testing.SecretAssertions.redact;
import static dev.trunkline.contract.testing.SecretAssertions.secrets;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trunkline.contract.Addresses;
import dev.trunkline.contract.Bus;
import dev.trunkline.contract.StoreMessages.SipCredentials;
import dev.trunkline.contract.TenantRef;
import dev.trunkline.store.StoreVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The sandbox story end to end, as `java -jar trunkline.jar demo` tells it. */
class DemoTest {
  private static final Pattern DATA_DIR = Pattern.compile("\\(data in (.+)\\)");

  @Test
  void demoFindsTheBrokenNumberAndRepairsIt() throws Exception {
    // Run where an operator's production settings are set: the demo uses none of them (an unreachable database
    // here, which it would fail on), only a sandbox of its own with secrets it generated.
    JsonObject operators = ConfigLoader.applyOverrides(ConfigLoader.defaults(), Map.of(
        "TRUNKLINE_MONGO_URI", "mongodb://127.0.0.1:1", "TRUNKLINE_JWT_SECRET", "operator-jwt-secret-not-for-demos",
        "TRUNKLINE_KEYS", "k1:" + Base64.getEncoder().encodeToString(new byte[32]),
        "RETELL_BASE_URL", "https://api.retellai.com"), Map.of());
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int exit = Demo.run(operators, new PrintStream(bytes, true, StandardCharsets.UTF_8));
    String out = bytes.toString(StandardCharsets.UTF_8);

    // The story shows usernames, never a secret: scanned for by value (as SandboxProcessIT does) before any
    // assertion that could print the output.
    Map<String, String> secrets = secretsOfTheRun(out);
    assertNoSecrets("the demo's output", out, secrets);

    assertThat(exit).as(out).isZero();
    String firstAudit = out.substring(out.indexOf("==> 8."), out.indexOf("==> 9."));
    assertThat(firstAudit).contains("\"MISSING_USERNAME\"").contains("\"problemCount\" : 1");
    String fix = out.substring(out.indexOf("==> 9."), out.indexOf("==> 10."));
    assertThat(fix).contains("Fixed credentials for 2 of 2 phone numbers");
    String lastAudit = out.substring(out.indexOf("==> 10."), out.indexOf("==> 11."));
    assertThat(lastAudit).contains("\"problemCount\" : 0").doesNotContain("MISSING_USERNAME");
    // Then nobody asks: the drift watch, under the "repair" policy, finds the number broken again and repairs it.
    String drift = out.substring(out.lastIndexOf("==> 13."), out.indexOf("==> 14."));
    assertThat(drift).contains("\"policy\" : \"repair\"").contains("\"repaired\" : 1")
        .contains("\"numbers\" : [ ]");
    assertThat(out.substring(out.indexOf("==> 14."))).contains("\"problemCount\" : 0")
        .doesNotContain("MISSING_USERNAME");
    assertThat(out).doesNotContainIgnoringCase("\"password\"").doesNotContain("auth_password");
  }

  /**
   * The secrets of the run: what the sandbox generated into the data dir the demo names (vault key, JWT secret,
   * service token), the SIP password setup generated (read back from the demo's store), and the demo tenant's
   * Twilio token and Retell key.
   */
  private static Map<String, String> secretsOfTheRun(String out) throws Exception {
    Matcher m = DATA_DIR.matcher(out);
    assertThat(m.find()).as("the demo names its data dir").isTrue();
    Path dataDir = Path.of(m.group(1));
    JsonObject generated = new JsonObject(Files.readString(dataDir.resolve(SandboxSecrets.FILE_NAME)));
    String vaultKeys = generated.getString("vaultKeys");
    Map<String, String> all = new LinkedHashMap<>(secrets(
        "the vault key material", vaultKeys.substring(vaultKeys.indexOf(':') + 1),
        "jwtSecret", generated.getString("jwtSecret"),
        "serviceToken", generated.getString("serviceToken"),
        "the demo tenant's Twilio auth token", Sandbox.DEMO_AUTH_TOKEN,
        "the demo tenant's Retell key", Sandbox.DEMO_RETELL_KEY));
    all.put("the SIP password", sipPassword(dataDir, vaultKeys, all));
    return all;
  }

  /** The demo tenant's SIP password, from the store the demo left in its data dir. */
  private static String sipPassword(Path dataDir, String vaultKeys, Map<String, String> known) throws Exception {
    JsonObject config = ConfigLoader.defaults().copy().put("dataDir", dataDir.toString());
    ConfigLoader.put(config, "vault.keys", vaultKeys);
    Vertx vertx = Vertx.vertx();
    try {
      vertx.deployVerticle(StoreVerticle.class, new DeploymentOptions().setConfig(config))
          .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
      SipCredentials sip = Bus.request(vertx, Addresses.Store.SIP_GET, new TenantRef(Banner.DEMO_TENANT),
          SipCredentials.class, 10_000, "demo-test").toCompletionStage().toCompletableFuture()
          .get(30, TimeUnit.SECONDS);
      assertThat(sip.password()).as("the demo tenant's SIP password, %s", redact(sip.toString(), known)).isNotNull();
      return sip.password().reveal();
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }
}
