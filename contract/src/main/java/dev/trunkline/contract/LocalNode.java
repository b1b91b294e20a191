package dev.trunkline.contract;

import io.vertx.core.Vertx;

/**
 * This JVM's id in the cluster (its Hazelcast member id, the id {@link Addresses.Cluster#MEMBER_LEFT} names
 * when the node leaves), as the launcher records it in a local map; null when not clustered. Something a node
 * holds in the store (a lock) names it, so that the others can tell it is gone without waiting out a lease.
 */
public final class LocalNode {
  private static final String MAP = "trunkline.cluster";
  private static final String KEY = "nodeId";

  private LocalNode() {}

  public static void record(Vertx vertx, String nodeId) {
    vertx.sharedData().getLocalMap(MAP).put(KEY, nodeId);
  }

  public static String id(Vertx vertx) {
    return (String) vertx.sharedData().getLocalMap(MAP).get(KEY);
  }
}
