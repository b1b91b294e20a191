package dev.trunkline.app;

import static dev.trunkline.app.TestCluster.assertStatus;
import static dev.trunkline.app.TestCluster.ms;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trunkline.app.ApiLoad.Call;
import dev.trunkline.app.TestCluster.Api;
import dev.trunkline.contract.testing.Await;
import dev.trunkline.contract.testing.FreePorts;
import dev.trunkline.simulators.FaultRule;
import dev.trunkline.twilio.TenantLock;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.MongoClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Trunkline with no single point of failure, as docs/deployment.md lays it out: every role on two JVMs and the data
 * in a database of its own. The database is the launcher's {@code store-server} (the embedded engine as a process,
 * its URI given to the store nodes as {@code TRUNKLINE_MONGO_URI}); nodes A and B run gateway and provisioning,
 * nodes C and D store, Twilio and Retell. A client ({@link ApiLoad}) buys, lists and fixes through both gateways
 * as a load balancer spreads it.
 *
 * <p>The story: a purchase is held at Twilio and the Twilio node running it, holding the tenant's lock, is killed:
 * the purchase completes on the other within seconds, bought once. With the load running, store node D is killed
 * with {@code kill -9}: requests go on through C, and those that fail were in flight at the kill. D comes back;
 * then every node is restarted in turn (SIGTERM, start again, wait until ready) under the same load. In the end every purchase that answered 201 has its number in the
 * store, on the trunk and in Retell exactly once. Figures are printed with the prefix {@code [nospof-it]}.
 */
class NoSinglePointIT {
  private static final String GATEWAY = "gateway,provisioning";
  private static final String SERVICES = "store,twilio,retell";
  private static final int BUS_TIMEOUT_MS = 10_000;
  /** Requests of the load between events: enough to see the cluster serve before and after each. */
  private static final int CALLS_BETWEEN_EVENTS = 30;

  @TempDir
  static Path work;

  private static TestCluster cluster;
  private static ClusterNode storeServer;
  private static String mongoUri;
  private static final Map<String, ClusterNode> nodes = new LinkedHashMap<>();
  private static final Map<String, Integer> httpPorts = new LinkedHashMap<>();
  private static final Map<String, Integer> hazelcastPorts = new LinkedHashMap<>();

  @BeforeAll
  static void simulators() throws Exception {
    cluster = TestCluster.start(work, 4);
  }

