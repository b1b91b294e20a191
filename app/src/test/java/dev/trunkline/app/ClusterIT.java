package dev.trunkline.app;

import static dev.trunkline.app.TestCluster.assertStatus;
import static dev.trunkline.app.TestCluster.get;
import static dev.trunkline.app.TestCluster.ms;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trunkline.app.TestCluster.Api;
import dev.trunkline.contract.testing.Await;
import dev.trunkline.contract.testing.FreePorts;
import dev.trunkline.simulators.FaultRule;
import dev.trunkline.simulators.RetellSimulator;
import dev.trunkline.simulators.TwilioSimulator;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Trunkline as a real cluster: three JVMs of the fat jar on 127.0.0.1, joined by Hazelcast over TCP-IP:
 * node A runs the gateway, node B the store, Twilio and Retell services, node C second Twilio and Retell services. The
 * Twilio and Retell simulators run in this test's JVM and every node calls them over HTTP (production mode,
 * secrets given as the operator would).
 *
 * <p>The story: set up a tenant (8 concurrent setups over both Twilio nodes make one trunk: the tenant lock is
 * cluster-wide), buy 200 numbers, fix them across both Retell nodes; break them again and kill
 * node C with {@code kill -9} in the middle of a fix: the fix answers complete (the numbers C had in flight are
 * resent to B when C leaves the cluster), nothing hangs; once Hazelcast has dropped C a
 * re-run fixes all 200. Node C comes back and is killed again in the middle of an audit, then of a credential
 * rotation: each answers complete (every number audited, every number moved) within 10 s of the kill. Then node B,
 * the only store, is killed: the gateway answers 503 naming the store, and
 * its readiness says so. Along the way: {@code GET /metrics} on the gateway and on node B, the gateway's JSON
 * log lines, and no secret in any node's output. Figures are printed with the prefix {@code [cluster-it]}. The
 * simulators, the nodes' settings and the tenant's API are {@link TestCluster}'s.
 */
class ClusterIT {
  private static final int NUMBERS = 200;
  private static final int PER_NUMBER_TIMEOUT_MS = 5_000;
  private static final int FIX_CONCURRENCY = 8;
  private static final int BUS_TIMEOUT_MS = 8_000;

  @TempDir
  static Path work;

  private static TestCluster cluster;
  private static TwilioSimulator twilio;
  private static RetellSimulator retell;
  private static String tenant;
  private static String accountSid;

  @BeforeAll
  static void simulators() throws Exception {
    cluster = TestCluster.start(work, 3);
    twilio = cluster.twilio;
    retell = cluster.retell;
    tenant = cluster.tenant;
    accountSid = cluster.accountSid;
  }

