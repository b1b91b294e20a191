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
  void livenessFailsWhileAVerticlesEventLoopIsBlocked(Vertx vertx, VertxTestContext test) {
    // The check's own timeout is NodeHealth.PROCEDURE_TIMEOUT_MS; blocking that long would slow the suite, so the
    // procedure is observed directly: it completes only when the context runs a task.
    io.vertx.core.Context context = vertx.getOrCreateContext();
    io.vertx.core.Promise<Status> answered = io.vertx.core.Promise.promise();
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    context.runOnContext(v -> {
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    Checks.eventLoopRuns(context).handle(answered);
    test.verify(() -> assertThat(answered.future().isComplete()).as("no answer while the loop is blocked").isFalse());
    release.countDown();
    answered.future().onComplete(test.succeeding(status -> test.verify(() -> {
      assertThat(status.isOk()).isTrue();
      test.completeNow();
    })));
  }
}
