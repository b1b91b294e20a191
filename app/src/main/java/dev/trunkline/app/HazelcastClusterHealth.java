package dev.trunkline.app;

import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

/**
 * Readiness's view of the Hazelcast cluster: this member is active (joined, not shutting down) and sees at
 * least {@code cluster.minMembers} members. Both answers come from Hazelcast's local membership view, so the
 * check never waits on the network.
 */
final class HazelcastClusterHealth implements ClusterHealth {
  private final HazelcastClusterManager manager;
  private final int minMembers;

  HazelcastClusterHealth(HazelcastClusterManager manager, int minMembers) {
    this.manager = manager;
    this.minMembers = Math.max(1, minMembers);
  }

  @Override
  public JsonObject check() {
    if (!manager.isActive()) {
      return new JsonObject().put("status", "DOWN").put("members", 0)
          .put("reason", "this node is not an active cluster member");
    }
    int members = manager.getNodes().size();
    JsonObject result = new JsonObject().put("members", members);
    if (members < minMembers) {
      return result.put("status", "DOWN")
          .put("reason", "sees " + members + " cluster members, needs at least " + minMembers);
    }
    return result.put("status", "UP");
  }
}
