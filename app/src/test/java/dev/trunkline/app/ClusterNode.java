package dev.trunkline.app;

import dev.trunkline.contract.testing.Await;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One JVM of a test cluster with its own directory, Hazelcast port and output file: a Trunkline node
 * ({@code java -jar app/target/trunkline.jar --cluster --roles ...}), or another program that joins the cluster.
 */
final class ClusterNode implements AutoCloseable {
  final String name;
  final String roles;
  final int hazelcastPort;
  final Path dir;
  final Path log;
  private final Process process;

  private ClusterNode(String name, String roles, int hazelcastPort, Path dir, Path log, Process process) {
    this.name = name;
    this.roles = roles;
    this.hazelcastPort = hazelcastPort;
    this.dir = dir;
    this.log = log;
    this.process = process;
  }

  /**
   * @param env environment for the node (secrets, upstream URLs, members...), on top of a cleaned environment
   * @param settings configuration as {@code -Dtrunkline.<key>=<value>} system properties
   */
  static ClusterNode start(String name, String roles, int hazelcastPort, Path work, Map<String, String> env,
      Map<String, Object> settings) throws IOException {
    List<String> options = new ArrayList<>(List.of("-Dtrunkline.cluster.port=" + hazelcastPort));
    settings.forEach((key, value) -> options.add("-Dtrunkline." + key + "=" + value));
    options.addAll(List.of("-jar", jar().toString(), "--cluster", "--roles", roles));
    Map<String, String> nodeEnv = new LinkedHashMap<>(env);
    nodeEnv.put("TRUNKLINE_DATA_DIR", work.resolve(name).resolve("data").toString());
    return launch(name, roles, hazelcastPort, work, options, nodeEnv);
  }

  /**
   * Any JVM of the test cluster, Trunkline's or not: {@code java <small-JVM flags> <arguments>} in its own directory
   * under {@code work}, with {@code env} on top of an environment cleaned of Trunkline's, Twilio's and Retell's
   * variables, and its output (stdout and stderr) in a file of that directory.
   *
   * @param what what the JVM runs, for failure messages (a Trunkline node's roles)
   */
  static ClusterNode launch(String name, String what, int hazelcastPort, Path work, List<String> arguments,
      Map<String, String> env) throws IOException {
    Path dir = Files.createDirectories(work.resolve(name));
    // A restarted node keeps its directory (its data) and gets a fresh output file.
    Path log = dir.resolve("out.log");
    for (int i = 2; Files.exists(log); i++) {
      log = dir.resolve("out-" + i + ".log");
    }
    List<String> command = new ArrayList<>(List.of(javaBin(),
        // Small and quick to start: three of these share a 2-core machine with the test.
        "-Xmx192m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k"));
    command.addAll(arguments);
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("TWILIO_") || k.startsWith("RETELL_")
        || k.startsWith("TRUNKLINE_"));
    pb.environment().putAll(env);
    return new ClusterNode(name, what, hazelcastPort, dir, log, pb.start());
  }

  static Path jar() {
    return Path.of("target", "trunkline.jar").toAbsolutePath();
  }

  /** Waits until the output contains {@code text}; false when the node died or the time ran out. */
  boolean awaitOutput(String text, Duration within) throws IOException {
    try {
      Await.until(name + " to print " + text, within, Duration.ofMillis(100),
          () -> output().contains(text) || !process.isAlive());
    } catch (AssertionError timedOut) {
      return false;
    }
    return output().contains(text);
  }

  String output() throws IOException {
    return Files.exists(log) ? Files.readString(log) : "";
  }

  /**
   * The last {@code count} output lines, leaving out the gateway's access lines (readiness polls would push
   * everything else out of a failure message).
   */
  String tail(int count) throws IOException {
    List<String> lines = output().lines().filter(l -> !l.contains("gateway.access")).toList();
    return String.join("\n", lines.subList(Math.max(0, lines.size() - count), lines.size()));
  }

  /** How many output lines contain {@code text}. */
  long linesContaining(String text) throws IOException {
    return output().lines().filter(l -> l.contains(text)).count();
  }

  boolean alive() {
    return process.isAlive();
  }

  /** "running", or how the process ended (for failure messages). */
  String state() {
    return process.isAlive() ? "running" : "exited with " + process.exitValue();
  }

  /** {@code kill -9}: no shutdown hook, no goodbye to the cluster. */
  void killHard() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  /**
   * {@code kill -TERM}, as an orchestrator stops a node: its shutdown hook drains and leaves the cluster.
   *
   * @return the exit code, or -1 when it had to be killed after {@code within}
   */
  int stop(Duration within) throws InterruptedException {
    process.destroy();
    if (process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
      return process.exitValue();
    }
    killHard();
    return -1;
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        killHard();
      }
    }
  }

  private static String javaBin() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }
}
