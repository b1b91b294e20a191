package dev.trunkline.simulators;

import static dev.trunkline.contract.testing.Await.await;
import static dev.trunkline.contract.testing.SecretAssertions.assertNoSecrets;
import static dev.trunkline.contract.testing.SecretAssertions.redact;
import static dev.trunkline.contract.testing.SecretAssertions.secrets;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Drives the Retell simulator with the official {@code retell-sdk@5.66.1} npm package: the test installs it from the
 * npm registry into {@code target/retell-sdk-conformance} (not into the source tree, no lockfile) and runs
 * {@code src/test/node/retell-conformance.mjs} against the simulator. The script checks every reply against the
 * SDK's declared shapes; this test checks its exit code, its step lines and that no secret reached its output.
 */
@ExtendWith(VertxExtension.class)
class RetellSdkConformanceTest {

  private static final String API_KEY = "key_conformance_workspace_1234";
  private static final String SIP_PASSWORD = "C0nformancePassword";
  private static final Path SOURCES = Path.of("src", "test", "node");
  private static final Path WORK_DIR = Path.of("target", "retell-sdk-conformance");

  private RetellSimulator sim;

  @BeforeEach
  void start(Vertx vertx) {
    sim = await(RetellSimulator.start(vertx, new SimulatorOptions()));
  }

  @AfterEach
  void stop() {
    await(sim.close());
  }

  @Test
  void registryOutagesAreRecognisedAndCiFailsInsteadOfSkipping() {
    assertThat(REGISTRY_UNREACHABLE.matcher("npm ERR! code ENOTFOUND\nnpm ERR! errno ENOTFOUND").find()).isTrue();
    assertThat(REGISTRY_UNREACHABLE.matcher("npm error code EAI_AGAIN").find()).isTrue();
    assertThat(REGISTRY_UNREACHABLE.matcher("npm ERR! code E404 Not Found - retell-sdk@9.9.9").find()).isFalse();
    assertThat(inCi("true")).isTrue();
    assertThat(inCi(null)).isFalse();
    assertThat(inCi("false")).isFalse();
    if (inCi(System.getenv("CI"))) {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> unavailable("test"))
          .isInstanceOf(AssertionError.class).hasMessageContaining("in CI the npm registry is required");
    } else {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> unavailable("test"))
          .isInstanceOf(org.opentest4j.TestAbortedException.class).hasMessageContaining("skipped outside CI");
    }
  }

  @Test
  void officialSdkParsesEveryReply() throws Exception {
    installSdk();
    FaultRule limited = sim.faults().add(FaultRule.on("GET", "/get-phone-number/*14155550198")
        .tooManyRequests(1).times(1));
    ProcessResult run = run(List.of("node", "retell-conformance.mjs", sim.baseUrl()),
        Map.of("RETELL_API_KEY", API_KEY, "SIP_PASSWORD", SIP_PASSWORD), 60);
    // First: the two assertions after it print the whole output when they fail.
    assertNoSecrets("the conformance script's output", run.output,
        secrets("the Retell API key", API_KEY, "the SIP password", SIP_PASSWORD));
    assertThat(run.exitCode).as("node output:%n%s", run.output).isZero();
    assertThat(run.output).contains("ok import", "ok import-duplicate", "ok update", "ok retrieve", "ok list",
        "ok delete", "ok rate-limit-retry", "ok auth", "CONFORMANCE OK");
    // The 429 really was answered, and the SDK's retry is the second request for that number.
    assertThat(limited.fired()).isEqualTo(1);
    assertThat(sim.requests().count("GET", "/get-phone-number/*14155550198")).isEqualTo(2);
    assertThat(sim.contract().violations()).isEmpty();
    assertThat(sim.contract().replies()).containsEntry("getPhoneNumber 429 (injected)", 1L)
        .containsEntry("getPhoneNumber 422", 1L).containsEntry("deletePhoneNumber 422", 1L)
        .containsEntry("updatePhoneNumber 422", 1L);
    // The SDK's update really landed: the remaining number is in the simulator's state, the deleted one is gone.
    assertThat(sim.number(API_KEY, "+14155550199")).isEmpty();
    assertThat(sim.number(API_KEY, "+14155550198")).isPresent();
    // The update, and the update of the deleted number (422).
    assertThat(sim.requests().count("PATCH", "/update-phone-number/*")).isEqualTo(2);
  }

  /** Copies the script and package.json next to target/ and runs npm install once (kept across builds). */
  private static void installSdk() throws IOException, InterruptedException {
    Files.createDirectories(WORK_DIR);
    for (String file : List.of("package.json", "retell-conformance.mjs")) {
      Files.copy(SOURCES.resolve(file), WORK_DIR.resolve(file), StandardCopyOption.REPLACE_EXISTING);
    }
    Path installed = WORK_DIR.resolve("node_modules/retell-sdk/package.json");
    if (Files.exists(installed) && Files.readString(installed).contains("\"version\": \"5.66.1\"")) {
      return;
    }
    ProcessResult install;
    try {
      install = run(List.of("npm", "install", "--no-audit", "--no-fund", "--no-package-lock"), Map.of(), 300);
    } catch (IOException noNpm) {
      unavailable("npm is not on the PATH (" + noNpm.getMessage() + ")");
      return;
    }
    if (install.exitCode != 0 && REGISTRY_UNREACHABLE.matcher(install.output).find()) {
      unavailable("the npm registry cannot be reached:\n" + install.output);
    }
    assertThat(install.exitCode).as("npm install output:%n%s", install.output).isZero();
    assertThat(installed).exists();
  }

  /** What npm prints when it cannot reach the registry at all (as opposed to a broken package or script). */
  static final Pattern REGISTRY_UNREACHABLE = Pattern.compile(
      "ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|network request to .* failed");

  /**
   * In CI (CI=true) the npm registry and node are part of the contract: the test fails and says why. On a
   * developer's machine without them it is skipped, with a message that shows in the build output.
   */
  static void unavailable(String why) {
    String message = "RetellSdkConformanceTest cannot install retell-sdk: " + why;
    if (inCi(System.getenv("CI"))) {
      throw new AssertionError(message + "\n(in CI the npm registry is required; .ci/run installs node and npm)");
    }
    System.err.println("SKIPPED " + message);
    Assumptions.abort(message + " (skipped outside CI; set CI=true to make this a failure)");
  }

  static boolean inCi(String ciVariable) {
    return ciVariable != null && !ciVariable.isBlank() && !"false".equalsIgnoreCase(ciVariable.trim());
  }

  private static ProcessResult run(List<String> command, Map<String, String> env, int timeoutSeconds)
      throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(command).directory(WORK_DIR.toFile()).redirectErrorStream(true);
    builder.environment().putAll(env);
    Path log = Files.createTempFile("node-run", ".log");
    builder.redirectOutput(log.toFile());
    Process process = builder.start();
    try {
      if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        // The environment holds the secrets the process was given: its output is shown without them.
        throw new AssertionError(command.get(0) + " did not finish within " + timeoutSeconds + " s:\n"
            + redact(Files.readString(log, StandardCharsets.UTF_8), env));
      }
      return new ProcessResult(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(log);
    }
  }

  private record ProcessResult(int exitCode, String output) {
  }
}
