package dev.trunkline.contract.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.Status;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The node's checks: a consumer check fails when a consumer is gone, and a shared name needs every owner up. */
@ExtendWith(VertxExtension.class)
class NodeHealthTest {

  @Test
  void aServiceIsNotReadyOnceOneOfItsConsumersIsUnregistered(Vertx vertx, VertxTestContext test) {
    MessageConsumer<Object> a = vertx.eventBus().consumer("test.health.a", m -> { });
    MessageConsumer<Object> b = vertx.eventBus().consumer("test.health.b", m -> { });
    NodeHealth health = NodeHealth.of(vertx);
    health.add(this, readiness -> readiness.register("twilio", Checks.consumersRegistered(List.of(a, b))));
    health.ready().map(NodeHealth::body)
        .compose(up -> {
          test.verify(() -> assertThat(up.getJsonObject("checks").getJsonObject("twilio"))
              .isEqualTo(new JsonObject().put("status", "UP").put("consumers", 2)));
          return b.unregister();
        })
        .compose(v -> health.ready().map(NodeHealth::body))
        .onComplete(test.succeeding(down -> test.verify(() -> {
          assertThat(down.getString("status")).isEqualTo("DOWN");
          assertThat(down.getJsonObject("checks").getJsonObject("twilio")).isEqualTo(new JsonObject()
              .put("status", "DOWN").put("reason", "not registered on the event bus: test.health.b"));
          test.completeNow();
        })));
  }

  @Test
  void aNameSharedByTwoOwnersIsUpOnlyWhenBothAreAndDisappearsWithTheLast(Vertx vertx, VertxTestContext test) {
    NodeHealth health = NodeHealth.of(vertx);
    Object first = new Object();
    Object second = new Object();
    health.add(first, r -> r.register("store", p -> p.complete(Status.OK(new JsonObject().put("backend", "x")))));
    health.add(second, r -> r.register("store", p -> p.complete(Checks.down("the store is not running"))));
    health.ready().map(NodeHealth::body)
        .compose(both -> {
          test.verify(() -> assertThat(both.getJsonObject("checks").getJsonObject("store").getString("reason"))
              .isEqualTo("the store is not running"));
          health.remove(second);
          return health.ready().map(NodeHealth::body);
        })
        .compose(one -> {
          test.verify(() -> assertThat(one.getJsonObject("checks").getJsonObject("store"))
              .isEqualTo(new JsonObject().put("status", "UP").put("backend", "x")));
          health.remove(first);
          return health.ready().map(NodeHealth::body);
        })
        .onComplete(test.succeeding(none -> test.verify(() -> {
          assertThat(none.getJsonObject("checks").fieldNames()).containsExactly("deployed");
          test.completeNow();
        })));
  }

  @Test
  void livenessFailsWhileAVerticlesLoopIsBlocked(Vertx vertx, VertxTestContext test) throws Exception {
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    // A worker verticle stands for the blocked one: its tasks run one at a time like an event loop's, and the
    // probe below runs on an event loop, never on the blocked thread.
    io.vertx.core.VerticleBase blocked = new io.vertx.core.VerticleBase() {
      @Override
      public io.vertx.core.Future<?> start() {
        EventLoopHeartbeat heartbeat = EventLoopHeartbeat.start(vertx);
        NodeHealth.of(vertx).add(this, new HealthCheckProvider() {
          @Override
          public void registerReadinessChecks(HealthCheckRegistry readiness) {}

          @Override
          public void registerLivenessChecks(HealthCheckRegistry liveness) {
            liveness.register("twilio", heartbeat.check());
          }
        });
        vertx.setTimer(10, t -> {
          try {
            release.await(60, java.util.concurrent.TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
        return io.vertx.core.Future.succeededFuture();
      }
    };
    vertx.deployVerticle(blocked, new io.vertx.core.DeploymentOptions()
            .setThreadingModel(io.vertx.core.ThreadingModel.WORKER))
        .toCompletionStage().toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
    JsonObject up = NodeHealth.of(vertx).live().map(NodeHealth::body).toCompletionStage().toCompletableFuture()
        .get(10, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(up.getJsonObject("checks").getJsonObject("twilio").getString("status")).isEqualTo("UP");
    try {
      dev.trunkline.contract.testing.Await.until("liveness down while the loop is blocked",
          java.time.Duration.ofMillis(EventLoopHeartbeat.STALE_MS + 15_000), () -> {
            JsonObject body = NodeHealth.of(vertx).live().map(NodeHealth::body).toCompletionStage()
                .toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
            return "DOWN".equals(body.getString("status")) && body.getJsonObject("checks").getJsonObject("twilio")
                .getString("reason").startsWith("the event loop has run no task for ");
          });
    } finally {
      release.countDown();
    }
    test.completeNow();
  }
}
