package dev.trunkline.app;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import dev.trunkline.contract.Addresses;
import dev.trunkline.contract.LocalNode;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

/**
 * Tells this JVM's verticles when a cluster member leaves ({@link Addresses.Cluster#MEMBER_LEFT}, local only), so
 * that the provisioning service can resend what a fan-out still waits for from a node that died instead of waiting
 * out its timeout. A Hazelcast membership listener beside Vert.x's own (Vert.x keeps the cluster manager's single
 * node listener for itself).
 */
final class MemberDepartures implements MembershipListener {
  private final Vertx vertx;

  private MemberDepartures(Vertx vertx) {
    this.vertx = vertx;
  }

  static void install(Vertx vertx, HazelcastClusterManager manager) {
    LocalNode.record(vertx, manager.getHazelcastInstance().getCluster().getLocalMember().getUuid().toString());
    manager.getHazelcastInstance().getCluster().addMembershipListener(new MemberDepartures(vertx));
  }

  @Override
  public void memberAdded(MembershipEvent event) {
    // Nothing to redo: a new member simply starts receiving requests.
  }

  @Override
  public void memberRemoved(MembershipEvent event) {
    vertx.eventBus().publish(Addresses.Cluster.MEMBER_LEFT,
        new JsonObject().put("member", event.getMember().getUuid().toString()),
        new DeliveryOptions().setLocalOnly(true));
  }
}
