package com.example.sibling;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import dev.trunkline.contract.HandoverClusterManager;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.Arrays;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts a program that is not Trunkline: a clustered Vert.x that joins Trunkline's Hazelcast cluster, then deploys
 * {@link FixRunnerVerticle}. Its classpath holds Trunkline's {@code contract} jar and third-party jars, nothing else
 * of Trunkline, so it joins the cluster with Vert.x's own Hazelcast settings rather than Trunkline's launcher.
 *
 * <p>Settings are system properties: {@code sibling.cluster.name}, {@code sibling.cluster.members}
 * ({@code host:port,...}, Trunkline's {@code cluster.members}), {@code sibling.cluster.port} (this member's Hazelcast
 * port) and {@code sibling.http.port} (0 picks one; the verticle logs the port it got).
 */
public final class SiblingMain {
  private static final Logger LOG = LoggerFactory.getLogger(SiblingMain.class);

  private SiblingMain() {}

  public static void main(String[] args) throws Exception {
    Config hazelcast = hazelcast(required("sibling.cluster.name"), required("sibling.cluster.members"),
        Integer.parseInt(required("sibling.cluster.port")));
    // The event bus listens on loopback as Trunkline's nodes do by default; members reach each other there.
    VertxOptions options = new VertxOptions()
        .setEventBusOptions(new EventBusOptions().setHost("127.0.0.1").setPort(0));
    JsonObject config = new JsonObject().put("httpPort", Integer.getInteger("sibling.http.port", 0));
    // Waited for here, on the main thread: a failure exits from here, not from an event loop the exit would block.
    // Wrapped so that this sibling's requests go around a Trunkline node that announces its stop (docs/event-bus.md).
    HandoverClusterManager handover = new HandoverClusterManager(new HazelcastClusterManager(hazelcast));
    Vertx vertx = Vertx.builder().with(options).withClusterManager(handover)
        .buildClustered().toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
    handover.listen(vertx).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> close(vertx), "sibling-shutdown"));
    try {
      vertx.deployVerticle(new FixRunnerVerticle(), new DeploymentOptions().setConfig(config))
          .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      LOG.error("sibling failed to start", e instanceof ExecutionException ? e.getCause() : e);
      System.exit(1);
    }
    LOG.info("sibling is up");
  }

  /**
   * Vert.x's default Hazelcast settings (the maps and locks it needs) with the cluster's name, a TCP-IP member list
   * and the failure detection Trunkline's nodes use. A lite member: it joins the cluster, sees every consumer and
   * publishes to them, but holds no partition of Hazelcast's data, so stopping it moves no data around.
   */
  static Config hazelcast(String clusterName, String members, int port) {
    Config hz = ConfigUtil.loadConfig();
    hz.setClusterName(clusterName);
    hz.setLiteMember(true);
    // As Trunkline's nodes: the next port if this one was taken meanwhile (the member joins by calling the others).
    hz.getNetworkConfig().setPort(port).setPortAutoIncrement(true);
    JoinConfig join = hz.getNetworkConfig().getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setMembers(Arrays.stream(members.split(","))
        .map(String::trim).filter(s -> !s.isEmpty()).toList());
    hz.setProperty("hazelcast.heartbeat.interval.seconds", "1");
    hz.setProperty("hazelcast.max.no.heartbeat.seconds", "15");
    return hz;
  }

  private static String required(String property) {
    String value = System.getProperty(property);
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("set -D" + property);
    }
    return value;
  }

  private static void close(Vertx vertx) {
    try {
      // Leaves the cluster cleanly, so Trunkline's members drop this one at once rather than after missed heartbeats.
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("sibling did not close cleanly: {}", e.toString());
    }
  }
}
