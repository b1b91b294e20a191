package dev.trunkline.app;

import static org.assertj.core.api.Assertions.assertThat;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import dev.trunkline.contract.testing.Await;
import dev.trunkline.contract.testing.FreePorts;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.core.buffer.Buffer;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A node without the gateway role serves /health/live and /health/ready on health.port, and its readiness follows
 * its parts' own checks: a store whose MongoDB is gone is not ready and says so under "store".
 */
class HealthProbesTest {
  private final Vertx vertx = Vertx.vertx();
  private final WebClient client = WebClient.create(vertx);
  private MongoServer mongo;
  private Trunkline node;

  @AfterEach
  void stop() throws Exception {
    if (node != null) {
      node.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
    if (mongo != null) {
      mongo.shutdownNow();
    }
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void aStoreNodeServesItsProbesOnTheHealthPortAndIsNotReadyWhenMongoDbIsGone() throws Exception {
    mongo = new MongoServer(new MemoryBackend());
    mongo.bind("127.0.0.1", 0);
    InetSocketAddress address = mongo.getLocalAddress();
    JsonObject config = ConfigLoader.applyOverrides(new JsonObject(), Map.of(
            "TRUNKLINE_KEYS", "k1:" + Base64.getEncoder().encodeToString(new byte[32]),
            "TRUNKLINE_MONGO_URI", "mongodb://127.0.0.1:" + address.getPort(),
            "TRUNKLINE_ROLES", "store"),
        Map.of("trunkline.health.port", String.valueOf(FreePorts.pick()), "trunkline.health.host", "127.0.0.1",
            "trunkline.mongo.timeoutMs", "1000"));
    node = Trunkline.start(vertx, config).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    int port = ((Number) ConfigLoader.get(config, "health.port")).intValue();

    HttpResponse<Buffer> live = get(port, "/health/live");
    assertThat(live.statusCode()).as(live.bodyAsString()).isEqualTo(200);
    assertThat(live.bodyAsJsonObject().getJsonObject("checks").getJsonObject("store").getString("status"))
        .isEqualTo("UP");
    HttpResponse<Buffer> ready = get(port, "/health/ready");
    assertThat(ready.statusCode()).as(ready.bodyAsString()).isEqualTo(200);
    JsonObject checks = ready.bodyAsJsonObject().getJsonObject("checks");
    assertThat(checks.getJsonObject("deployed").getString("status")).isEqualTo("UP");
    assertThat(checks.getJsonObject("store").getString("backend")).isEqualTo("mongodb");

    mongo.shutdownNow();
    mongo = null;
    JsonObject down = Await.value("readiness 503 once MongoDB is gone", Duration.ofSeconds(30),
        () -> get(port, "/health/ready"), r -> r.statusCode() == 503).bodyAsJsonObject();
    JsonObject store = down.getJsonObject("checks").getJsonObject("store");
    assertThat(store.getString("status")).isEqualTo("DOWN");
    assertThat(store.getString("reason")).startsWith("the mongodb database does not answer a ping");
    assertThat(down.encode()).doesNotContain("127.0.0.1:" + address.getPort());
    assertThat(get(port, "/health/live").statusCode()).as("still alive: a restart would not bring MongoDB back")
        .isEqualTo(200);
    assertThat(get(port, "/anything-else").statusCode()).isEqualTo(404);
  }

  private HttpResponse<Buffer> get(int port, String path) throws Exception {
    return client.get(port, "127.0.0.1", path).timeout(10_000).send().toCompletionStage().toCompletableFuture()
        .get(15, TimeUnit.SECONDS);
  }
}
