package dev.trunkline.app;

import static dev.trunkline.app.TestCluster.HTTP;
import static dev.trunkline.app.TestCluster.assertStatus;
import static dev.trunkline.app.TestCluster.ms;
import static org.assertj.core.api.Assertions.assertThat;

import com.example.sibling.FixRunnerVerticle;
import com.example.sibling.SiblingMain;
import dev.trunkline.app.TestCluster.Api;
import dev.trunkline.contract.testing.FreePorts;
import dev.trunkline.contract.Json;
import dev.trunkline.contract.ProvisioningMessages.CompletedEvent;
import dev.trunkline.contract.ProvisioningMessages.Failure;
import dev.trunkline.contract.ProvisioningMessages.FlowReply;
import dev.trunkline.contract.ProvisioningMessages.NumberEvent;
import dev.trunkline.contract.ProvisioningMessages.NumberResult;
import dev.trunkline.contract.ProvisioningMessages.Outcome;
import dev.trunkline.contract.ProvisioningMessages.Report;
import dev.trunkline.contract.ServiceException;
import dev.trunkline.contract.testing.SecretAssertions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sibling verticle, shown working (docs/event-bus.md): {@link FixRunnerVerticle}, a verticle that is not part of
 * Trunkline, runs in a JVM of its own whose classpath holds Trunkline's {@code contract} jar (the reactor's), the
 * sibling's classes and third-party jars (Vert.x core, Vert.x Hazelcast, Hazelcast, Jackson, Netty, SLF4J, Logback),
 * nothing else of Trunkline: had it needed any other Trunkline class, that JVM would have failed with a
 * NoClassDefFoundError. It joins the Hazelcast cluster of one Trunkline node running every role (the simulators run
 * in this JVM, as in {@link ClusterIT}), follows a tenant's progress events and runs a fix of the tenant's numbers
 * over the bus: one event per number, one completion, the report; then an unknown tenant and two malformed requests
 * fail with the REST API's 404 and 400. The test asks the sibling over loopback HTTP ({@code POST /fix}) and reads
 * what it saw. Figures are printed with the prefix {@code [sibling-it]}.
 */
class SiblingIT {
  private static final int NUMBERS = 25;
  /** Where the sibling's classes are copied from: its package, and nothing else of this module's test classes. */
  private static final String SIBLING_PACKAGE = "com/example/sibling";
  /**
   * The third-party jars the sibling may use, by their path in the local Maven repository: what the contract
   * depends on (Vert.x core, Jackson, SLF4J) and what a clustered Vert.x needs (Vert.x Hazelcast, Hazelcast, Netty),
   * and a logging backend.
   */
  private static final Pattern THIRD_PARTY = Pattern.compile(
      "/(io/vertx/vertx-(core|core-logging|hazelcast)|com/hazelcast|io/netty|com/fasterxml/jackson|org/slf4j"
          + "|ch/qos/logback)/");
  private static final Pattern LISTENING = Pattern.compile("fix runner listening on http://127\\.0\\.0\\.1:(\\d+)");

  @TempDir
  static Path work;

  private static TestCluster cluster;

  @BeforeAll
  static void simulators() throws Exception {
    cluster = TestCluster.start(work, 2);
  }

  @AfterAll
  static void stopAll() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void siblingClassesNameNoTrunklineClassOutsideTheContract() throws Exception {
    Path classes = siblingClasses();
    List<Path> classFiles;
    try (Stream<Path> files = Files.walk(classes)) {
      classFiles = files.filter(f -> f.toString().endsWith(".class")).sorted().toList();
    }
    assertThat(classFiles).as("the sibling's class files").hasSizeGreaterThanOrEqualTo(2);
    Set<String> contractTypes = new TreeSet<>();
    for (Path file : classFiles) {
      // A class file names every class it uses in its constant pool, as modified UTF-8: ASCII for these names.
      String pool = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
      Matcher named = Pattern.compile("dev[/.]trunkline[/.]([A-Za-z0-9_$/.]+)").matcher(pool);
      while (named.find()) {
        assertThat(named.group(1)).as("%s names a Trunkline class outside the contract", classes.relativize(file))
            .startsWith("contract");
        contractTypes.add(named.group(1));
      }
    }
    // The scan sees the references it guards: the sibling does use the contract.
    assertThat(contractTypes).contains("contract/ProvisioningClient", "contract/ProvisioningMessages$Fix");
  }

