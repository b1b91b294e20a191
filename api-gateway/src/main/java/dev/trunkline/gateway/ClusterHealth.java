package dev.trunkline.gateway;

import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.Shareable;

/**
 * How readiness learns about the cluster without the gateway depending on a cluster manager: a clustered
 * launcher puts an implementation into the local map {@value #MAP} under {@value #KEY}; when none is there
 * (a single JVM) readiness has no cluster check.
 */
public interface ClusterHealth extends Shareable {
  String MAP = "trunkline";
  String KEY = "clusterHealth";

  /**
   * A quick, non-blocking look at the cluster from this node: {@code {"status": "UP"|"DOWN", "members": n,
   * "reason": "..."}} (reason only when down).
   */
  JsonObject check();
}
