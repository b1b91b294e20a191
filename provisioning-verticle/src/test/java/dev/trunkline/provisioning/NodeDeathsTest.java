package dev.trunkline.provisioning;

import static dev.trunkline.contract.testing.Await.await;
import static dev.trunkline.contract.testing.Await.awaitFailure;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trunkline.contract.Addresses;
import dev.trunkline.contract.NodeDeaths;
import dev.trunkline.contract.ServiceException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A request in flight when a cluster member leaves is sent again, and the first answer wins; without a departure
 * only an immediate "nobody answered" (a stopping node) is resent, and a failure that is not "nobody answered" is
 * not retried.
 */
@ExtendWith(VertxExtension.class)
class NodeDeathsTest {

  @Test
  void aRequestUnansweredWhenAMemberLeavesIsSentAgainAndTheResendAnswers(Vertx vertx) {
    Context ctx = vertx.getOrCreateContext();
    NodeDeaths deaths = onContext(ctx, () -> new NodeDeaths(vertx, 10));
    await(deaths.registered());
    List<Promise<String>> attempts = new ArrayList<>();
    Future<String> result = onContext(ctx, () -> deaths.resent(() -> {
      Promise<String> attempt = Promise.promise(); // never answered, as a request to a dead node
      attempts.add(attempt);
      return attempt.future();
    }));
    memberLeft(vertx);
    dev.trunkline.contract.testing.Await.until("the resend", () -> attempts.size() == 2);
    ctx.runOnContext(v -> attempts.get(1).complete("done by a survivor"));
    assertThat(await(result)).isEqualTo("done by a survivor");
    // The dead node's late answer, if it ever came, changes nothing.
    ctx.runOnContext(v -> attempts.get(0).tryFail(new ServiceException(504, "TIMEOUT", "late")));
    assertThat(attempts).hasSize(2);
  }

  @Test
  void withoutADepartureARequestIsSentOnceAndItsFailureStands(Vertx vertx) {
    Context ctx = vertx.getOrCreateContext();
    NodeDeaths deaths = onContext(ctx, () -> new NodeDeaths(vertx, 10));
    await(deaths.registered());
    int[] sent = {0};
    NodeDeaths inOneJvm = onContext(ctx, () -> new NodeDeaths(vertx, 10, false));
    await(inOneJvm.registered());
    Future<String> refused = onContext(ctx, () -> inOneJvm.resent(() -> {
      sent[0]++;
      return Future.failedFuture(new ServiceException(503, "SERVICE_UNAVAILABLE", "no service is consuming x"));
    }));
    assertThat(awaitFailure(refused, ServiceException.class).status()).as("in one JVM, nobody is the truth")
        .isEqualTo(503);
    assertThat(sent[0]).isEqualTo(1);
    sent[0] = 0;
    Future<String> result = onContext(ctx, () -> deaths.resent(() -> {
      sent[0]++;
      // A timeout as the bus reports it: after the request's time, longer than a stopping node takes to refuse.
      Promise<String> slow = Promise.promise();
      vertx.setTimer(NodeDeaths.STOPPING_NODE_MS + 100,
          t -> slow.fail(new ServiceException(504, "TIMEOUT", "slow")));
      return slow.future();
    }));
    assertThat(awaitFailure(result, ServiceException.class).code()).isEqualTo("TIMEOUT");
    assertThat(sent[0]).isEqualTo(1);
  }

  /**
   * A node that is stopping refuses at once ("no handlers" once its consumers are gone, or its bus closing under
   * the request) before any member has left: that is resent too, and the node that still serves answers. Before,
   * it failed the request (a purchase then answered 502 PURCHASED_NOT_RECORDED during a rolling restart).
   */
  @Test
  void anImmediateRefusalWithoutADepartureIsAStoppingNodeAndIsResent(Vertx vertx) {
    Context ctx = vertx.getOrCreateContext();
    NodeDeaths deaths = onContext(ctx, () -> new NodeDeaths(vertx, 10, true));
    await(deaths.registered());
    int[] sent = {0};
    Future<String> result = onContext(ctx, () -> deaths.resent(() -> ++sent[0] == 1
        ? Future.failedFuture(new ServiceException(503, "SERVICE_UNAVAILABLE", "no service is consuming x"))
        : Future.succeededFuture("served by the node that stays")));
    assertThat(await(result)).isEqualTo("served by the node that stays");
    assertThat(sent[0]).isEqualTo(2);
  }

  @Test
  void aTimeoutAfterADepartureIsResentButARefusalIsNot(Vertx vertx) {
    Context ctx = vertx.getOrCreateContext();
    NodeDeaths deaths = onContext(ctx, () -> new NodeDeaths(vertx, 10));
    await(deaths.registered());
    List<Promise<String>> attempts = new ArrayList<>();
    Future<String> timedOut = onContext(ctx, () -> deaths.resent(() -> {
      Promise<String> attempt = Promise.promise();
      attempts.add(attempt);
      return attempt.future();
    }));
    memberLeft(vertx);
    dev.trunkline.contract.testing.Await.until("the resend", () -> attempts.size() == 2);
    // Both the original and the resend time out: one more resend (the dead node may still have been picked).
    ctx.runOnContext(v -> {
      attempts.get(0).fail(new ServiceException(504, "TIMEOUT", "dead node"));
      attempts.get(1).fail(new ServiceException(504, "TIMEOUT", "routed to the dead node again"));
    });
    dev.trunkline.contract.testing.Await.until("a resend after the failed one", () -> attempts.size() == 3);
    ctx.runOnContext(v -> attempts.get(2).complete("ok"));
    assertThat(await(timedOut)).isEqualTo("ok");

    int[] sent = {0};
    Future<String> refused = onContext(ctx, () -> deaths.resent(() -> {
      sent[0]++;
      return Future.failedFuture(new ServiceException(422, "RETELL_ERROR", "refused"));
    }));
    assertThat(awaitFailure(refused, ServiceException.class).status()).isEqualTo(422);
    assertThat(sent[0]).isEqualTo(1);
  }

  private static void memberLeft(Vertx vertx) {
    vertx.eventBus().publish(Addresses.Cluster.MEMBER_LEFT, new JsonObject().put("member", "c"),
        new DeliveryOptions().setLocalOnly(true));
  }

  /** NodeDeaths lives on one context, as on its verticle's: create and call it there. */
  private static <T> T onContext(Context ctx, Callable<T> action) {
    Promise<T> done = Promise.promise();
    ctx.runOnContext(v -> {
      try {
        done.complete(action.call());
      } catch (Exception e) {
        done.fail(e);
      }
    });
    return await(done.future());
  }
}
