package dev.trunkline.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trunkline.contract.testing.Await;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Not a test of speed (it asserts only that the node answers and holds no more than its cap): an opt-in
 * measurement of the attack with the default settings, many idle connections from the same process (so
 * both ends count against one file-descriptor limit), then {@code /health/live} and an authenticated request each
 * on a new connection. Before the connection cap, 10,000 connections ran this process out of descriptors.
 * Run: {@code mvn -B -o verify -pl api-gateway -am -Dtest=ConnectionFloodMeasurement
 * -Dsurefire.failIfNoSpecifiedTests=false -Dtrunkline.measure=true -Dtrunkline.measure.connections=10000}
 */
@EnabledIfSystemProperty(named = "trunkline.measure", matches = "true")
class ConnectionFloodMeasurement {

  @Test
  void manyIdleConnectionsWithTheDefaults() throws Exception {
    int n = Integer.getInteger("trunkline.measure.connections", 10_000);
    Vertx node = Vertx.vertx();
    Vertx attacker = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
    TrunklineHarness h = await(TrunklineHarness.start(node, new JsonObject(), true));
    NetClient client = attacker.createNetClient(new NetClientOptions().setConnectTimeout(10_000));
    AtomicInteger open = new AtomicInteger();
    List<NetSocket> sockets = new ArrayList<>();
    try {
      long start = System.nanoTime();
      for (int first = 0; first < n; first += 200) {
        List<Future<NetSocket>> batch = new ArrayList<>();
        for (int i = first; i < Math.min(n, first + 200); i++) {
          batch.add(client.connect(h.port, "127.0.0.1").onSuccess(s -> {
            open.incrementAndGet();
            s.closeHandler(v -> open.decrementAndGet());
          }));
        }
        await(Future.all(batch));
        batch.forEach(f -> sockets.add(f.result()));
      }
      long connectMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      int cap = GatewayConfig.from(h.config).connections().maxConnections();
      WebClient probe = WebClient.create(node, new WebClientOptions().setDefaultHost("127.0.0.1")
          .setDefaultPort(h.port).setKeepAlive(false));
      String tenant = TrunklineHarness.newTenant();
      String token = h.token(tenant);
      long healthMax = 0;
      long apiMax = 0;
      for (int i = 0; i < 5; i++) {
        long t0 = System.nanoTime();
        HttpResponse<Buffer> live = await(probe.get("/health/live").timeout(5_000).send());
        long t1 = System.nanoTime();
        HttpResponse<Buffer> api = await(probe.get(h.path(tenant, "/phone-numbers")).bearerTokenAuthentication(token)
            .timeout(5_000).send());
        long t2 = System.nanoTime();
        assertThat(live.statusCode()).isEqualTo(200);
        assertThat(api.statusCode()).isEqualTo(200);
        healthMax = Math.max(healthMax, TimeUnit.NANOSECONDS.toMillis(t1 - t0));
        apiMax = Math.max(apiMax, TimeUnit.NANOSECONDS.toMillis(t2 - t1));
      }
      long descriptors;
      try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
        descriptors = fds.count();
      }
      System.out.printf("MEASURE %d idle connections opened in %d ms against the defaults (cap %d): %d still open; "
          + "/health/live max %d ms, authenticated GET max %d ms; the process holds %d file descriptors%n",
          n, connectMs, cap, open.get(), healthMax, apiMax, descriptors);
      assertThat(open.get()).isLessThanOrEqualTo(cap);
    } finally {
      sockets.forEach(NetSocket::close);
      await(h.close().compose(v -> node.close()).compose(v -> attacker.close()));
    }
  }

  /** Longer than the tests' waits: the flood itself takes most of a minute on a loaded 2-core machine. */
  private static <T> T await(Future<T> future) {
    return Await.await("a step of the measurement", future, Duration.ofSeconds(120));
  }
}