  @Test
  void aSiblingInAnotherJvmRunsAFixOverTheBusAndGetsClearFailures() throws Throwable {
    try {
      scenario();
    } catch (Throwable t) {
      throw cluster.withTails(t);
    }
  }

  private void scenario() throws Exception {
    // ---- Trunkline: one node with every role, a tenant with broken numbers -------------------------------
    int httpPort = FreePorts.pick();
    long t0 = System.nanoTime();
    ClusterNode trunkline = cluster.node("trunkline", "gateway,provisioning,twilio,retell,store",
        cluster.hazelcastPorts[0], Map.of("http.port", httpPort));
    cluster.awaitReady(httpPort, 1, Duration.ofSeconds(90), trunkline);
    report("Trunkline node ready after %d ms", ms(t0));
    Api api = cluster.api(httpPort);
    cluster.connect(api);
    HttpResponse<String> setup = api.send("POST", "/twilio/setup", new JsonObject(), null);
    assertStatus(setup, 201);
    JsonObject trunk = new JsonObject(setup.body()).getJsonObject("data");
    String username = trunk.getString("username");
    String terminationUri = trunk.getString("terminationUri");
    // From the Twilio simulator's inventory (+1 AAA 555 01NN).
    List<String> numbers = IntStream.range(0, NUMBERS).mapToObj(i -> String.format("+141555501%02d", i)).toList();
    cluster.purchaseAll(api, numbers);
    cluster.breakAll(numbers);

    // ---- the sibling: its own JVM, the contract jar and third-party jars only ------------------------------
    List<Path> classpath = siblingClasspath();
    long siblingStart = System.nanoTime();
    ClusterNode sibling = startSibling(classpath, cluster.hazelcastPorts[1]);
    assertThat(sibling.awaitOutput("sibling is up", Duration.ofSeconds(90)))
        .as("the sibling came up (%s); output:%n%s", sibling.state(), cluster.shown(sibling.output())).isTrue();
    cluster.awaitReady(httpPort, 2, Duration.ofSeconds(60), trunkline);
    report("sibling joined the cluster %d ms after its start, with %d classpath entries: %s", ms(siblingStart),
        classpath.size(), classpath.stream().map(p -> p.getFileName().toString()).collect(Collectors.joining(" ")));
    Matcher listening = LISTENING.matcher(sibling.output());
    assertThat(listening.find()).isTrue();
    URI fixRunner = URI.create("http://127.0.0.1:" + listening.group(1) + "/fix");

    // ---- a fix of every number, run by the sibling -----------------------------------------------------------
    String requestId = "sibling-fix-1";
    JsonObject seen = ask(fixRunner, new JsonObject().put("subaccountId", cluster.tenant).put("requestId", requestId));
    assertNoSecrets("what the sibling saw of its fix", seen, numbers.get(0));
    report("fix of %d numbers run by the sibling: %d ms, %d number events", NUMBERS, seen.getLong("elapsedMs"),
        seen.getJsonArray("numberEvents").size());
    assertThat(seen.getJsonObject("failure")).as("the fix failed: %s", seen.getJsonObject("failure")).isNull();

    FlowReply reply = Json.fromJson(seen.getJsonObject("reply"), FlowReply.class);
    assertThat(reply.status()).as("the fix's reply: %s", seen.getJsonObject("reply")).isEqualTo(200);
    assertThat(reply.succeeded()).isTrue();
    assertThat(reply.outcome()).isEqualTo(Outcome.ALL_OK);
    Report fixReport = reply.report();
    assertThat(fixReport.total()).as("the report's total").isEqualTo(NUMBERS);
    assertThat(fixReport.successCount()).as("the report's successCount").isEqualTo(NUMBERS);
    assertThat(fixReport.failCount()).as("the report's failCount").isZero();
    assertThat(fixReport.results()).extracting(NumberResult::phoneNumber).containsExactlyInAnyOrderElementsOf(numbers);

    List<NumberEvent> events = seen.getJsonArray("numberEvents").stream()
        .map(e -> Json.fromJson(e, NumberEvent.class)).toList();
    assertThat(events).as("one event per number").hasSize(NUMBERS);
    assertThat(events).extracting(NumberEvent::index).as("each index of the report once")
        .containsExactlyInAnyOrderElementsOf(IntStream.range(0, NUMBERS).boxed().toList());
    for (NumberEvent event : events) {
      assertThat(event.type()).isEqualTo(NumberEvent.TYPE);
      assertThat(event.requestId()).isEqualTo(requestId);
      assertThat(event.subaccountId()).isEqualTo(cluster.tenant);
      assertThat(event.flow()).isEqualTo("fix");
      assertThat(event.phase()).isEqualTo("fix");
      assertThat(event.result().success()).as("number event %s", event).isTrue();
      // The event is the report's entry at its index.
      assertThat(event.result().phoneNumber()).isEqualTo(fixReport.results().get(event.index()).phoneNumber());
      assertThat(event.result().authUsername()).isEqualTo(username);
    }
    assertThat(seen.getJsonObject("completed")).as("the completion event").isNotNull();
    assertThat(Json.fromJson(seen.getJsonObject("completed"), CompletedEvent.class)).as("the completion event")
        .isEqualTo(new CompletedEvent(CompletedEvent.TYPE, requestId, cluster.tenant, "fix", 200, Outcome.ALL_OK,
            NUMBERS, NUMBERS, 0, null));
    assertThat(seen.getJsonArray("wire")).as("the events as they crossed the bus").hasSize(NUMBERS + 1);

    // Retell has every number right, and Trunkline logged the fix under the sibling's request id.
    cluster.assertAllFixed(numbers, username, terminationUri);
    assertThat(trunkline.linesContaining("request " + requestId + " fix-retell-credentials subaccount "
        + cluster.tenant + ": " + NUMBERS + " of " + NUMBERS + " ok")).isEqualTo(1);

    // ---- a tenant that does not exist: 404, and a completion that says so ------------------------------------
    String unknown = HexFormat.of().formatHex(TestCluster.bytes(12));
    JsonObject notFound = ask(fixRunner, new JsonObject().put("subaccountId", unknown).put("requestId",
        "sibling-unknown"));
    assertNoSecrets("what the sibling saw of the unknown tenant's fix", notFound, numbers.get(0));
    JsonObject failure = notFound.getJsonObject("failure");
    assertThat(failure).as("%s", notFound).isNotNull();
    assertThat(failure.getString("type")).isEqualTo(ServiceException.class.getName());
    assertThat(failure.getInteger("status")).as("%s", failure).isEqualTo(404);
    assertThat(failure.getString("code")).as("%s", failure).isEqualTo("CONNECTOR_NOT_FOUND");
    assertThat(notFound.getJsonArray("numberEvents")).isEmpty();
    assertThat(notFound.getJsonObject("completed")).as("the completion of a request that could not run").isNotNull();
    CompletedEvent notRun = Json.fromJson(notFound.getJsonObject("completed"), CompletedEvent.class);
    assertThat(notRun).as("the completion of a request that could not run").usingRecursiveComparison()
        .ignoringFields("error.message")
        .isEqualTo(new CompletedEvent(CompletedEvent.TYPE, "sibling-unknown", unknown, "fix", 404, Outcome.ALL_FAILED,
            0, 0, 0, new Failure("CONNECTOR_NOT_FOUND", null, null)));
    report("unknown tenant: %d %s in %d ms", failure.getInteger("status"), failure.getString("code"),
        notFound.getLong("elapsedMs"));

    // ---- malformed requests: 400 INVALID_FIELD naming the field, before anything runs ------------------------
    Map<String, JsonObject> malformed = Map.of(
        "subaccountId", new JsonObject().put("subaccountId", "not-a-tenant"),
        "phoneNumber", new JsonObject().put("subaccountId", cluster.tenant).put("phoneNumber", "12"));
    for (Map.Entry<String, JsonObject> bad : malformed.entrySet()) {
      // A malformed request publishes no completion: nothing to wait for once it has failed.
      JsonObject refused = ask(fixRunner, bad.getValue().copy().put("requestId", "sibling-bad-" + bad.getKey())
          .put("completionWaitMs", 0));
      assertNoSecrets("what the sibling saw of a malformed fix", refused, numbers.get(0));
      JsonObject invalid = refused.getJsonObject("failure");
      assertThat(invalid).as("%s", refused).isNotNull();
      assertThat(invalid.getString("type")).isEqualTo(ServiceException.class.getName());
      assertThat(invalid.getInteger("status")).as("%s", invalid).isEqualTo(400);
      assertThat(invalid.getString("code")).as("%s", invalid).isEqualTo("INVALID_FIELD");
      assertThat(invalid.getJsonObject("details").getString("field")).isEqualTo(bad.getKey());
      assertThat(refused.getJsonArray("numberEvents")).isEmpty();
      report("malformed %s: %d %s in %d ms", bad.getKey(), invalid.getInteger("status"), invalid.getString("code"),
          refused.getLong("elapsedMs"));
    }
    // The refused requests changed nothing: Retell still has every number right.
    cluster.assertAllFixed(numbers, username, terminationUri);

    // ---- the sibling needed nothing of Trunkline beyond the contract, and nobody leaked a secret -------------
    assertThat(sibling.alive()).as("the sibling is still running").isTrue();
    cluster.assertNoSecretsInNodeOutput();
    assertThat(sibling.output()).doesNotContain("NoClassDefFoundError").doesNotContain("ClassNotFoundException");
    report("whole scenario: %d ms", ms(t0));
  }

