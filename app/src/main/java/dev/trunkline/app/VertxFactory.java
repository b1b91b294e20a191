package dev.trunkline.app;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.Arrays;

/** Creates the Vert.x instance: standalone, or clustered with Hazelcast over a TCP-IP member list. */
public final class VertxFactory {
  private VertxFactory() {}

  public static Future<Vertx> create(JsonObject config) {
    VertxOptions options = new VertxOptions()
        .setMetricsOptions(new MicrometerMetricsOptions()
            .setEnabled(true)
            .setJvmMetricsEnabled(true)
            .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true)));
    JsonObject cluster = config.getJsonObject("cluster", new JsonObject());
    if (!cluster.getBoolean("enabled", false)) {
      return Future.succeededFuture(Vertx.builder().with(options).build());
    }
    options.setEventBusOptions(eventBusOptions(cluster));
    return Vertx.builder().with(options).withClusterManager(new HazelcastClusterManager(hazelcast(cluster)))
        .buildClustered();
  }

  static EventBusOptions eventBusOptions(JsonObject cluster) {
    EventBusOptions bus = new EventBusOptions()
        .setHost(cluster.getString("eventBusHost", "127.0.0.1"))
        .setPort(cluster.getInteger("eventBusPort", 0));
    String publicHost = cluster.getString("publicHost");
    if (publicHost != null) {
      bus.setClusterPublicHost(publicHost);
    }
    JsonObject tls = cluster.getJsonObject("tls");
    if (tls != null && tls.getBoolean("enabled", false)) {
      bus.setSsl(true)
          .setKeyCertOptions(new io.vertx.core.net.JksOptions()
              .setPath(tls.getString("keyStore")).setPassword(tls.getString("keyStorePassword")))
          .setTrustOptions(new io.vertx.core.net.JksOptions()
              .setPath(tls.getString("trustStore")).setPassword(tls.getString("trustStorePassword")));
      bus.setClientAuth(io.vertx.core.http.ClientAuth.REQUIRED);
    }
    return bus;
  }

  /** Vert.x's own Hazelcast settings (the maps it needs), with our cluster name and member list. */
  static Config hazelcast(JsonObject cluster) {
    Config hz = ConfigUtil.loadConfig();
    hz.setClusterName(cluster.getString("name", "trunkline"));
    hz.getNetworkConfig().setPort(cluster.getInteger("port", 5701)).setPortAutoIncrement(true);
    String iface = cluster.getString("interface");
    if (iface != null) {
      hz.getNetworkConfig().getInterfaces().setEnabled(true).addInterface(iface);
    }
    JoinConfig join = hz.getNetworkConfig().getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true)
        .setMembers(Arrays.stream(cluster.getString("members", "127.0.0.1").split(","))
            .map(String::trim).filter(s -> !s.isEmpty()).toList());
    // Failure detection: how long a silent member is kept before its consumers are dropped (docs/deployment.md).
    hz.setProperty("hazelcast.heartbeat.interval.seconds", String.valueOf(cluster.getInteger("heartbeatSeconds", 1)));
    hz.setProperty("hazelcast.max.no.heartbeat.seconds", String.valueOf(cluster.getInteger("maxNoHeartbeatSeconds", 10)));
    return hz;
  }
}
