package dev.trunkline.app;

import dev.trunkline.contract.health.HealthCheckProvider;
import dev.trunkline.contract.health.HealthCheckRegistry;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.Status;
import io.vertx.core.shareddata.Shareable;

/**
 * The cluster as this node sees it: a clustered launcher puts an implementation into the local map {@value #MAP}
 * under {@value #KEY} (the banner reads it) and adds it to the node's readiness as the {@code cluster} check; a
 * single JVM has neither.
 */
interface ClusterHealth extends Shareable, HealthCheckProvider {
  String MAP = "trunkline";
  String KEY = "clusterHealth";

  /**
   * A quick, non-blocking look at the cluster from this node: {@code {"status": "UP"|"DOWN", "members": n,
   * "reason": "..."}} (reason only when down).
   */
  JsonObject check();

  /** {@code cluster}: up while {@link #check} says so, with its member count (and reason when down). */
  @Override
  default void registerReadinessChecks(HealthCheckRegistry readiness) {
    readiness.register("cluster", promise -> {
      JsonObject view;
      try {
        view = check();
      } catch (RuntimeException e) {
        view = new JsonObject().put("status", "DOWN").put("reason", "the cluster manager failed: "
            + e.getClass().getSimpleName());
      }
      JsonObject data = view.copy();
      boolean up = "UP".equals(data.remove("status"));
      promise.complete(up ? Status.OK(data) : Status.KO(data));
    });
  }
}
