package dev.trunkline.gateway;

import dev.trunkline.contract.BusCaller;
import dev.trunkline.contract.ServiceException;
import dev.trunkline.contract.StoreClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * Liveness and readiness. Live answers 200 while the process serves HTTP. Ready answers 200 only when the
 * launcher has marked deployment complete ({@code "deployed"} in the {@code trunkline} local map) and the
 * store answers a ping within the readiness timeout and, on a clustered node, the cluster manager reports
 * this node an active member (the launcher's {@link ClusterHealth} hook); otherwise 503 naming the check that
 * failed. The store check names its backend: {@code embedded} is one node's file, which a production deployment
 * should see at a glance.
 */
final class HealthRoutes {
  static final String DEPLOYED_MAP = "trunkline";
  static final String DEPLOYED_KEY = "deployed";

  private final Vertx vertx;
  private final long readyTimeoutMs;

  HealthRoutes(Vertx vertx, long readyTimeoutMs) {
    this.vertx = vertx;
    this.readyTimeoutMs = readyTimeoutMs;
  }

  void live(RoutingContext ctx) {
    send(ctx, 200, new JsonObject().put("status", "UP"));
  }

  void ready(RoutingContext ctx) {
    boolean deployed = vertx.sharedData().getLocalMap(DEPLOYED_MAP).get(DEPLOYED_KEY) == Boolean.TRUE;
    storeCheck(RequestIds.of(ctx)).onComplete(ar -> {
      JsonObject store = ar.result();
      JsonObject checks = new JsonObject()
          .put("deployed", deployed ? up() : down("deployment is not complete"))
          .put("store", store);
      boolean ready = deployed && "UP".equals(store.getString("status"));
      JsonObject cluster = clusterCheck();
      if (cluster != null) {
        checks.put("cluster", cluster);
        ready = ready && "UP".equals(cluster.getString("status"));
      }
      send(ctx, ready ? 200 : 503, new JsonObject().put("status", ready ? "UP" : "DOWN").put("checks", checks));
    });
  }

  /** The cluster's view from this node, or null when the node is not clustered (no hook installed). */
  private JsonObject clusterCheck() {
    Object hook = vertx.sharedData().getLocalMap(ClusterHealth.MAP).get(ClusterHealth.KEY);
    if (!(hook instanceof ClusterHealth health)) {
      return null;
    }
    try {
      return health.check();
    } catch (RuntimeException e) {
      return down("the cluster manager failed: " + e.getClass().getSimpleName());
    }
  }

  private Future<JsonObject> storeCheck(String requestId) {
    return new StoreClient(BusCaller.of(vertx, readyTimeoutMs, requestId, null)).ping()
        .map(reply -> (reply.ok() ? up() : down("the store reports it is not ok")).put("backend", reply.backend()))
        .otherwise(err -> {
          ServiceException e = ServiceException.from(err);
          return down(e.status() == 504 ? "the store did not answer in time"
              : e.status() == 503 ? "the store is not running" : "the store failed: " + e.code());
        });
  }

  private static JsonObject up() {
    return new JsonObject().put("status", "UP");
  }

  private static JsonObject down(String reason) {
    return new JsonObject().put("status", "DOWN").put("reason", reason);
  }

  private static void send(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
        .putHeader("Cache-Control", "no-store").end(body.encode());
  }
}