  @AfterAll
  static void stopAll() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void fixAcrossTheClusterSurvivesARetellNodeAndAStoreNodeDeathIsA503() throws Exception {
    // ---- the cluster ----------------------------------------------------------------------------------
    // Settings of processes, and a member list: known before anything binds them.
    int httpPort = FreePorts.pick();
    int metricsPortA = FreePorts.pick();
    int metricsPortB = FreePorts.pick();
    int[] hz = cluster.hazelcastPorts;
    long t0 = System.nanoTime();

    ClusterNode b = start("b", "store,twilio,retell", hz[0], Map.of("metrics.port", metricsPortB));
    assertThat(b.awaitOutput("Trunkline node is up", Duration.ofSeconds(90))).as("node B up; output:%n%s", shown(b.output()))
        .isTrue();
    // A and C join the cluster B formed (started one after the other would only be slower).
    ClusterNode c = start("c", "twilio,retell", hz[2], Map.of());
    // Production serves no /metrics on the API port: the gateway's are on a port of their own.
    ClusterNode a = start("a", "gateway,provisioning", hz[1],
        Map.of("http.port", httpPort, "metrics.port", metricsPortA));
    JsonObject ready = cluster.awaitReady(httpPort, 3, Duration.ofSeconds(90), a);
    assertThat(ready.getJsonObject("checks").getJsonObject("cluster").getInteger("members")).isEqualTo(3);
    assertThat(c.awaitOutput("Trunkline node is up", Duration.ofSeconds(30))).as("node C up; %s", shown(c.output())).isTrue();
    report("cluster of 3 ready after %d ms", ms(t0));

    // ---- setup and purchase ---------------------------------------------------------------------------
    Api api = cluster.api(httpPort);
    cluster.connect(api);
    // Concurrent setups, round-robined over the Twilio services of B and C: the per-tenant lock is a cluster
    // lock, so exactly one trunk, credential list and credential come out, and every caller gets the same one.
    List<CompletableFuture<HttpResponse<String>>> setups = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      setups.add(api.sendAsync("POST", "/twilio/setup", new JsonObject(), Map.of("X-Request-Id", "it-setup-" + i)));
    }
    HttpResponse<String> setup = null;
    int created = 0;
    for (CompletableFuture<HttpResponse<String>> s : setups) {
      HttpResponse<String> r = s.get(120, TimeUnit.SECONDS);
      assertThat(r.statusCode()).as(r.body()).isIn(200, 201);
      created += r.statusCode() == 201 ? 1 : 0;
      if (setup != null) {
        assertThat(new JsonObject(r.body()).getJsonObject("data").getString("trunkSid"))
            .isEqualTo(new JsonObject(setup.body()).getJsonObject("data").getString("trunkSid"));
      }
      setup = r;
    }
    assertThat(created).as("setups that answered 201 Created").isEqualTo(1);
    assertThat(twilio.trunks(accountSid)).hasSize(1);
    assertThat(twilio.credentialLists(accountSid)).hasSize(1);
    report("8 concurrent setups across two Twilio nodes: one trunk, one credential list");
    JsonObject trunk = new JsonObject(setup.body()).getJsonObject("data");
    String username = trunk.getString("username");
    String terminationUri = trunk.getString("terminationUri");

    List<String> numbers = new ArrayList<>();
    for (String areaCode : List.of("415", "628")) {
      for (int i = 0; i < NUMBERS / 2; i++) {
        numbers.add(String.format("+1%s55501%02d", areaCode, i));
      }
    }
    long purchaseStart = System.nanoTime();
    cluster.purchaseAll(api, numbers);
    report("purchased %d numbers through the cluster in %d ms", NUMBERS, ms(purchaseStart));
    assertThat(twilio.incomingNumbers(accountSid)).hasSize(NUMBERS);
    assertThat(retell.numbers(cluster.retellKey)).hasSize(NUMBERS);

    // ---- a fix across both Retell nodes ---------------------------------------------------------------
    cluster.breakAll(numbers);
    long fixStart = System.nanoTime();
    HttpResponse<String> fixed = api.send("POST", "/twilio/fix-retell-credentials", new JsonObject(),
        Map.of("X-Request-Id", "it-fix-1"));
    report("fix of %d numbers across the cluster: %d ms", NUMBERS, ms(fixStart));
    assertFixReport(fixed, 200, NUMBERS, NUMBERS);
    cluster.assertAllFixed(numbers, username, terminationUri);
    long onB = b.linesContaining("rid=it-fix-1");
    long onC = c.linesContaining("rid=it-fix-1");
    report("Retell calls of the first fix: %d on node B, %d on node C", onB, onC);
    assertThat(onB).as("node B served part of the fix").isPositive();
    assertThat(onC).as("node C served part of the fix").isPositive();

