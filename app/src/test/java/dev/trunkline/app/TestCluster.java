package dev.trunkline.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trunkline.contract.testing.Await;
import dev.trunkline.contract.testing.FreePorts;
import dev.trunkline.contract.testing.SecretAssertions;
import dev.trunkline.simulators.RetellSimulator;
import dev.trunkline.simulators.SimulatorOptions;
import dev.trunkline.simulators.TwilioSimulator;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Trunkline as a real cluster, for the integration tests that start one: the Twilio and Retell simulators run in
 * this JVM, the nodes are {@link ClusterNode} processes of the fat jar in production mode, given their secrets as an
 * operator would, joined by Hazelcast over TCP-IP on 127.0.0.1 under a cluster name of their own. One tenant with
 * its Twilio account and Retell key, and its REST API on a gateway node ({@link Api}).
 */
final class TestCluster implements AutoCloseable {
  private static final SecureRandom RANDOM = new SecureRandom();
  static final HttpClient HTTP = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

  final Path work;
  final Vertx vertx;
  final TwilioSimulator twilio;
  final RetellSimulator retell;
  /** One Hazelcast port per member the test will start (Trunkline nodes and any other JVM that joins). */
  final int[] hazelcastPorts;
  /** Every member's {@code 127.0.0.1:<port>}, comma-separated, as each member lists them. */
  final String members;
  final String clusterName = "trunkline-it-" + HexFormat.of().formatHex(bytes(4));
  final List<ClusterNode> nodes = new ArrayList<>();

  final String jwtSecret = secret("jwt");
  final String serviceToken = secret("svc");
  final String vaultKey = Base64.getEncoder().encodeToString(bytes(32));
  final String tenant = HexFormat.of().formatHex(bytes(12));
  final String accountSid = "AC" + HexFormat.of().formatHex(bytes(16));
  final String authToken = secret("twtok");
  final String retellKey = secret("retell");
  private volatile String apiToken;

