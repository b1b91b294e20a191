package dev.trunkline.app;

import static dev.trunkline.contract.testing.SecretAssertions.assertNoSecrets;
import static dev.trunkline.contract.testing.SecretAssertions.redact;
import static dev.trunkline.contract.testing.SecretAssertions.secrets;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trunkline.contract.testing.Await;
import dev.trunkline.contract.testing.FreePorts;
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
 * sandbox, is ready within 15 s, prints how to call it, never prints its secrets, and stops on SIGTERM after
 * answering the request it was serving.
 */
class SandboxProcessIT {

  @TempDir
  Path work;

  @Test
  void fatJarStartsTheSandboxAndStopsOnSigterm() throws Exception {
    Path jar = Path.of("target", "trunkline.jar").toAbsolutePath();
    assertThat(jar).exists();
    // Picked before the process starts (it is the process's setting), below the ephemeral range.
    int port = FreePorts.pick();
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
      // HTTP/1.1: when a server starts a graceful HTTP/2 shutdown (GOAWAY), the JDK 17 client fails every open
      // stream with "GOAWAY received", even those the server still answers; later JDKs let them finish.
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2)).build();
      int status = waitForReady(http, port, process, Duration.ofSeconds(15));
      long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
      // The generated secrets live in the data dir and nowhere in the output. Every assertion that prints the
      // output comes after a scan of it, or shows it with the secrets redacted.
      Map<String, String> secrets = sandboxSecrets();
      assertThat(status).as("ready within 15 s (took %d ms); output:%n%s", elapsedMs,
          redact(read(output), secrets)).isEqualTo(200);

      Await.until("the banner's token line", Duration.ofSeconds(5), () -> read(output).contains("export TOKEN="));
      String banner = read(output);
      assertNoSecrets("the sandbox's output at startup", banner, secrets);
      assertThat(banner).contains("http://localhost:" + port).contains("fix-retell-credentials")
          .contains("SANDBOX");

      // A request in flight when SIGTERM arrives still gets its answer: Retell (the sandbox's simulator) is
      // slowed down so that PUT /retell is waiting on it when the signal comes.
      String retellSim = find(banner, "Retell at (http://\\S+?) ");
      String token = find(banner, "export TOKEN=(\\S+)");
      String apiKey = "key_sigterm_" + Long.toHexString(System.nanoTime());
      secrets = new java.util.LinkedHashMap<>(secrets);
      secrets.put("the Retell API key of the in-flight request", apiKey);
      HttpResponse<String> fault = http.send(HttpRequest.newBuilder(URI.create(retellSim + "/__admin/faults"))
          .timeout(Duration.ofSeconds(5)).POST(HttpRequest.BodyPublishers.ofString(
              "{\"method\":\"GET\",\"path\":\"/v2/list-phone-numbers\",\"kind\":\"LATENCY\",\"latencyMs\":2000}"))
          .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
      assertThat(fault.statusCode()).isEqualTo(201);
      java.util.concurrent.CompletableFuture<HttpResponse<String>> inFlight = http.sendAsync(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + port + "/api/connectors/" + Banner.DEMO_TENANT + "/retell"))
          .timeout(Duration.ofSeconds(20)).header("Authorization", "Bearer " + token)
          .header("Content-Type", "application/json")
          .PUT(HttpRequest.BodyPublishers.ofString("{\"apiKey\":\"" + apiKey + "\"}")).build(),
          HttpResponse.BodyHandlers.ofString());
      awaitRetellCall(http, retellSim, Duration.ofSeconds(10));

      process.destroy(); // SIGTERM
      HttpResponse<String> answered = inFlight.get(20, TimeUnit.SECONDS);
      assertThat(answered.statusCode()).as("the in-flight request's answer: %s", answered.body()).isEqualTo(200);
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

  /** The last status of /health/ready: 200 once ready, else what it was when the time ran out or the process died. */
  private static int waitForReady(HttpClient http, int port, Process process, Duration within) {
    int[] last = {-1};
    try {
      Await.value("the sandbox to be ready", within, Duration.ofMillis(200), () -> {
        if (!process.isAlive()) {
          return Boolean.FALSE; // the caller's assertion shows the output
        }
        try {
          last[0] = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready"))
              .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (ConnectException | java.net.http.HttpTimeoutException e) {
          // not listening yet
        }
        return last[0] == 200 ? Boolean.TRUE : null;
      }, answer -> true);
    } catch (AssertionError timedOut) {
      // The caller's assertion shows the last status and the output.
    }
    return last[0];
  }

  private static String find(String text, String regex) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile(regex).matcher(text);
    assertThat(m.find()).as("the banner shows %s", regex).isTrue();
    return m.group(1);
  }

  /** Waits until the Retell simulator has received the gateway's call (admin requests are not counted). */
  private static void awaitRetellCall(HttpClient http, String retellSim, Duration within) {
    Await.until("the gateway's call to reach Retell", within, () -> new JsonObject(http.send(
        HttpRequest.newBuilder(URI.create(retellSim + "/__admin/requests")).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString()).body()).getLong("total", 0L) > 0);
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

  private static String read(Path file) throws IOException {
    return Files.exists(file) ? Files.readString(file) : "";
  }

  private static String javaBin() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }
}