    // ---- kill -9 the second Retell node in the middle of a fix ------------------------------------------
    cluster.breakAll(numbers);
    // Retell holds every update it receives: once the fix's whole window (gateway.fixConcurrency) is held, every
    // number in flight is parked there, round-robined over B and C, so C certainly has work in flight when it dies.
    Map<String, Long> patchesBefore = patchesPerNumber(numbers);
    FaultRule hold = retell.faults().add(FaultRule.on("PATCH", "/update-phone-number/*").hold(60_000));
    long fix2Start = System.nanoTime();
    CompletableFuture<HttpResponse<String>> fix2 = api.sendAsync("POST", "/twilio/fix-retell-credentials",
        new JsonObject(), Map.of("X-Request-Id", "it-fix-2"));
    hold.whenHeld(FIX_CONCURRENCY).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    Set<String> heldAtKill = new TreeSet<>();
    patchesPerNumber(numbers).forEach((number, count) -> {
      if (count > patchesBefore.get(number)) {
        heldAtKill.add(number);
      }
    });
    assertThat(heldAtKill).as("the numbers whose update Retell holds: the whole window").hasSize(FIX_CONCURRENCY);
    assertThat(fix2.isDone()).as("the fix is still running when node C is killed").isFalse();
    long killedAt = System.nanoTime();
    c.killHard();
    hold.release();
    report("node C killed %d ms into the fix, with %d Retell updates held", ms(fix2Start), heldAtKill.size());
    HttpResponse<String> afterKill = fix2.get(120, TimeUnit.SECONDS);
    long killToAnswer = ms(killedAt);
    retell.faults().clear();
    JsonObject killReport = new JsonObject(afterKill.body());
    JsonObject data = killReport.getJsonObject("data");
    report("fix with node C killed: HTTP %d, %d ok, %d failed, answered %d ms after the kill (%d ms in total)",
        afterKill.statusCode(), data.getInteger("successCount"), data.getInteger("failCount"), killToAnswer, ms(fix2Start));
    // The numbers node C had in flight, and those sent to it before Hazelcast dropped it, are resent to B once C is
    // known gone (a sync is idempotent): no number is lost to the death.
    assertThat(afterKill.statusCode()).as(afterKill.body()).isEqualTo(200);
    assertThat(data.getInteger("total")).isEqualTo(NUMBERS);
    assertThat(data.getInteger("successCount")).isEqualTo(NUMBERS);
    assertThat(killToAnswer).as("answered within 10 s of the kill").isLessThan(10_000L);
    cluster.assertAllFixed(numbers, username, terminationUri);
    // The fault happened to work in flight, and that work was redone: a number whose update Retell held for node C
    // when it died reached Retell twice (from C, held and lost with C's connection, then from B).
    Map<String, Long> patchesAfter = patchesPerNumber(numbers);
    Set<String> redone = new TreeSet<>();
    for (String number : heldAtKill) {
      if (patchesAfter.get(number) - patchesBefore.get(number) >= 2) {
        redone.add(number);
      }
    }
    report("held in Retell for node C when it was killed, then redone by node B: %s", redone);
    assertThat(redone).as("updates node C had in flight (held in Retell) when it was killed, redone by B")
        .isNotEmpty();
    assertThat(a.output()).as("the provisioning node resent them when C left the cluster")
        .contains("resent");

    // Once Hazelcast has dropped C, a re-run completes everything on B.
    long detectStart = System.nanoTime();
    cluster.awaitReady(httpPort, 2, Duration.ofSeconds(60), a);
    report("gateway saw the cluster shrink to 2 members %d ms after the kill", ms(killedAt));
    long rerunStart = System.nanoTime();
    HttpResponse<String> rerun = api.send("POST", "/twilio/fix-retell-credentials", new JsonObject(),
        Map.of("X-Request-Id", "it-fix-3"));
    report("re-run fix on the surviving node: %d ms (membership wait %d ms)", ms(rerunStart), ms(detectStart) - ms(rerunStart));
    assertFixReport(rerun, 200, NUMBERS, NUMBERS);
    cluster.assertAllFixed(numbers, username, terminationUri);
    assertThat(b.linesContaining("rid=it-fix-3")).isPositive();

