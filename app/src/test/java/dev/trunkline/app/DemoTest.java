package dev.trunkline.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The sandbox story end to end, as `java -jar trunkline.jar demo` tells it. */
class DemoTest {

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

    assertThat(exit).as(out).isZero();
    String firstAudit = out.substring(out.indexOf("==> 8."), out.indexOf("==> 9."));
    assertThat(firstAudit).contains("\"MISSING_USERNAME\"").contains("\"problemCount\" : 1");
    String fix = out.substring(out.indexOf("==> 9."), out.indexOf("==> 10."));
    assertThat(fix).contains("Fixed credentials for 2 of 2 phone numbers");
    String lastAudit = out.substring(out.indexOf("==> 10."));
    assertThat(lastAudit).contains("\"problemCount\" : 0").doesNotContain("MISSING_USERNAME");
    // The story shows usernames, never the SIP password, the auth token's use, or the vault key.
    assertThat(out).doesNotContainIgnoringCase("\"password\"").doesNotContain("auth_password");
  }
}
