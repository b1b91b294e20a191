package dev.trunkline.gateway;

import static dev.trunkline.contract.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trunkline.contract.StoreMessages.RetellStatus;
import dev.trunkline.contract.testing.Await;
import dev.trunkline.gateway.TrunklineHarness.Tenant;
import dev.trunkline.provisioning.ProvisioningVerticle;
import dev.trunkline.simulators.FaultRule;
import dev.trunkline.simulators.RetellSimulator;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A gateway node (gateway and provisioning verticles) restarts in the middle of an asynchronous fix while the store
 * lives on: the stopping node starts no new numbers, lets those in flight finish and records the operation failed
 * with OPERATION_INTERRUPTED and what it did (docs/api.md "When a node stops or dies"); the restarted node reads it,
 * and the tenant's next fix runs (the slot is free) and repairs every number.
 */
@ExtendWith(VertxExtension.class)
class OperationRestartTest {
  private static final int NUMBERS = 12;
  private static final int CONCURRENCY = 2;
  private static TrunklineHarness h;

  @BeforeAll
  static void start(Vertx vertx, VertxTestContext test) {
    JsonObject overrides = new JsonObject()
        .put("provisioning", new JsonObject().put("fixConcurrency", CONCURRENCY).put("perNumberTimeoutMs", 10_000));
    TrunklineHarness.start(vertx, overrides, true).onComplete(test.succeeding(harness -> {
      h = harness;
      test.completeNow();
    }));
  }

  @AfterAll
  static void noSecretLeaked() {
    h.assertNoSecretLeaked();
  }

  @Test
  void aRestartInTheMiddleLeavesTheOperationFailedWithWhatWasDoneAndReadableAfter() {
    Tenant t = seedBrokenTenant("+1650570");
    String workspace = RetellSimulator.workspaceId(t.apiKey());
    FaultRule held = h.retell.faults().add(FaultRule.on("PATCH", "/update-phone-number/*").hold(30_000));
    long before = h.retell.requests().writes(workspace);
    String fix = h.path(t.id(), "/twilio/fix-retell-credentials");
    HttpResponse<Buffer> accepted = await(h.send(h.request(HttpMethod.POST, fix, h.token(t.id()))
        .putHeader("Prefer", "respond-async"), new JsonObject()));
    assertThat(accepted.statusCode()).as(accepted.bodyAsString()).isEqualTo(202);
    String location = accepted.getHeader("Location");
    await(held.whenHeld(CONCURRENCY));

    Future<Void> stopped = undeployGatewayNode();
    // Released only once the stopping node has stopped starting numbers: else the fix could simply finish.
    Await.until("the stopping node to interrupt its operation", Duration.ofSeconds(10),
        () -> h.logs().events(ProvisioningVerticle.class.getName()).stream()
            .anyMatch(e -> e.getFormattedMessage().contains("will be recorded as interrupted")));
    held.release();
    await("the gateway node to stop", stopped, Duration.ofSeconds(30));
    h.retell.faults().clear();
    await("the gateway node to start again", redeployGatewayNode(), Duration.ofSeconds(30));

    JsonObject after = await(h.call(HttpMethod.GET, location, h.token(t.id()), null)).bodyAsJsonObject()
        .getJsonObject("data");
    assertThat(after.getString("state")).isEqualTo("failed");
    assertThat(after.getJsonObject("report").getJsonObject("error").getString("code"))
        .isEqualTo("OPERATION_INTERRUPTED");
    long done = after.getLong("done");
    assertThat(done).as("the numbers in flight finished, no others").isEqualTo(CONCURRENCY);
    assertThat(h.retell.requests().writes(workspace) - before).as("Retell saw exactly what the record says")
        .isEqualTo(done);

    HttpResponse<Buffer> again = await(h.call(HttpMethod.POST, fix, h.token(t.id()), new JsonObject()));
    assertThat(again.statusCode()).as(again.bodyAsString()).isEqualTo(200);
    assertThat(again.bodyAsJsonObject().getString("message"))
        .isEqualTo("Fixed credentials for " + NUMBERS + " of " + NUMBERS + " phone numbers");
  }

  /** Undeploys the gateway and provisioning verticles, as a node that stops; the store and the others live on. */
  private static Future<Void> undeployGatewayNode() {
    VertxInternal internal = (VertxInternal) h.vertx;
    List<Future<Void>> undeployed = internal.deploymentManager().deployments().stream()
        .filter(d -> d.deployment().instances().stream().anyMatch(v -> v instanceof ProvisioningVerticle
            || v instanceof GatewayVerticle))
        .map(d -> h.vertx.undeploy(d.id()))
        .toList();
    assertThat(undeployed).hasSize(2);
    return Future.all(undeployed).mapEmpty();
  }

  private static Future<Void> redeployGatewayNode() {
    JsonObject config = h.config.copy();
    return h.vertx.deployVerticle(ProvisioningVerticle.class, new DeploymentOptions().setConfig(config))
        .compose(id -> h.vertx.deployVerticle(GatewayVerticle.class, new DeploymentOptions().setConfig(config)
            .setInstances(config.getJsonObject("http").getInteger("instances", 2))))
        .mapEmpty();
  }

  private static Tenant seedBrokenTenant(String prefix) {
    List<String> numbers = IntStream.range(0, NUMBERS).mapToObj(i -> String.format("%s%04d", prefix, i)).toList();
    return await(h.seedTenant()
        .compose(t -> h.saveNumbers(t, RetellStatus.IMPORTED, numbers).map(v -> t))
        .map(t -> {
          numbers.forEach(n -> h.retell.seedBroken(t.apiKey(), n, t.terminationUri()));
          return t;
        }));
  }
}
