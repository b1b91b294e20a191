package dev.trunkline.app;

import static dev.trunkline.contract.testing.SecretAssertions.assertNoSecrets;
import static dev.trunkline.contract.testing.SecretAssertions.redact;
import static dev.trunkline.contract.testing.SecretAssertions.secrets;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fat jar as a user runs it: {@code java -jar app/target/trunkline.jar} with nothing configured starts the
 * sandbox, is ready within 15 s, prints how to call it, never prints its secrets, and stops on SIGTERM.
 */
class SandboxProcessIT {

  @TempDir
  Path work;

  @Test
  void fatJarStartsTheSandboxAndStopsOnSigterm() throws Exception {
    Path jar = Path.of("target", "trunkline.jar").toAbsolutePath();
    assertThat(jar).exists();
    int port = TestPorts.free();
    Path output = work.resolve("out.log");
    ProcessBuilder pb = new ProcessBuilder(javaBin(), "-jar", jar.toString())
        .directory(work.toFile())
        .redirectErrorStream(true)
        .redirectOutput(output.toFile());
    pb.environment().put("TRUNKLINE_HTTP_PORT", String.valueOf(port));
    pb.environment().put("TRUNKLINE_HTTP_HOST", "127.0.0.1");
    pb.environment().keySet().removeIf(k -> k.startsWith("TWILIO_") || k.startsWith("RETELL_") || k.startsWith("TRUNKLINE_MONGO"));
    long started = System.nanoTime();
    Process process = pb.start();
    try {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
      int status = waitForReady(http, port, process, Duration.ofSeconds(15));
      long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
      // The generated secrets live in the data dir and nowhere in the output. Every assertion that prints the
      // output comes after a scan of it, or shows it with the secrets redacted.
      Map<String, String> secrets = sandboxSecrets();
      assertThat(status).as("ready within 15 s (took %d ms); output:%n%s", elapsedMs,
          redact(read(output), secrets)).isEqualTo(200);

      awaitOutput(output, "export TOKEN=", Duration.ofSeconds(5));
      String banner = read(output);
      assertNoSecrets("the sandbox's output at startup", banner, secrets);
      assertThat(banner).contains("http://localhost:" + port).contains("fix-retell-credentials")
          .contains("SANDBOX");

      process.destroy(); // SIGTERM
      assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("exits after SIGTERM").isTrue();
      String log = read(output);
      assertNoSecrets("the sandbox's output", log, secrets);
      assertThat(log).contains("shutting down");
      assertThat(portAnswers(http, port)).isFalse();
    } finally {
      process.destroyForcibly();
    }
  }

  /** The secrets the sandbox generated, by name; none until it has written them (it does before it listens). */
  private Map<String, String> sandboxSecrets() throws IOException {
    Path file = work.resolve("data").resolve(SandboxSecrets.FILE_NAME);
    if (!Files.exists(file)) {
      return Map.of();
    }
    JsonObject generated = new JsonObject(Files.readString(file));
    String vaultKeys = generated.getString("vaultKeys");
    return secrets("the vault key material", vaultKeys.substring(vaultKeys.indexOf(':') + 1),
        "jwtSecret", generated.getString("jwtSecret"), "serviceToken", generated.getString("serviceToken"));
  }

  private static int waitForReady(HttpClient http, int port, Process process, Duration within) throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    int last = -1;
    while (System.nanoTime() < deadline && process.isAlive()) {
      try {
        last = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready"))
            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        if (last == 200) {
          return last;
        }
      } catch (ConnectException | java.net.http.HttpTimeoutException e) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    return last;
  }

  private static boolean portAnswers(HttpClient http, int port) {
    try {
      http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/live"))
          .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
      return true;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  private static void awaitOutput(Path output, String text, Duration within) throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < deadline && !read(output).contains(text)) {
      Thread.sleep(100);
    }
  }

  private static String read(Path file) throws IOException {
    return Files.exists(file) ? Files.readString(file) : "";
  }

  private static String javaBin() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }
}