    // ---- audit and rotation with a Retell node killed in the middle ---------------------------------------
    // Node C comes back, and dies again with an audit's, then a rotation's Retell calls held in flight: as with the
    // fix, what it had in flight is resent to B when it leaves, and each answer is complete.
    c = restartRetellNode(httpPort, a);
    HttpResponse<String> audit = killRetellNodeMidway(c, "GET", "/get-phone-number/*", "audit",
        () -> api.sendAsync("GET", "/twilio/retell-credentials", null, Map.of("X-Request-Id", "it-audit")));
    JsonObject auditData = new JsonObject(audit.body()).getJsonObject("data");
    assertThat(audit.statusCode()).as(audit.body()).isEqualTo(200);
    assertThat(auditData.getInteger("total")).isEqualTo(NUMBERS);
    assertThat(auditData.getInteger("successCount")).as("every number audited").isEqualTo(NUMBERS);
    assertThat(auditData.getInteger("okCount")).isEqualTo(NUMBERS);

    c = restartRetellNode(httpPort, a);
    HttpResponse<String> rotated = killRetellNodeMidway(c, "PATCH", "/update-phone-number/*", "rotation",
        () -> api.sendAsync("POST", "/twilio/credentials/rotate", new JsonObject(), Map.of("X-Request-Id",
            "it-rotate")));
    JsonObject rotation = new JsonObject(rotated.body()).getJsonObject("data");
    assertThat(rotated.statusCode()).as(rotated.body()).isEqualTo(200);
    assertThat(rotation.getInteger("successCount")).as("every number moved").isEqualTo(NUMBERS);
    assertThat(rotation.getBoolean("finished")).isTrue();
    cluster.assertAllFixed(numbers, rotation.getString("username"), terminationUri);
    cluster.awaitReady(httpPort, 2, Duration.ofSeconds(60), a);

    // ---- operations: metrics and structured logs ------------------------------------------------------
    assertThat(get("http://127.0.0.1:" + httpPort + "/metrics").statusCode()).as("/metrics on the API port")
        .isEqualTo(404);
    String metrics = get("http://127.0.0.1:" + metricsPortA + "/metrics").body();
    assertThat(metrics)
        .contains("vertx_http_server_requests_total{")
        .containsPattern("vertx_http_server_requests_total\\{[^}]*route=\"fixRetellCredentials\"")
        .contains("vertx_eventbus_sent_total")
        .containsPattern("trunkline_fix_numbers_total\\{[^}]*outcome=\"updated\"")
        .containsPattern("trunkline_fix_numbers_total\\{[^}]*outcome=\"failed\"|trunkline_fix_runs_seconds_count\\{status=\"200\"")
        .doesNotContain(tenant);
    String metricsB = get("http://127.0.0.1:" + metricsPortB + "/metrics").body();
    assertThat(metricsB).contains("vertx_eventbus_handlers")
        .containsPattern("trunkline_upstream_requests_total\\{[^}]*service=\"retell\",status=\"200\"")
        .containsPattern("trunkline_upstream_requests_total\\{[^}]*service=\"twilio\",status=\"20[01]\"")
        .doesNotContain(tenant).doesNotContain(accountSid);

    JsonObject accessLine = a.output().lines().filter(l -> l.startsWith("{")).map(JsonObject::new)
        .filter(j -> "it-fix-1".equals(j.getString("requestId")) && j.getString("logger_name", "").endsWith("access"))
        .findFirst().orElseThrow(() -> new AssertionError("no JSON access line for it-fix-1 in node A's output"));
    assertThat(accessLine.getString("tenant")).isEqualTo(tenant);
    assertThat(accessLine.getString("operation")).isEqualTo("fixRetellCredentials");
    assertThat(accessLine.getString("level")).isEqualTo("INFO");