  @AfterAll
  static void stopAll() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
    if (storeServer != null) {
      storeServer.close();
    }
  }

  @Test
  void aStoreNodeDeathAndARollingRestartUnderLoadLoseAndDoubleNothing() throws Exception {
    try {
      scenario();
    } catch (Throwable failure) {
      throw cluster.withTails(failure);
    }
  }

  private void scenario() throws Exception {
    long t0 = System.nanoTime();
    // ---- the database: the store-server process -------------------------------------------------------
    int storePort = FreePorts.pick();
    storeServer = ClusterNode.launch("store-server", "store-server", 0, work, List.of("-jar",
        ClusterNode.jar().toString(), "store-server", "--port", String.valueOf(storePort), "--data-dir",
        work.resolve("store-server").resolve("data").toString()), Map.of());
    assertThat(storeServer.awaitOutput("TRUNKLINE_MONGO_URI=", Duration.ofSeconds(60)))
        .as("the store-server up; output:%n%s", storeServer.output()).isTrue();
    mongoUri = storeServer.output().lines().filter(l -> l.startsWith("TRUNKLINE_MONGO_URI="))
        .map(l -> l.substring("TRUNKLINE_MONGO_URI=".length())).findFirst().orElseThrow();
    assertThat(mongoUri).isEqualTo("mongodb://127.0.0.1:" + storePort);

    // ---- four nodes: every role twice -----------------------------------------------------------------
    int[] hz = cluster.hazelcastPorts;
    hazelcastPorts.putAll(Map.of("c", hz[0], "d", hz[1], "a", hz[2], "b", hz[3]));
    httpPorts.putAll(Map.of("a", FreePorts.pick(), "b", FreePorts.pick()));
    start("c");
    awaitUp("c");
    start("d");
    start("a");
    start("b");
    cluster.awaitReady(httpPorts.get("a"), 4, Duration.ofSeconds(120), nodes.get("a"));
    cluster.awaitReady(httpPorts.get("b"), 4, Duration.ofSeconds(120), nodes.get("b"));
    awaitUp("d");
    report("store-server and 4 nodes ready after %d ms", ms(t0));

    Api a = cluster.api(httpPorts.get("a"));
    Api b = new Api(httpPorts.get("b"), a.tenant(), a.token());
    cluster.connect(a);
    HttpResponse<String> setup = a.send("POST", "/twilio/setup", new JsonObject(), null);
    assertThat(setup.statusCode()).as(setup.body()).isIn(200, 201);
    String trunkSid = new JsonObject(setup.body()).getJsonObject("data").getString("trunkSid");
    cluster.purchaseAll(b, List.of("+12125550100", "+12125550101", "+12125550102", "+12125550103"));

    // ---- a purchase whose Twilio node dies holding the tenant's lock --------------------------------------
    // Twilio holds the purchase's buy; the Twilio node running it (holding the tenant's lock, lease 30 s by default)
    // is killed: the purchase is resent to the survivor, which releases the dead node's lock at its departure
    // instead of waiting out the lease, then finds the number on the trunk and answers 201. A retry with the same
    // Idempotency-Key gets the same number, bought once.
    String heldNumber = "+12125550150";
    Map<String, String> heldKey = Map.of("Idempotency-Key", "held-" + heldNumber.substring(1));
    FaultRule hold = cluster.twilio.faults().add(FaultRule.on("POST", "/2010-04-01/Accounts/*/IncomingPhoneNumbers.json")
        .hold(60_000));
    var held = a.sendAsync("POST", "/twilio/phoneNumbers/purchase", new JsonObject().put("phoneNumber", heldNumber),
        heldKey);
    hold.whenHeld(1).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    String lockHolder = lockHolder(a.tenant());
    String victim = List.of("c", "d").stream().filter(n -> nodeId(n).equals(lockHolder)).findFirst()
        .orElseThrow(() -> new AssertionError("no Twilio node holds the tenant's lock; its owner: " + lockHolder));
    long twilioKilledAt = System.nanoTime();
    nodes.get(victim).killHard();
    hold.release();
    HttpResponse<String> heldAnswer = held.get(120, TimeUnit.SECONDS);
    long heldMs = ms(twilioKilledAt);
    cluster.twilio.faults().clear();
    report("purchase with its buy in flight when Twilio node %s, holding the tenant's lock, was killed: HTTP %d "
        + "after %d ms", victim.toUpperCase(), heldAnswer.statusCode(), heldMs);
    assertStatus(heldAnswer, 201);
    assertThat(heldMs).as("answered within seconds of the kill: the dead node's lock released at its departure, "
        + "not after its %d ms lease", 30_000).isLessThan(8_000);
    HttpResponse<String> retried = b.send("POST", "/twilio/phoneNumbers/purchase",
        new JsonObject().put("phoneNumber", heldNumber), heldKey);
    assertStatus(retried, 201);
    assertThat(retried.headers().firstValue("Idempotent-Replayed")).as("the retry replays the first answer")
        .contains("true");
    assertThat(new JsonObject(retried.body()).getJsonObject("data").getString("twilioSid"))
        .isEqualTo(new JsonObject(heldAnswer.body()).getJsonObject("data").getString("twilioSid"));
    assertThat(cluster.twilio.incomingNumbers(cluster.accountSid).stream()
        .filter(n -> heldNumber.equals(n.getString("phone_number")))).as("bought once").hasSize(1);
    start(victim);
    awaitUp(victim);
    cluster.awaitReady(httpPorts.get("a"), 4, Duration.ofSeconds(120), nodes.get("a"));

    try (ApiLoad load = new ApiLoad(List.of(a, b), 701).start()) {
      awaitCalls(load, CALLS_BETWEEN_EVENTS);

      // ---- kill -9 a store node under load ------------------------------------------------------------
      long killedAt = System.nanoTime();
      nodes.get("d").killHard();
      cluster.awaitReady(httpPorts.get("a"), 3, Duration.ofSeconds(60), nodes.get("a"));
      long detectedMs = ms(killedAt);
      awaitCalls(load, load.size() + CALLS_BETWEEN_EVENTS);
      long restartAt = System.nanoTime();
      start("d");
      awaitUp("d");
      cluster.awaitReady(httpPorts.get("a"), 4, Duration.ofSeconds(120), nodes.get("a"));
      // Everything sent while D was dead, whenever it was answered: those sent before the restart.
      awaitAnswered(load, restartAt);
      List<Call> whileDead = load.calls(c -> c.answeredAt() > killedAt && c.sentAt() < restartAt);
      List<Call> failed = whileDead.stream().filter(Call::failed).toList();
      List<Call> inFlight = whileDead.stream().filter(c -> c.inFlightAt(killedAt)).toList();
      report("store node D killed under load: %d requests answered from the kill until its restart, %d failed (%s), "
              + "%d were in flight at the kill; the gateway saw 3 members %d ms after the kill; D back in %d ms",
          whileDead.size(), failed.size(), summary(failed), inFlight.size(), detectedMs, ms(restartAt));
      // In flight at the kill: sent before it, or before the cluster had noticed it (the gateway's readiness saw 3
      // members; until then a request may still be routed to the dead node).
      long noticedAt = killedAt + TimeUnit.MILLISECONDS.toNanos(detectedMs);
      assertThat(failed).as("only requests in flight at the kill fail; in flight: %s", inFlight)
          .allSatisfy(c -> assertThat(c.sentAt()).as("%s sent before the cluster noticed the kill", c)
              .isLessThan(noticedAt));
      assertThat(whileDead.stream().filter(c -> c.sentAt() > killedAt && !c.failed()).count())
          .as("requests sent after the kill are served by the other store node").isPositive();

      // ---- rolling restart: every node in turn, SIGTERM, start, ready ----------------------------------
      // Each stopping node first has the others route around it (HandoverClusterManager): without that, a request
      // routed to it just as its consumers went was dropped unanswered (a fix's 504 after 10 s, a purchase held 21 s).
      long rollingStart = System.nanoTime();
      long timedOutBefore = busRequestsTimedOut();
      for (String name : List.of("c", "d", "a", "b")) {
        long stopAt = System.nanoTime();
        int exit = nodes.get(name).stop(Duration.ofSeconds(60));
        assertThat(exit).as("node %s stopped on SIGTERM by itself", name).isNotEqualTo(-1);
        long stoppedMs = ms(stopAt);
        start(name);
        awaitUp(name);
        String other = name.equals("a") ? "b" : "a";
        cluster.awaitReady(httpPorts.get(other), 4, Duration.ofSeconds(120), nodes.get(other));
        if (httpPorts.containsKey(name)) {
          cluster.awaitReady(httpPorts.get(name), 4, Duration.ofSeconds(120), nodes.get(name));
        }
        report("node %s restarted: stopped in %d ms, back and ready %d ms after the SIGTERM; failed meanwhile: %s",
            name, stoppedMs, ms(stopAt), load.calls(c -> c.failed() && c.answeredAt() > stopAt).stream()
                .map(c -> c + " sent " + (c.sentAt() - stopAt) / 1_000_000 + " ms after the SIGTERM").toList());
        awaitCalls(load, load.size() + CALLS_BETWEEN_EVENTS / 2);
      }
      load.stop();
      List<Call> rolling = load.calls(c -> c.sentAt() >= rollingStart);
      List<Call> rollingFailed = rolling.stream().filter(Call::failed).toList();
      report("rolling restart of 4 nodes under load: %d ms, %d requests, %d failed (%s)", ms(rollingStart),
          rolling.size(), rollingFailed.size(), summary(rollingFailed));
      report("failed during the rolling restart: %s", rollingFailed.stream().map(c -> c + " " + c.detail())
          .collect(Collectors.joining("; ")));
      // A request dropped by a stopping node and then resent still costs its sender a timeout: counted apart.
      report("bus requests that waited out their timeout during the rolling restart, as the nodes logged them: %d",
          busRequestsTimedOut() - timedOutBefore);

      // What docs/deployment.md promises for a rolling restart: at most a couple of requests fail, each either with
      // no HTTP answer at all (a keep-alive connection closed by a stopping gateway, or a request still running when
      // its gateway's shutdown timeout ran out) or with a retryable 503 (what a stopping node could not finish in its
      // drain) or 504 (one of the few requests not resent, dropped by a stopping node that another node did not hear
      // announce its stop). Never another error.
      assertThat(rollingFailed).as("failures of the rolling restart").hasSizeLessThanOrEqualTo(2)
          .allSatisfy(c -> assertThat(c.status()).as("%s: no HTTP answer, or a retryable 503/504", c)
              .isIn(0, 503, 504));
      assertThat(load.recordedByImport()).as("purchases answered 502 PURCHASED_NOT_RECORDED").isEmpty();

      // ---- nothing lost, nothing doubled ----------------------------------------------------------------
      Set<String> bought = load.bought();
      report("the load bought %d numbers (%d answered as a replay of an earlier attempt, %d recorded by an import "
              + "after 502 PURCHASED_NOT_RECORDED), gave up on %d: %s", bought.size(), load.replayed().size(),
          load.recordedByImport().size(), load.abandoned().size(), load.abandoned());
      assertThat(load.abandoned()).as("purchases that never answered 201 with their key").isEmpty();
      Map<String, Long> atTwilio = count(cluster.twilio.incomingNumbers(cluster.accountSid),
          n -> n.getString("phone_number"));
      Map<String, Long> inRetell = count(cluster.retell.numbers(cluster.retellKey), n -> n.getString("phone_number"));
      Map<String, Long> inStore = count(listAll(a), n -> n.getString("phoneNumber"));
      for (String number : bought) {
        assertThat(atTwilio.get(number)).as("%s bought at Twilio once", number).isEqualTo(1L);
        assertThat(inRetell.get(number)).as("%s in Retell once", number).isEqualTo(1L);
        assertThat(inStore.get(number)).as("%s in the store once", number).isEqualTo(1L);
      }
      assertThat(cluster.twilio.incomingNumbers(cluster.accountSid)).as("every number on the tenant's trunk")
          .allSatisfy(n -> assertThat(n.getString("trunk_sid")).isEqualTo(trunkSid));
      assertThat(atTwilio.keySet()).as("nothing bought that the client was not told of")
          .containsExactlyInAnyOrderElementsOf(union(bought, Set.of("+12125550100", "+12125550101",
              "+12125550102", "+12125550103", heldNumber)));
    }
    cluster.assertNoSecretsInNodeOutput();
    report("bus requests that waited out their timeout, as the nodes logged them (the kill -9s included): %d",
        busRequestsTimedOut());
    report("whole scenario: %d ms", ms(t0));
  }

  // ---- nodes ------------------------------------------------------------------------------------------

  private static ClusterNode start(String name) throws Exception {
    Map<String, Object> settings = new LinkedHashMap<>();
    settings.put("provisioning.fixConcurrency", 8);
    settings.put("provisioning.perNumberTimeoutMs", 5_000);
    settings.put("provisioning.busTimeoutMs", BUS_TIMEOUT_MS);
    if (httpPorts.containsKey(name)) {
      settings.put("http.port", httpPorts.get(name));
    }
    String roles = httpPorts.containsKey(name) ? GATEWAY : SERVICES;
    ClusterNode node = cluster.node(name, roles, hazelcastPorts.get(name), settings,
        Map.of("TRUNKLINE_MONGO_URI", mongoUri));
    nodes.put(name, node);
    return node;
  }

  private static void awaitUp(String name) throws Exception {
    ClusterNode node = nodes.get(name);
    // The banner: a gateway node names its URL, the others say they serve no HTTP API.
    String banner = httpPorts.containsKey(name) ? "Trunkline is up on" : "Trunkline node is up";
    assertThat(node.awaitOutput(banner, Duration.ofSeconds(120)))
        .as("node %s up; output:%n%s", name, cluster.shown(node.tail(40))).isTrue();
  }

  /** Bus requests every node (each incarnation) logged as unanswered within their timeout (Bus). */
  private static long busRequestsTimedOut() throws java.io.IOException {
    long timedOut = 0;
    for (ClusterNode node : cluster.nodes) {
      timedOut += node.linesContaining("504 TIMEOUT after");
    }
    return timedOut;
  }

  /** Who holds the tenant's Twilio lock: the node id its owner names (TenantLock), read from the database. */
  private static String lockHolder(String tenant) throws Exception {
    MongoClient mongo = MongoClient.create(cluster.vertx, new JsonObject().put("connection_string", mongoUri)
        .put("db_name", "trunkline"));
    try {
      JsonObject lock = mongo.findOne("locks", new JsonObject().put("_id", TenantLock.name(tenant)), null)
          .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertThat(lock).as("the tenant's lock held during the purchase").isNotNull();
      String owner = lock.getString("owner");
      return owner.substring(0, Math.max(0, owner.indexOf('/')));
    } finally {
      mongo.close();
    }
  }

  /** A node's member id, as Hazelcast lists the members in its output ("Member [host]:port - <id> this"). */
  private static String nodeId(String name) {
    try {
      Matcher m = Pattern.compile("- ([0-9a-f-]{36}) this").matcher(nodes.get(name).output());
      return m.find() ? m.group(1) : "";
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /**
   * Until every request sent before {@code instant} is answered: each worker sends one request at a time, so once
   * each has answered one sent later, all earlier ones are answered.
   */
  private static void awaitAnswered(ApiLoad load, long instant) {
    Await.until("the requests sent before the restart to be answered", Duration.ofSeconds(180),
        Duration.ofMillis(100), () -> load.calls(c -> c.sentAt() > instant).stream().map(Call::op)
            .collect(Collectors.toSet()).containsAll(Set.of("purchase", "list", "fix")));
  }

  private static void awaitCalls(ApiLoad load, int count) {
    Await.until("the load to have made " + count + " requests", Duration.ofSeconds(180), Duration.ofMillis(100),
        () -> load.size() >= count);
  }

  /** Every number the store lists for the tenant, page by page. */
  private static List<JsonObject> listAll(Api api) throws Exception {
    List<JsonObject> all = new ArrayList<>();
    String after = null;
    do {
      HttpResponse<String> page = api.send("GET", "/phone-numbers?limit=200"
          + (after == null ? "" : "&after=" + java.net.URLEncoder.encode(after, java.nio.charset.StandardCharsets.UTF_8)),
          null, null);
      assertStatus(page, 200);
      JsonObject data = new JsonObject(page.body()).getJsonObject("data");
      data.getJsonArray("items").forEach(o -> all.add((JsonObject) o));
      after = data.getString("next");
    } while (after != null);
    return all;
  }

  // ---- little things ------------------------------------------------------------------------------------

  private static String summary(List<Call> calls) {
    return new TreeMap<>(calls.stream().collect(Collectors.groupingBy(c -> c.op() + " " + c.status() + " "
        + c.code(), Collectors.counting()))).toString();
  }

  private static Map<String, Long> count(List<JsonObject> items, Function<JsonObject, String> key) {
    return items.stream().collect(Collectors.groupingBy(key, Collectors.counting()));
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> all = new java.util.TreeSet<>(a);
    all.addAll(b);
    return all;
  }

  private static void report(String format, Object... args) {
    System.out.println("[nospof-it] " + String.format(format, args));
  }
}
