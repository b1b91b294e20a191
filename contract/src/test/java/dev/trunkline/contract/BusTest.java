package dev.trunkline.contract;

import static dev.trunkline.contract.testing.SecretAssertions.assertNoSecret;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class BusTest {

  record Echo(String text, Secret secret) {}

  @Test
  void recordsCrossTheBusAsJsonAndBack(Vertx vertx, VertxTestContext ctx) {
    Bus.consumer(vertx, "test.echo", Echo.class, req -> Future.succeededFuture(req.body()))
        .completion()
        .compose(v -> Bus.request(vertx, "test.echo", new Echo("hi", new Secret("s3cr3t-value")), Echo.class, 2000, "rid-1"))
        .onComplete(ctx.succeeding(reply -> ctx.verify(() -> {
          assertThat(reply.text()).isEqualTo("hi");
          assertThat(reply.secret().reveal()).isEqualTo("s3cr3t-value");
          ctx.completeNow();
        })));
  }

  record Inner(String name, java.util.List<String> tags) {}

  record Outer(String id, Inner inner, java.util.List<Inner> items, java.util.Map<String, Object> extra) {}

  @Test
  void nestedRecordsListsAndMapsSurviveTheBusCopy(Vertx vertx, VertxTestContext ctx) {
    Outer sent = new Outer("o1", new Inner("a", java.util.List.of("x", "y")),
        java.util.List.of(new Inner("b", java.util.List.of())), java.util.Map.of("k", java.util.Map.of("n", 1)));
    Bus.consumer(vertx, "test.nested", Outer.class, req -> Future.succeededFuture(req.body()))
        .completion()
        .compose(v -> Bus.request(vertx, "test.nested", sent, Outer.class, 2000, null))
        .onComplete(ctx.succeeding(reply -> ctx.verify(() -> {
          assertThat(reply).isEqualTo(sent);
          ctx.completeNow();
        })));
  }

  @Test
  void secretsNeverShowInToString() {
    Echo echo = new Echo("hi", new Secret("s3cr3t-value"));
    assertNoSecret("Echo.toString()", echo.toString(), "the echoed secret", "s3cr3t-value");
    assertThat(echo.toString()).contains("[REDACTED]");
    assertThat(Json.toJson(echo).getString("secret")).isEqualTo("s3cr3t-value");
  }

  @Test
  void consumerFailureArrivesWithStatusCodeAndMessage(Vertx vertx, VertxTestContext ctx) {
    Bus.consumer(vertx, "test.fail", JsonObject.class,
            req -> Future.failedFuture(ServiceException.conflict("TRUNK_BUSY", "setup is running")))
        .completion()
        .compose(v -> Bus.request(vertx, "test.fail", new JsonObject(), JsonObject.class, 2000, null))
        .onComplete(ctx.failing(err -> ctx.verify(() -> {
          assertThat(err).isInstanceOf(ServiceException.class);
          ServiceException se = (ServiceException) err;
          assertThat(se.status()).isEqualTo(409);
          assertThat(se.code()).isEqualTo("TRUNK_BUSY");
          assertThat(se.getMessage()).isEqualTo("setup is running");
          ctx.completeNow();
        })));
  }

  @Test
  void unexpectedExceptionIsA500WithoutInternals(Vertx vertx, VertxTestContext ctx) {
    Bus.consumer(vertx, "test.boom", JsonObject.class, req -> {
      throw new IllegalStateException("internal detail com.example.Secret");
    }).completion()
        .compose(v -> Bus.request(vertx, "test.boom", new JsonObject(), JsonObject.class, 2000, null))
        .onComplete(ctx.failing(err -> ctx.verify(() -> {
          ServiceException se = (ServiceException) err;
          assertThat(se.status()).isEqualTo(500);
          assertThat(se.getMessage()).doesNotContain("com.example");
          ctx.completeNow();
        })));
  }

  @Test
  void noConsumerIs503(Vertx vertx, VertxTestContext ctx) {
    Bus.request(vertx, "test.nobody", new JsonObject(), JsonObject.class, 2000, null)
        .onComplete(ctx.failing(err -> ctx.verify(() -> {
          assertThat(((ServiceException) err).status()).isEqualTo(503);
          ctx.completeNow();
        })));
  }

  @Test
  void silentConsumerIs504AfterTheTimeout(Vertx vertx, VertxTestContext ctx) {
    vertx.eventBus().consumer("test.silent", m -> { });
    Bus.request(vertx, "test.silent", new JsonObject(), JsonObject.class, 200, null)
        .onComplete(ctx.failing(err -> ctx.verify(() -> {
          assertThat(((ServiceException) err).status()).isEqualTo(504);
          ctx.completeNow();
        })));
  }

  @Test
  void bodyThatDoesNotFitTheRecordIs400(Vertx vertx, VertxTestContext ctx) {
    record Typed(int count) {}
    Bus.consumer(vertx, "test.typed", Typed.class, req -> Future.succeededFuture(req.body()))
        .completion()
        .compose(v -> Bus.request(vertx, "test.typed", new JsonObject().put("count", "many"), Typed.class, 2000, null))
        .onComplete(ctx.failing(err -> ctx.verify(() -> {
          assertThat(((ServiceException) err).status()).isEqualTo(400);
          ctx.completeNow();
        })));
  }

  @Test
  void aStoppingNodeAnswersWhatItCouldNotFinish503InsteadOfLeavingItsSendersToTimeOut(Vertx vertx,
      VertxTestContext ctx) {
    // A handler that never finishes: the node stops with the request still in its hands.
    var consumer = Bus.consumer(vertx, "test.stuck", JsonObject.class, req -> Promise.<JsonObject>promise().future());
    long sentAt = System.nanoTime();
    consumer.completion()
        .onSuccess(v -> Bus.request(vertx, "test.stuck", new JsonObject(), JsonObject.class, 20_000, null)
            .onComplete(ctx.failing(err -> ctx.verify(() -> {
              ServiceException se = (ServiceException) err;
              assertThat(se.status()).as("answered by the stopping node, not the sender's timeout").isEqualTo(503);
              assertThat(se.code()).isEqualTo("SERVICE_UNAVAILABLE");
              assertThat(System.nanoTime() - sentAt).isLessThan(TimeUnit.SECONDS.toNanos(10));
              ctx.completeNow();
            }))))
        // Once the request is in the handler's hands: the node stops, waiting at most 300 ms for it.
        .onSuccess(v -> vertx.setTimer(100, t -> Bus.drain(vertx, List.of(consumer), () -> 1, 300)));
  }

  @Test
  void aRequestDiscardedByAnUnregisteringConsumerCountsAsRefusedNotAsTimedOut() {
    assertThat(Bus.refused(new ReplyException(ReplyFailure.TIMEOUT,
        "Discarded the request. address: __vertx.reply.1, repliedAddress: trunkline.provisioning.v1.list")))
        .as("nothing was handled: it may go to another node").isTrue();
    assertThat(Bus.refused(new ReplyException(ReplyFailure.NO_HANDLERS, "No handlers for address x"))).isTrue();
    assertThat(Bus.refused(new ReplyException(ReplyFailure.TIMEOUT, "Timed out after waiting 200(ms) for a reply")))
        .as("a real timeout may have been handled").isFalse();
  }
}
