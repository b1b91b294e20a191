package dev.trunkline.gateway;

import dev.trunkline.contract.BusCaller;
import dev.trunkline.contract.ServiceException;
import dev.trunkline.contract.StoreClient;
import dev.trunkline.contract.health.Checks;
import dev.trunkline.contract.health.EventLoopHeartbeat;
import dev.trunkline.contract.health.HealthCheckProvider;
import dev.trunkline.contract.health.HealthCheckRegistry;
import dev.trunkline.contract.health.NodeHealth;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.RoutingContext;

/**
 * Liveness and readiness on the API port: the node's checks ({@link NodeHealth}, which every verticle of the node
 * adds its own to), rendered as {@code {"status", "checks": {name: {"status", "reason", ...}}}}; 200 when all are
 * up, else 503. The gateway's own readiness check is that the store answers a ping over the bus within
 * {@code gateway.readyTimeoutMs}: it is what every route needs. It shares the name {@code store} with the store
 * verticle's own check on a node that runs both, and names the store's backend ({@code embedded} is one node's
 * file, which a production deployment should see at a glance).
 */
final class HealthRoutes implements HealthCheckProvider {
  private final Vertx vertx;
  private final long readyTimeoutMs;
  private final EventLoopHeartbeat heartbeat;

  /** @param heartbeat the gateway instance's, for its liveness check; null when only serving the probes */
  HealthRoutes(Vertx vertx, long readyTimeoutMs, EventLoopHeartbeat heartbeat) {
    this.vertx = vertx;
    this.readyTimeoutMs = readyTimeoutMs;
    this.heartbeat = heartbeat;
  }

  @Override
  public void registerReadinessChecks(HealthCheckRegistry readiness) {
    readiness.register("store", promise -> new StoreClient(BusCaller.of(vertx, readyTimeoutMs, null, null)).ping()
        .map(reply -> {
          JsonObject data = new JsonObject().put("backend", reply.backend());
          return reply.ok() ? Status.OK(data) : Status.KO(data.put("reason", "the store reports it is not ok"));
        })
        .otherwise(err -> {
          ServiceException e = ServiceException.from(err);
          return Checks.down(e.status() == 504 ? "the store did not answer in time"
              : e.status() == 503 ? "the store is not running" : "the store failed: " + e.code());
        })
        .onComplete(ar -> promise.tryComplete(ar.result())));
  }

  @Override
  public void registerLivenessChecks(HealthCheckRegistry liveness) {
    if (heartbeat != null) {
      liveness.register("gateway", heartbeat.check());
    }
  }

  void live(RoutingContext ctx) {
    NodeHealth.of(vertx).live().onComplete(ar -> respond(ctx, ar.succeeded() ? NodeHealth.body(ar.result())
        : new JsonObject().put("status", "DOWN")));
  }

  void ready(RoutingContext ctx) {
    NodeHealth.of(vertx).ready().onComplete(ar -> respond(ctx, ar.succeeded() ? NodeHealth.body(ar.result())
        : new JsonObject().put("status", "DOWN")));
  }

  private static void respond(RoutingContext ctx, JsonObject body) {
    ctx.response().setStatusCode("UP".equals(body.getString("status")) ? 200 : 503)
        .putHeader("Content-Type", "application/json").putHeader("Cache-Control", "no-store").end(body.encode());
  }
}