    // ---- kill -9 the only store node --------------------------------------------------------------------
    b.killHard();
    long storeKilledAt = System.nanoTime();
    long[] slowest = {0};
    // Hazelcast drops the dead member after at most maxNoHeartbeatSeconds (15 s here; a kill -9 closes the socket,
    // so it is usually much sooner); until then calls time out after the bus timeout.
    long storeGoneWithin = 15_000 + BUS_TIMEOUT_MS + 7_000;
    HttpResponse<String> unavailable = Await.value("a 503 once the store is known gone",
        Duration.ofMillis(storeGoneWithin), Duration.ofMillis(250), () -> {
          long callStart = System.nanoTime();
          HttpResponse<String> r = api.send("GET", "/phone-numbers", null, null);
          slowest[0] = Math.max(slowest[0], ms(callStart));
          if (r.statusCode() == 503) {
            return r;
          }
          assertThat(r.statusCode()).as("before the store is known gone, a call times out: %s", r.body())
              .isIn(200, 504);
          return null;
        }, r -> true);
    long slowestMs = slowest[0];
    report("store node killed: 503 after %d ms; slowest call meanwhile %d ms", ms(storeKilledAt), slowestMs);
    JsonObject error = new JsonObject(unavailable.body()).getJsonObject("error");
    assertThat(error.getString("code")).isEqualTo("SERVICE_UNAVAILABLE");
    assertThat(error.getString("message")).contains("store service is unavailable");
    assertThat(slowestMs).as("no call waits longer than its bus timeout").isLessThan(BUS_TIMEOUT_MS + 5_000);
    HttpResponse<String> notReady = get("http://127.0.0.1:" + httpPort + "/health/ready");
    assertThat(notReady.statusCode()).isEqualTo(503);
    assertThat(new JsonObject(notReady.body()).getJsonObject("checks").getJsonObject("store").getString("status"))
        .isEqualTo("DOWN");

    // ---- the store comes back: nothing was lost ------------------------------------------------------------
    long restartAt = System.nanoTime();
    ClusterNode b2 = start("b", "store,twilio,retell", hz[0], Map.of());
    cluster.awaitReady(httpPort, 2, Duration.ofSeconds(90), a);
    report("store node restarted on its data directory; gateway ready again after %d ms", ms(restartAt));
    // Ready means the store answers; the restarted node deploys its Retell service after its store, so wait until
    // a one-number audit (read-only, served by Retell) is answered before the fix relies on it.
    long retellBack = System.nanoTime();
    Await.value("a one-number audit answered by the restarted Retell service", Duration.ofSeconds(30),
        Duration.ofMillis(100), () -> api.send("GET", "/twilio/retell-credentials?phoneNumber="
            + numbers.get(0).replace("+", "%2B"), null, null), audited -> audited.statusCode() == 200);
    report("the restarted node's Retell service answered %d ms after the gateway was ready", ms(retellBack));
    // Restarted at once (its old connections still in TIME_WAIT), it takes its own port back, as docs/deployment.md
    // promises: a node on port+1 would surprise firewalls and member lists.
    assertThat(shown(b2.output())).as("node B's restart bound its configured Hazelcast port %d", hz[0])
        .containsPattern("Member \\[127\\.0\\.0\\.1\\]:" + hz[0] + " - \\S+ this");
    HttpResponse<String> listed = api.send("GET", "/phone-numbers?limit=200", null, null);
    assertStatus(listed, 200);
    assertThat(new JsonObject(listed.body()).getJsonObject("data").getJsonArray("items").stream()
        .map(o -> ((JsonObject) o).getString("phoneNumber")).toList()).containsExactlyInAnyOrderElementsOf(numbers);
    assertFixReport(api.send("POST", "/twilio/fix-retell-credentials", new JsonObject(), null), 200, NUMBERS, NUMBERS);
    assertThat(b2.alive()).isTrue();

