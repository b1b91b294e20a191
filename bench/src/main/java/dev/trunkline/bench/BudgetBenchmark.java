package dev.trunkline.bench;

import static dev.trunkline.bench.FixFanOutBenchmark.RETELL_KEY;
import static dev.trunkline.bench.FixFanOutBenchmark.TENANT;
import static dev.trunkline.bench.FixFanOutBenchmark.await;
import static dev.trunkline.bench.FixFanOutBenchmark.expect;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import dev.trunkline.app.ConfigLoader;
import dev.trunkline.app.Deployer;
import dev.trunkline.app.Roles;
import dev.trunkline.app.Trunkline;
import dev.trunkline.contract.Addresses;
import dev.trunkline.contract.Bus;
import dev.trunkline.contract.StoreMessages.PhoneNumber;
import dev.trunkline.contract.StoreMessages.RetellStatus;
import dev.trunkline.simulators.FaultRule;
import dev.trunkline.simulators.RetellSimulator;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How long a whole-tenant fix takes with the shipped configuration, against the Retell simulator on loopback
 * with {@value #LATENCY_MS} ms on every PATCH (issue 12):
 *
 * <ul>
 *   <li>Retell unlimited: the fan-out decides, the floor is ceil(N / 32) x {@value #LATENCY_MS} ms;
 *   <li>Retell enforcing {@value #RETELL_LIMIT} requests per second per key (429 with Retry-After): the client
 *       must find that rate from Retell's 429s, the floor is N / {@value #RETELL_LIMIT} s, and no number may end
 *       {@code RETELL_RATE_LIMITED};
 *   <li>10,000 numbers, Retell unlimited, in whatever heap the JVM was given (the README runs it with 256 MiB);
 *   <li>Retell enforcing {@value #RETELL_LIMIT} requests per second per key, served by two Retell nodes of a
 *       Hazelcast cluster (two clustered Vert.x instances in this JVM: the node running everything, and one more
 *       running only the Retell verticle): with the cluster-wide budget per key they send what one node would;
 *       the same with each node on a budget of its own ({@code retell.sharedBudgetSyncMs} 0), for comparison.
 * </ul>
 *
 * <p>One fresh node per N (the client's learnt rate and Retell's buckets start fresh), after one unreported
 * warm-up run for the JIT. The unlimited runs up to 1,000 numbers take a couple of seconds, so one stall of a shared
 * machine shows in them: each is the median of {@value #REPEATS} fixes on its node. The limited runs are one fix
 * each (a second on the same node would start from the rate the first learnt). Peak heap is sampled every 10 ms
 * during the fix.
 */
final class BudgetBenchmark {
  static final long LATENCY_MS = 50;
  static final int RETELL_LIMIT = 20;
  private static final int CONCURRENCY = 32;
  private static final int SEED_BATCH = 500;
  private static final int REPEATS = 3;

  private BudgetBenchmark() {}

  private record Run(String scenario, int numbers, long ms, double floorMs, int ok, boolean rateLimited,
      long retell429s, long peakHeapMiB, long servedBySecondNode) {
    Run(String scenario, int numbers, long ms, double floorMs, int ok, boolean rateLimited, long retell429s,
        long peakHeapMiB) {
      this(scenario, numbers, ms, floorMs, ok, rateLimited, retell429s, peakHeapMiB, -1);
    }

    double ratio() {
      return ms / floorMs;
    }
  }

  static void run(boolean quick) throws Exception {
    long maxHeapMiB = Runtime.getRuntime().maxMemory() >> 20;
    System.out.printf("%n== fix time against N, shipped configuration, %d ms per Retell PATCH, JVM max heap %d MiB%n",
        LATENCY_MS, maxHeapMiB);
    measure("warm-up", 256, 0, 1); // not reported: the JIT's first pass
    List<Run> runs = new ArrayList<>();
    for (int n : quick ? new int[] {125, 250} : new int[] {125, 250, 500, 1_000}) {
      runs.add(measure("unlimited", n, 0, REPEATS));
    }
    for (int n : quick ? new int[] {100} : new int[] {250, 500, 1_000}) {
      runs.add(measure(RETELL_LIMIT + "/s", n, RETELL_LIMIT, 1));
    }
    runs.add(measure("unlimited", quick ? 2_000 : 10_000, 0, 1));
    int clusterN = quick ? 200 : 1_000;
    runs.add(measureTwoNodes(RETELL_LIMIT + "/s, 2 Retell nodes, shared budget", clusterN, true));
    runs.add(measureTwoNodes(RETELL_LIMIT + "/s, 2 Retell nodes, per-node budgets", clusterN, false));

    System.out.printf("%n| Retell limit | N | fix ms | floor ms | ratio | ok | RETELL_RATE_LIMITED | Retell 429s | "
        + "achieved req/s | peak heap MiB |%n|---|---|---|---|---|---|---|---|---|---|%n");
    for (Run r : runs) {
      System.out.printf("| %s | %d | %d | %.0f | %.2f | %d | %s | %d | %.1f | %d |%n", r.scenario(), r.numbers(),
          r.ms(), r.floorMs(), r.ratio(), r.ok(), r.rateLimited() ? "yes" : "no", r.retell429s(),
          r.numbers() * 1000.0 / r.ms(), r.peakHeapMiB());
    }
    runs.stream().filter(r -> r.servedBySecondNode() >= 0).forEach(r -> System.out.printf(
        "%s: the second Retell node served %d of the %d syncs%n", r.scenario(), r.servedBySecondNode(),
        r.numbers()));
    chart(runs);
  }

  /** A text chart of fix time against N, grouped by Retell's limit, every bar on one scale (the slowest run's). */
  private static void chart(List<Run> runs) {
    long slowest = runs.stream().mapToLong(Run::ms).max().orElse(1);
    System.out.printf("%nfix time against N (seconds; each # is %.2f s)%n", slowest / 60_000.0);
    runs.stream().map(Run::scenario).distinct().forEach(scenario -> {
      System.out.println("Retell " + scenario);
      runs.stream().filter(r -> r.scenario().equals(scenario)).forEach(r -> {
        int width = (int) Math.max(1, Math.round(60.0 * r.ms() / slowest));
        System.out.printf("  N=%-6d %-62s %.1f%n", r.numbers(), "#".repeat(width), r.ms() / 1000.0);
      });
    });
  }

  /**
   * One fix of {@code numbers} numbers against Retell at {@value #RETELL_LIMIT}/s, served by two Retell nodes of a
   * Hazelcast cluster on loopback: the first runs everything (sandbox), the second only the Retell verticle (two
   * instances, as the first), with the first's effective configuration ({@code sharedBudgetSyncMs} 0 when not
   * {@code shared}). The fix's Retell syncs go over the clustered bus to either node.
   */
  private static Run measureTwoNodes(String scenario, int numbers, boolean shared) throws Exception {
    String cluster = "bench-" + UUID.randomUUID();
    int[] ports = {FixFanOutBenchmark.freePort(), FixFanOutBenchmark.freePort()};
    Vertx first = await(clustered(cluster, ports, 0));
    Vertx second = null;
    try {
      second = await(clustered(cluster, ports, 1));
      JsonObject config = config();
      config.getJsonObject("retell").put("sharedBudgetSyncMs", shared ? 500 : 0);
      Vertx retellNode = second;
      long[] served = new long[1];
      retellNode.eventBus().addInboundInterceptor(delivery -> {
        if (Addresses.Retell.NUMBER_SYNC.equals(delivery.message().address())) {
          synchronized (served) {
            served[0]++;
          }
        }
        delivery.next();
      });
      return measure(first, config, scenario, numbers, RETELL_LIMIT, 1,
          node -> Deployer.deploy(retellNode, node.config(), Set.of(Roles.RETELL)).mapEmpty(),
          run -> {
            synchronized (served) {
              return new Run(run.scenario(), run.numbers(), run.ms(), run.floorMs(), run.ok(), run.rateLimited(),
                  run.retell429s(), run.peakHeapMiB(), served[0]);
            }
          });
    } finally {
      if (second != null) {
        await(second.close());
      }
      await(first.close());
    }
  }

  /** Member {@code index} of a Hazelcast cluster on loopback, its event bus on loopback too. */
  private static Future<Vertx> clustered(String name, int[] ports, int index) {
    Config hz = ConfigUtil.loadConfig();
    hz.setClusterName(name);
    hz.getNetworkConfig().setPort(ports[index]).setPortAutoIncrement(false).getInterfaces().setEnabled(true)
        .addInterface("127.0.0.1");
    JoinConfig join = hz.getNetworkConfig().getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true);
    for (int port : ports) {
      join.getTcpIpConfig().addMember("127.0.0.1:" + port);
    }
    hz.setProperty("hazelcast.wait.seconds.before.join", "0");
    return Vertx.builder()
        .with(new VertxOptions().setEventBusOptions(new EventBusOptions().setHost("127.0.0.1").setPort(0)))
        .withClusterManager(new HazelcastClusterManager(hz)).buildClustered();
  }

  /** The median of {@code repeats} fixes of {@code numbers} numbers on one fresh node. */
  private static Run measure(String scenario, int numbers, int retellLimit, int repeats) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      return measure(vertx, config(), scenario, numbers, retellLimit, repeats, node -> Future.succeededFuture(),
          run -> run);
    } finally {
      await(vertx.close());
    }
  }

  /**
   * The median of {@code repeats} fixes on a node started on {@code vertx}; {@code beside} starts whatever else
   * serves it (another Retell node) once the node is up, {@code result} completes the run's figures.
   */
  private static Run measure(Vertx vertx, JsonObject config, String scenario, int numbers, int retellLimit,
      int repeats, java.util.function.Function<Trunkline, Future<Void>> beside,
      java.util.function.UnaryOperator<Run> result) throws Exception {
    Trunkline node = await(Trunkline.start(vertx, config));
    await(beside.apply(node));
    WebClient http = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(node.httpPort()));
    String token = FixFanOutBenchmark.token(vertx, node.config().getJsonObject("gateway").getString("jwtSecret"));
    String base = "/api/connectors/" + TENANT;
    expect(await(http.put(base + "/twilio").bearerTokenAuthentication(token).sendJsonObject(new JsonObject()
        .put("accountSid", "AC" + "b".repeat(32)).put("authToken", "bench-twilio-token"))), 200);
    expect(await(http.put(base + "/retell").bearerTokenAuthentication(token)
        .sendJsonObject(new JsonObject().put("apiKey", RETELL_KEY))), 200);
    HttpResponse<?> setup = await(http.post(base + "/twilio/setup").bearerTokenAuthentication(token)
        .sendJsonObject(new JsonObject()));
    String terminationUri = setup.bodyAsJsonObject().getJsonObject("data").getString("terminationUri");
    seed(vertx, node, numbers, terminationUri);
    RetellSimulator retell = node.sandbox().retell();
    retell.faults().add(FaultRule.on("PATCH", "/update-phone-number/*").latency(LATENCY_MS));
    List<Run> runs = new ArrayList<>();
    for (int i = 0; i < repeats; i++) {
      runs.add(fix(http, token, retell, scenario, numbers, retellLimit));
    }
    runs.sort(java.util.Comparator.comparingLong(Run::ms));
    Run run = result.apply(runs.get(runs.size() / 2));
    if (!"warm-up".equals(scenario)) {
      System.out.printf("%-10s N=%-6d %6d ms (floor %.0f ms, %.2fx) ok %d/%d, 429s %d, peak heap %d MiB%s%n",
          scenario, numbers, run.ms(), run.floorMs(), run.ratio(), run.ok(), numbers, run.retell429s(),
          run.peakHeapMiB(), repeats > 1 ? " (median of " + runs.stream().map(r -> r.ms() + "").toList() + ")"
              : "");
    }
    await(node.close());
    return run;
  }

  private static Run fix(WebClient http, String token, RetellSimulator retell, String scenario, int numbers,
      int retellLimit) throws Exception {
    String base = "/api/connectors/" + TENANT;
    retell.rateLimitPerSecond(retellLimit); // also starts its buckets and its 429 count afresh
    HeapSampler heap = HeapSampler.start();
    long start = System.nanoTime();
    HttpResponse<?> fix = await(http.post(base + "/twilio/fix-retell-credentials").timeout(900_000)
        .bearerTokenAuthentication(token).sendJsonObject(new JsonObject()));
    JsonObject data;
    boolean rateLimited;
    if (fix.statusCode() == 202) {
      // Longer than gateway.operationSyncWaitMs, or more results than one answer carries: polled to its end, and
      // the per-number failures counted from its results, page by page.
      JsonObject op = awaitOperation(http, token, fix.getHeader("Location"));
      data = op.getJsonObject("report").getJsonObject("data");
      rateLimited = anyResultWith(http, token, fix.getHeader("Location"), "RETELL_RATE_LIMITED");
    } else if (fix.statusCode() == 200 || fix.statusCode() == 207) {
      data = fix.bodyAsJsonObject().getJsonObject("data");
      rateLimited = fix.bodyAsString().contains("RETELL_RATE_LIMITED");
    } else {
      throw new IllegalStateException("fix answered " + fix.statusCode());
    }
    long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    long peakMiB = heap.stop() >> 20;
    double floor = retellLimit > 0 ? numbers * 1000.0 / retellLimit
        : Math.ceil(numbers / (double) CONCURRENCY) * LATENCY_MS;
    return new Run(scenario, numbers, elapsed, floor, data.getInteger("successCount"), rateLimited,
        retell.rateLimited(), peakMiB);
  }

  /** The operation at {@code location} once it is no longer running (polled every 100 ms). */
  private static JsonObject awaitOperation(WebClient http, String token, String location) throws Exception {
    while (true) {
      JsonObject op = await(http.get(location + "?limit=1").bearerTokenAuthentication(token).send())
          .bodyAsJsonObject().getJsonObject("data");
      if (!"running".equals(op.getString("state"))) {
        return op;
      }
      Thread.sleep(100);
    }
  }

  private static boolean anyResultWith(WebClient http, String token, String location, String text)
      throws Exception {
    Object next = null;
    do {
      HttpResponse<?> page = await(http.get(location + "?limit=500" + (next == null ? "" : "&after=" + next))
          .bearerTokenAuthentication(token).send());
      if (page.bodyAsString().contains(text)) {
        return true;
      }
      next = page.bodyAsJsonObject().getJsonObject("data").getValue("next");
    } while (next != null);
    return false;
  }

  /** The numbers, in the store and broken in Retell, saved a batch at a time (the store's queue is bounded). */
  static void seed(Vertx vertx, Trunkline node, int numbers, String terminationUri) throws Exception {
    long now = System.currentTimeMillis();
    for (int from = 0; from < numbers; from += SEED_BATCH) {
      List<Future<PhoneNumber>> saves = new ArrayList<>();
      for (int i = from; i < Math.min(numbers, from + SEED_BATCH); i++) {
        String phone = "+1628" + String.format("%07d", i);
        node.sandbox().retell().seedBroken(RETELL_KEY, phone, terminationUri);
        saves.add(Bus.request(vertx, Addresses.Store.NUMBER_SAVE, new PhoneNumber(TENANT, phone,
            "PN" + String.format("%032x", i), null, RetellStatus.IMPORTED, null, now, now), PhoneNumber.class,
            30_000, null));
      }
      await(Future.all(saves));
    }
  }

  /** The shipped defaults, in sandbox mode on a free port; nothing about Retell or the fix is changed. */
  private static JsonObject config() throws Exception {
    JsonObject config = ConfigLoader.defaults();
    config.put("mode", "sandbox").put("dataDir", Files.createTempDirectory("trunkline-bench").toString());
    config.getJsonObject("http").put("port", FixFanOutBenchmark.freePort()).put("host", "127.0.0.1");
    return config;
  }

  /** The most heap in use at any 10 ms sample between start and stop. */
  static final class HeapSampler {
    private final AtomicLong peak = new AtomicLong();
    private final Thread thread;
    private volatile boolean running = true;

    private HeapSampler() {
      MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
      thread = new Thread(() -> {
        while (running) {
          peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
          try {
            Thread.sleep(10);
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "heap-sampler");
      thread.setDaemon(true);
    }

    static HeapSampler start() {
      System.gc(); // the previous run's garbage is not this run's peak
      HeapSampler sampler = new HeapSampler();
      sampler.thread.start();
      return sampler;
    }

    long stop() throws InterruptedException {
      running = false;
      thread.join();
      return peak.get();
    }
  }
}