  // ---- the sibling ------------------------------------------------------------------------------------------

  /**
   * {@code java -cp <classpath> com.example.sibling.SiblingMain}, a lite member of the test cluster on
   * {@code hazelcastPort}, with none of Trunkline's environment.
   */
  private static ClusterNode startSibling(List<Path> classpath, int hazelcastPort) throws IOException {
    List<String> arguments = new ArrayList<>(List.of(
        // Hazelcast's recommended JDK access, as the fat jar's manifest grants it to Trunkline's nodes.
        "--add-opens", "java.base/java.lang=ALL-UNNAMED", "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-opens", "java.management/sun.management=ALL-UNNAMED",
        "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED",
        "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED",
        "-Dhazelcast.logging.type=slf4j",
        "-Dsibling.cluster.name=" + cluster.clusterName,
        "-Dsibling.cluster.members=" + cluster.members,
        "-Dsibling.cluster.port=" + hazelcastPort,
        "-cp", classpath.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator)),
        SiblingMain.class.getName()));
    ClusterNode sibling = ClusterNode.launch("sibling", "sibling", hazelcastPort, work, arguments, Map.of());
    cluster.nodes.add(sibling);
    return sibling;
  }

  /**
   * The sibling's classpath: its own classes, the contract jar the reactor built, and the third-party jars of this
   * JVM's classpath that {@link #THIRD_PARTY} names. Checked: no entry but the contract jar holds a Trunkline class.
   */
  private static List<Path> siblingClasspath() throws IOException {
    List<Path> classpath = new ArrayList<>(List.of(siblingClasses(), reactorContractJar()));
    for (String entry : testClasspath()) {
      Path path = Path.of(entry).toAbsolutePath();
      if (THIRD_PARTY.matcher(path.toString().replace(File.separatorChar, '/')).find()) {
        classpath.add(path);
      }
    }
    for (Path entry : classpath.subList(2, classpath.size())) {
      assertThat(trunklineClasses(entry)).as("Trunkline classes in %s", entry).isEmpty();
    }
    assertThat(trunklineClasses(classpath.get(1))).as("the contract jar holds only the contract")
        .isNotEmpty().allMatch(name -> name.startsWith("dev/trunkline/contract/"));
    assertThat(classpath.stream().map(p -> p.getFileName().toString()))
        .anyMatch(n -> n.startsWith("vertx-core-")).anyMatch(n -> n.startsWith("vertx-hazelcast-"))
        .anyMatch(n -> n.startsWith("hazelcast-")).anyMatch(n -> n.startsWith("jackson-databind-"));
    return classpath;
  }

  /** This JVM's classpath: failsafe boots from a manifest-only jar and names the test classpath in a property. */
  private static List<String> testClasspath() {
    String path = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    return List.of(path.split(File.pathSeparator));
  }

  /** The contract jar of this build (contract/target), not whichever snapshot the shared local repository holds. */
  private static Path reactorContractJar() throws IOException {
    Path target = Path.of("..", "contract", "target").toAbsolutePath().normalize();
    try (Stream<Path> files = Files.list(target)) {
      return files.filter(f -> f.getFileName().toString().matches("contract-[0-9][^/]*(?<!-tests|-sources)\\.jar"))
          .findFirst().orElseThrow(() -> new AssertionError("no contract jar in " + target
              + ": build the reactor first (mvn -o install -DskipTests)"));
    } catch (IOException e) {
      throw new IOException("no " + target + ": build the reactor first (mvn -o install -DskipTests)", e);
    }
  }

  /**
   * The sibling's compiled classes (its package of this module's test classes), copied to a directory of their own
   * with the sibling's logging configuration as its {@code logback.xml}.
   */
  private static Path siblingClasses() throws IOException {
    Path testClasses;
    try {
      testClasses = Path.of(FixRunnerVerticle.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
    Path target = work.resolve("sibling-classes");
    if (Files.exists(target)) {
      return target;
    }
    Path source = testClasses.resolve(SIBLING_PACKAGE);
    try (Stream<Path> files = Files.walk(source)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        Path copy = file.getFileName().toString().equals("logback.xml") ? target.resolve("logback.xml")
            : target.resolve(SIBLING_PACKAGE).resolve(source.relativize(file).toString());
        Files.createDirectories(copy.getParent());
        Files.copy(file, copy);
      }
    }
    return target;
  }

  /** The Trunkline class files ({@code dev/trunkline/...}) a classpath entry holds. */
  private static List<String> trunklineClasses(Path entry) throws IOException {
    if (Files.isDirectory(entry)) {
      Path root = entry.resolve("dev").resolve("trunkline");
      if (!Files.exists(root)) {
        return List.of();
      }
      try (Stream<Path> files = Files.walk(root)) {
        return files.filter(Files::isRegularFile).map(f -> entry.relativize(f).toString()
            .replace(File.separatorChar, '/')).toList();
      }
    }
    try (ZipFile jar = new ZipFile(entry.toFile())) {
      return jar.stream().map(e -> e.getName()).filter(n -> n.startsWith("dev/trunkline/") && n.endsWith(".class"))
          .toList();
    }
  }

  /** Asks the sibling to run a fix; its answer is what it saw (FixRunnerVerticle). */
  private static JsonObject ask(URI fixRunner, JsonObject request) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(fixRunner).timeout(Duration.ofSeconds(180))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(request.encode()))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as("the sibling's answer: %s", cluster.shown(r.body())).isEqualTo(200);
    return new JsonObject(r.body());
  }

  // ---- secrets ----------------------------------------------------------------------------------------------

  /**
   * None of the scenario's secrets in what the sibling saw (the events as they crossed the bus included), no field
   * named like a password, and no value that is the tenant's SIP password, which the test never sees: Retell's
   * simulator says whether a value is the one it holds for the number.
   */
  private static void assertNoSecrets(String where, JsonObject seen, String number) {
    SecretAssertions.assertNoSecrets(where, seen.encode(), cluster.secrets());
    List<String> keys = new ArrayList<>();
    List<String> values = new ArrayList<>();
    leaves(seen, "", keys, values);
    assertThat(keys).as("fields of %s", where)
        .noneMatch(k -> k.toLowerCase(Locale.ROOT).contains("password") || k.toLowerCase(Locale.ROOT).contains("apikey")
            || k.toLowerCase(Locale.ROOT).contains("authtoken"));
    long sipPasswords = values.stream().filter(v -> cluster.retell.checkPassword(cluster.retellKey, number, v)).count();
    assertThat(sipPasswords).as("values of %s that are the tenant's SIP password", where).isZero();
  }

  private static void leaves(Object json, String path, List<String> keys, List<String> values) {
    if (json instanceof JsonObject object) {
      object.forEach(e -> {
        keys.add(path + "." + e.getKey());
        leaves(e.getValue(), path + "." + e.getKey(), keys, values);
      });
    } else if (json instanceof JsonArray array) {
      for (int i = 0; i < array.size(); i++) {
        leaves(array.getValue(i), path + "[" + i + "]", keys, values);
      }
    } else if (json instanceof String text) {
      values.add(text);
    }
  }

  private static void report(String format, Object... args) {
    System.out.println("[sibling-it] " + String.format(format, args));
  }
}