    // ---- no secret anywhere in the nodes' output ----------------------------------------------------------
    cluster.assertNoSecretsInNodeOutput();
    report("whole scenario: %d ms", ms(t0));
  }

  // ---- nodes ------------------------------------------------------------------------------------------

  /** A node with this scenario's provisioning settings: the fix's window, per-number and bus timeouts. */
  /** Starts node C (Twilio and Retell) again and waits until the gateway sees it. */
  private static ClusterNode restartRetellNode(int httpPort, ClusterNode gateway) throws Exception {
    ClusterNode c = start("c", "twilio,retell", cluster.hazelcastPorts[2], Map.of());
    assertThat(c.awaitOutput("Trunkline node is up", Duration.ofSeconds(90))).as("node C up again; %s",
        shown(c.output())).isTrue();
    cluster.awaitReady(httpPort, 3, Duration.ofSeconds(90), gateway);
    return c;
  }

  /**
   * Runs {@code request} with Retell holding every {@code method path} call until the whole window of the fan-out
   * is held (so node C certainly has some in flight), kills node C with {@code kill -9}, lets Retell go and returns
   * the answer, which must come within 10 s of the kill.
   */
  private static HttpResponse<String> killRetellNodeMidway(ClusterNode c, String method, String path, String what,
      java.util.concurrent.Callable<CompletableFuture<HttpResponse<String>>> request) throws Exception {
    FaultRule hold = retell.faults().add(FaultRule.on(method, path).hold(60_000));
    long start = System.nanoTime();
    CompletableFuture<HttpResponse<String>> answer = request.call();
    hold.whenHeld(FIX_CONCURRENCY).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    assertThat(answer.isDone()).as("the %s is still running when node C is killed", what).isFalse();
    long killedAt = System.nanoTime();
    c.killHard();
    hold.release();
    HttpResponse<String> r = answer.get(120, TimeUnit.SECONDS);
    long killToAnswer = ms(killedAt);
    retell.faults().clear();
    JsonObject data = new JsonObject(r.body()).getJsonObject("data");
    report("%s with node C killed %d ms in: HTTP %d, %s of %s done, answered %d ms after the kill", what, ms(start) - killToAnswer,
        r.statusCode(), data == null ? "?" : data.getValue("successCount"), data == null ? "?" : data.getValue("total"),
        killToAnswer);
    assertThat(killToAnswer).as("the %s answered within 10 s of the kill", what).isLessThan(10_000L);
    return r;
  }

  private static ClusterNode start(String name, String roles, int hazelcastPort, Map<String, Object> extra)
      throws Exception {
    Map<String, Object> settings = new LinkedHashMap<>();
    settings.put("provisioning.fixConcurrency", FIX_CONCURRENCY);
    settings.put("provisioning.perNumberTimeoutMs", PER_NUMBER_TIMEOUT_MS);
    settings.put("bus.timeoutMs", BUS_TIMEOUT_MS);
    // The embedded store commits its file about once a second, so its kill -9 below can lose the end of the last
    // fix's operation: restarted, the store shows it running until its lease runs out, and a fix joins it. A lease
    // shorter than the store's restart lets the last fix start its own (docs/store.md, "Durability").
    settings.put("provisioning.operationLeaseMs", 10_000);
    // The fix whose Retell writes die with node C leaves its credential lease on the old credential for the lease's
    // TTL (a write answered 504 may still land), and the rotation further on waits for it: 10 s, not 60 s, here.
    settings.put("provisioning.credentialLeaseTtlMs", 10_000);
    settings.putAll(extra);
    return cluster.node(name, roles, hazelcastPort, settings);
  }

  private static String shown(String output) {
    return cluster.shown(output);
  }

  // ---- Retell state --------------------------------------------------------------------------------------

  /** How many updates of each number Retell has received so far. */
  private static Map<String, Long> patchesPerNumber(List<String> numbers) {
    Map<String, Long> counts = new LinkedHashMap<>();
    for (String number : numbers) {
      // The path's "+" may arrive encoded or not: match the digits.
      counts.put(number, retell.requests().count("PATCH", "/update-phone-number/*" + number.substring(1)));
    }
    return counts;
  }

  private static void assertFixReport(HttpResponse<String> r, int status, int total, int ok) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    JsonObject data = new JsonObject(r.body()).getJsonObject("data");
    assertThat(data.getInteger("total")).as(r.body()).isEqualTo(total);
    assertThat(data.getInteger("successCount")).as(r.body()).isEqualTo(ok);
  }

  // ---- little things ------------------------------------------------------------------------------------

  private static void report(String format, Object... args) {
    System.out.println("[cluster-it] " + String.format(format, args));
  }
}