  private TestCluster(Path work, Vertx vertx, TwilioSimulator twilio, RetellSimulator retell, int memberCount) {
    this.work = work;
    this.vertx = vertx;
    this.twilio = twilio;
    this.retell = retell;
    this.hazelcastPorts = IntStream.range(0, memberCount).map(i -> FreePorts.pick()).toArray();
    this.members = IntStream.of(hazelcastPorts).mapToObj(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
  }

  /** Starts the simulators; no node yet. */
  static TestCluster start(Path work, int memberCount) throws Exception {
    Vertx vertx = Vertx.vertx();
    SimulatorOptions loopback = new SimulatorOptions().host("127.0.0.1").port(0);
    TwilioSimulator twilio = TwilioSimulator.start(vertx, loopback).toCompletionStage().toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
    RetellSimulator retell = RetellSimulator.start(vertx, loopback).toCompletionStage().toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
    return new TestCluster(work, vertx, twilio, retell, memberCount);
  }

  /**
   * Starts a Trunkline node on {@code hazelcastPort} with the test's settings for a loaded 2-core machine, plus
   * {@code extra} ({@code -Dtrunkline.<key>=<value>}, winning over the defaults here).
   */
  ClusterNode node(String name, String roles, int hazelcastPort, Map<String, Object> extra) throws Exception {
    return node(name, roles, hazelcastPort, extra, Map.of());
  }

  /** {@link #node(String, String, int, Map)} with {@code extraEnv} on top of the operator's environment here. */
  ClusterNode node(String name, String roles, int hazelcastPort, Map<String, Object> extra,
      Map<String, String> extraEnv) throws Exception {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("TRUNKLINE_MODE", "production");
    env.put("TRUNKLINE_CLUSTER_MEMBERS", members);
    env.put("TRUNKLINE_KEYS", "k1:" + vaultKey);
    env.put("TRUNKLINE_JWT_SECRET", jwtSecret);
    env.put("TRUNKLINE_SERVICE_TOKEN", serviceToken);
    env.put("TWILIO_API_BASE_URL", twilio.baseUrl());
    env.put("TWILIO_TRUNKING_BASE_URL", twilio.baseUrl());
    env.put("RETELL_BASE_URL", retell.baseUrl());
    env.put("TRUNKLINE_LOG_FORMAT", name.equals("a") ? "json" : "text");
    env.put("TRUNKLINE_HTTP_HOST", "127.0.0.1");
    env.putAll(extraEnv);
    Map<String, Object> settings = new LinkedHashMap<>();
    settings.put("cluster.name", clusterName);
    // Generous for a loaded 2-core machine: a node paused by GC for a few seconds is not declared dead.
    settings.put("cluster.heartbeatSeconds", 1);
    settings.put("cluster.maxNoHeartbeatSeconds", 15);
    settings.put("http.instances", 1);
    // Several nodes without the gateway role share this machine: each serves its probes on a port of its own.
    settings.put("health.port", 0);
    settings.put("retell.instances", 1);
    settings.put("retell.requestTimeoutMs", 3_000);
    settings.put("retell.maxRetries", 1);
    settings.put("retell.rateLimitPerSecond", 2_000);
    settings.put("retell.rateLimitBurst", 2_000);
    settings.put("twilio.requestTimeoutMs", 5_000);
    settings.put("gateway.rateLimit.requestsPerMinute", 100_000);
    settings.putAll(extra);
    ClusterNode node = ClusterNode.start(name, roles, hazelcastPort, work, env, settings);
    nodes.add(node);
    return node;
  }

  /** The tenant's REST API on the gateway listening on {@code port}, with a JWT for the tenant. */
  Api api(int port) {
    apiToken = DevTokens.mint(vertx, jwtSecret, "cluster-it", new JsonArray().add(tenant), 30);
    return new Api(port, tenant, apiToken);
  }

  /** Connects the tenant's Twilio account and Retell key (each verified upstream, then stored encrypted). */
  void connect(Api api) throws Exception {
    assertStatus(api.send("PUT", "/twilio", new JsonObject().put("accountSid", accountSid)
        .put("authToken", authToken), null), 200);
    assertStatus(api.send("PUT", "/retell", new JsonObject().put("apiKey", retellKey), null), 200);
  }

  /** Buys every number through the gateway, 16 at a time, each with its own Idempotency-Key; all must be 201. */
  void purchaseAll(Api api, List<String> numbers) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      List<Future<HttpResponse<String>>> buys = new ArrayList<>();
      for (String number : numbers) {
        buys.add(pool.submit(() -> api.send("POST", "/twilio/phoneNumbers/purchase",
            new JsonObject().put("phoneNumber", number), Map.of("Idempotency-Key", "buy-" + number.substring(1)))));
      }
      for (Future<HttpResponse<String>> buy : buys) {
        assertStatus(buy.get(120, TimeUnit.SECONDS), 201);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** Polls readiness until it is 200 with exactly {@code members} cluster members. */
  JsonObject awaitReady(int port, int members, Duration within, ClusterNode gateway) throws Exception {
    String[] last = {""};
    try {
      return Await.value("the gateway ready with " + members + " members", within, Duration.ofMillis(250), () -> {
        if (!gateway.alive()) {
          throw new AssertionError("the gateway's node died");
        }
        try {
          HttpResponse<String> r = get("http://127.0.0.1:" + port + "/health/ready");
          last[0] = r.statusCode() + " " + r.body();
          if (r.statusCode() == 200) {
            JsonObject body = new JsonObject(r.body());
            JsonObject cluster = body.getJsonObject("checks").getJsonObject("cluster");
            if (cluster != null && cluster.getInteger("members") == members) {
              return body;
            }
          }
        } catch (java.io.IOException e) {
          last[0] = e.toString(); // not listening yet
        }
        return null;
      }, ready -> true);
    } catch (AssertionError notReady) {
      throw new AssertionError(nodeTails() + "\n---- gateway not ready with " + members + " members within "
          + within + "; last answer: " + last[0] + " (" + notReady.getMessage() + ")");
    }
  }

  /**
   * Each node's state and recent lines, redacted: what a failure message shows (CI shows only its end). Every node's
   * whole output is kept too, redacted, under {@code target/cluster-logs/}: the work directory is deleted with the
   * test, and a failure in a cluster is usually explained far from its last lines.
   */
  String nodeTails() throws Exception {
    StringBuilder outputs = new StringBuilder();
    outputs.append("\n---- every node's whole output: ").append(keepLogs());
    for (ClusterNode node : nodes) {
      outputs.append("\n---- node ").append(node.name).append(" (").append(node.state()).append(", ")
          .append(node.log.getFileName()).append("), last lines:\n").append(shown(node.tail(60)));
    }
    return outputs.toString();
  }

  /**
   * A test's failure with every process's recent output (redacted) in front of its verdict, CI showing only the end;
   * as it is when it shows them already ({@link #awaitReady}).
   */
  AssertionError withTails(Throwable failure) {
    String message = String.valueOf(failure.getMessage());
    if (failure instanceof AssertionError error && message.contains("\n---- node ")) {
      return error;
    }
    String tails;
    try {
      tails = nodeTails();
    } catch (Exception e) {
      tails = "\n(the processes' output could not be read: " + e + ")";
    }
    return new AssertionError(tails + "\n---- " + shown(failure.toString()), failure);
  }

  // ---- secrets ------------------------------------------------------------------------------------------

  /** Copies every node's output, redacted, to a directory of its own under target/cluster-logs; returns it. */
  private Path keepLogs() throws IOException {
    Path kept = Path.of("target", "cluster-logs", work.getFileName() + "-" + System.currentTimeMillis())
        .toAbsolutePath();
    Files.createDirectories(kept);
    for (ClusterNode node : nodes) {
      Files.writeString(kept.resolve(node.name + "-" + node.log.getFileName()), shown(node.output()));
    }
    return kept;
  }

  /** Every secret of the scenario by name (the tenant's JWT once it is minted). */
  Map<String, String> secrets() {
    List<String> pairs = new ArrayList<>(List.of("the Twilio auth token", authToken, "the Retell key", retellKey,
        "TRUNKLINE_JWT_SECRET", jwtSecret, "TRUNKLINE_SERVICE_TOKEN", serviceToken,
        "the vault key (TRUNKLINE_KEYS)", vaultKey));
    if (apiToken != null) {
      pairs.addAll(List.of("the tenant's JWT", apiToken));
    }
    return SecretAssertions.secrets(pairs.toArray(String[]::new));
  }

  /** Output fit for a failure message: a leak the last check would catch is not printed meanwhile. */
  String shown(String output) {
    return SecretAssertions.redact(output, secrets());
  }

  /** No secret of the scenario in any node's output. */
  void assertNoSecretsInNodeOutput() throws Exception {
    Map<String, String> secrets = secrets();
    for (ClusterNode node : nodes) {
      SecretAssertions.assertNoSecrets("output of node " + node.name + " (" + node.log.getFileName() + ")",
          node.output(), secrets);
    }
  }

  // ---- Retell state --------------------------------------------------------------------------------------

  /** The origin incident, on every number: auth_username emptied in Retell (through Retell's own API). */
  void breakAll(List<String> numbers) throws Exception {
    List<CompletableFuture<HttpResponse<String>>> patches = new ArrayList<>();
    for (String number : numbers) {
      patches.add(HTTP.sendAsync(HttpRequest.newBuilder(URI.create(retell.baseUrl() + "/update-phone-number/"
              + number.replace("+", "%2B")))
          .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + retellKey)
          .header("Content-Type", "application/json")
          .method("PATCH", HttpRequest.BodyPublishers.ofString(new JsonObject().put("auth_username", "").encode()))
          .build(), HttpResponse.BodyHandlers.ofString()));
    }
    for (CompletableFuture<HttpResponse<String>> patch : patches) {
      HttpResponse<String> r = patch.get(60, TimeUnit.SECONDS);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }
    numbers.forEach(n -> assertThat(retell.number(retellKey, n).orElseThrow()
        .getJsonObject("sip_outbound_trunk_config").getString("auth_username")).isEmpty());
  }

  void assertAllFixed(List<String> numbers, String username, String terminationUri) {
    numbers.forEach(n -> assertFixed(n, username, terminationUri));
  }

  void assertFixed(String number, String username, String terminationUri) {
    JsonObject sip = retell.number(retellKey, number).orElseThrow().getJsonObject("sip_outbound_trunk_config");
    assertThat(sip.getString("auth_username")).as("%s in Retell", number).isEqualTo(username);
    assertThat(sip.getString("termination_uri")).as("%s in Retell", number).isEqualTo(terminationUri);
  }

  @Override
  public void close() throws Exception {
    for (ClusterNode node : nodes) {
      node.close();
    }
    vertx.close().toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS);
  }

