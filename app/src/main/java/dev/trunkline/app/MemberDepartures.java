package dev.trunkline.app;

import dev.trunkline.contract.HandoverClusterManager;
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
 * out its timeout. A Hazelcast membership listener of its own (the cluster manager keeps a single node listener,
 * HandoverClusterManager's). It also has the node's request routing leave the member out at once
 * ({@link HandoverClusterManager#membershipChanged}).
 */
final class MemberDepartures implements MembershipListener {
  private final Vertx vertx;
  private final HandoverClusterManager handover;

  private MemberDepartures(Vertx vertx, HandoverClusterManager handover) {
    this.vertx = vertx;
    this.handover = handover;
  }

  static void install(Vertx vertx, HazelcastClusterManager manager, HandoverClusterManager handover) {
    LocalNode.record(vertx, manager.getHazelcastInstance().getCluster().getLocalMember().getUuid().toString());
    manager.getHazelcastInstance().getCluster().addMembershipListener(new MemberDepartures(vertx, handover));
  }

  @Override
  public void memberAdded(MembershipEvent event) {
    // Nothing to redo: a new member simply starts receiving requests.
  }

  @Override
  public void memberRemoved(MembershipEvent event) {
    // First nothing more is routed to it, then what it left unanswered is resent.
    handover.membershipChanged();
    vertx.eventBus().publish(Addresses.Cluster.MEMBER_LEFT,
        new JsonObject().put("member", event.getMember().getUuid().toString()),
        new DeliveryOptions().setLocalOnly(true));
  }
}
