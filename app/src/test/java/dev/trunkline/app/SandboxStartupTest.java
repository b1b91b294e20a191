package dev.trunkline.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The all-in-one node in sandbox mode, in-process: readiness, persisted sandbox secrets, orderly close. */
@ExtendWith(VertxExtension.class)
class SandboxStartupTest {

  @TempDir
  Path tmp;
  /** Not there yet: the node creates it (owner-only). */
  private Path dataDir;

  @BeforeEach
  void dataDir() {
    dataDir = tmp.resolve("data");
  }

  private static String permissions(Path path) throws java.io.IOException {
    return java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
  }

  private JsonObject sandboxConfig(int port) {
    JsonObject config = ConfigLoader.applyOverrides(ConfigLoader.defaults(),
        Map.of("TRUNKLINE_HTTP_PORT", String.valueOf(port), "TRUNKLINE_HTTP_HOST", "127.0.0.1",
            "TRUNKLINE_DATA_DIR", dataDir.toString()),
        // One gateway instance: on port 0 each instance would bind a port of its own.
        Map.of("trunkline.http.instances", "1"));
    return config;
  }

  @Test
  @Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
  void sandboxBecomesReadyAndClosesCleanly(Vertx vertx, VertxTestContext ctx) {
    // Port 0: the gateway takes a free port when it binds (a port picked beforehand can be taken meanwhile).
    WebClient client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1"));
    int[] port = new int[1];
    Trunkline.start(vertx, sandboxConfig(0))
        .compose(node -> client.get(port[0] = node.httpPort(), "127.0.0.1", "/health/ready").timeout(5000).send()
            .compose(ready -> {
              ctx.verify(() -> {
                assertThat(ready.statusCode()).isEqualTo(200);
                assertThat(node.sandbox()).isNotNull();
                assertThat(node.config().getJsonObject("twilio").getString("apiBaseUrl"))
                    .startsWith("http://127.0.0.1:");
                Path secrets = dataDir.resolve(SandboxSecrets.FILE_NAME);
                assertThat(secrets).exists();
                assertThat(permissions(secrets)).isEqualTo("rw-------");
                assertThat(permissions(dataDir)).as("the data dir").isEqualTo("rwx------");
                assertThat(permissions(dataDir.resolve("store.mv"))).as("the store file").isEqualTo("rw-------");
              });
              return node.close();
            }))
        .compose(v -> client.get(port[0], "127.0.0.1", "/health/live").timeout(2000).send()
            .transform(ar -> Future.succeededFuture(ar.succeeded())))
        .onComplete(ctx.succeeding(answered -> ctx.verify(() -> {
          assertThat(answered).as("the gateway stopped listening after close").isFalse();
          ctx.completeNow();
        })));
  }

  @Test
  @Timeout(value = 90, timeUnit = TimeUnit.SECONDS)
  void secondStartReusesTheSandboxSecrets(Vertx vertx, VertxTestContext ctx) {
    Trunkline.start(vertx, sandboxConfig(0))
        .compose(first -> {
          String key = first.config().getJsonObject("vault").getString("keys");
          return first.close().compose(v -> Trunkline.start(vertx, sandboxConfig(0)))
              .compose(second -> {
                ctx.verify(() -> assertThat(second.config().getJsonObject("vault").getString("keys")).isEqualTo(key));
                return second.close();
              });
        })
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void anInvalidTransportStopsTheStartNamingTheKey(Vertx vertx, VertxTestContext ctx) {
    // The twilio role alone: it reads retell.transport for the origination URL, as the retell role does.
    JsonObject config = sandboxConfig(0).put("roles", "twilio");
    ConfigLoader.put(config, "retell.transport", "SCTP");
    Trunkline.start(vertx, config).onComplete(ctx.failing(err -> ctx.verify(() -> {
      assertThat(err.getMessage()).contains("retell.transport").contains("SCTP");
      ctx.completeNow();
    })));
  }

  @Test
  void productionModeWithoutSecretsRefusesToStartAndSaysWhich(Vertx vertx, VertxTestContext ctx) {
    JsonObject config = sandboxConfig(0).put("mode", "production");
    Trunkline.start(vertx, config).onComplete(ctx.failing(err -> ctx.verify(() -> {
      assertThat(err.getMessage()).contains("TRUNKLINE_KEYS").contains("TRUNKLINE_JWT_SECRET");
      assertThat(dataDir.resolve(SandboxSecrets.FILE_NAME)).doesNotExist();
      ctx.completeNow();
    })));
  }
}