  // ---- HTTP -------------------------------------------------------------------------------------------

  /** A tenant's API on a gateway node. */
  record Api(int port, String tenant, String token) {
    HttpRequest request(String method, String rest, JsonObject body, Map<String, String> headers) {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/connectors/"
              + tenant + rest))
          .timeout(Duration.ofSeconds(120))
          .header("Authorization", "Bearer " + token)
          .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
              : HttpRequest.BodyPublishers.ofString(body.encode()));
      if (body != null) {
        b.header("Content-Type", "application/json");
      }
      if (headers != null) {
        headers.forEach(b::header);
      }
      return b.build();
    }

    HttpResponse<String> send(String method, String rest, JsonObject body, Map<String, String> headers)
        throws Exception {
      return HTTP.send(request(method, rest, body, headers), HttpResponse.BodyHandlers.ofString());
    }

    CompletableFuture<HttpResponse<String>> sendAsync(String method, String rest, JsonObject body,
        Map<String, String> headers) {
      return HTTP.sendAsync(request(method, rest, body, headers), HttpResponse.BodyHandlers.ofString());
    }
  }

  static HttpResponse<String> get(String url) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static void assertStatus(HttpResponse<String> r, int status) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
  }

  // ---- little things ------------------------------------------------------------------------------------

  static long ms(long sinceNanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sinceNanos);
  }

  static byte[] bytes(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }

  private static String secret(String prefix) {
    return prefix + "-" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes(24));
  }
}
