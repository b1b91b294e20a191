package dev.trunkline.app;

import dev.trunkline.contract.HandoverClusterManager;
import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import dev.trunkline.contract.health.NodeHealth;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.Match;
import io.vertx.micrometer.MatchType;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.Arrays;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Creates the Vert.x instance: standalone, or clustered with Hazelcast over a TCP-IP member list. */
public final class VertxFactory {
  private static final Logger LOG = LoggerFactory.getLogger(VertxFactory.class);
  private VertxFactory() {}

  public static Future<Vertx> create(JsonObject config) {
    VertxOptions options = new VertxOptions().setMetricsOptions(metricsOptions(config));
    JsonObject cluster = config.getJsonObject("cluster", new JsonObject());
    if (!NodeOptions.CLUSTER_ENABLED.get(config)) {
      return Future.succeededFuture(Vertx.builder().with(options).build());
    }
    plaintextBusWarning(cluster).ifPresent(LOG::warn);
    options.setEventBusOptions(eventBusOptions(config));
    HazelcastClusterManager manager = new HazelcastClusterManager(hazelcast(config));
    HandoverClusterManager handover = new HandoverClusterManager(manager);
    return Vertx.builder().with(options).withClusterManager(handover).buildClustered()
        .compose(vertx -> handover.listen(vertx).map(vertx))
        .onSuccess(vertx -> {
          ClusterHealth health = new HazelcastClusterHealth(manager, NodeOptions.CLUSTER_MIN_MEMBERS.get(config));
          vertx.sharedData().getLocalMap(ClusterHealth.MAP).put(ClusterHealth.KEY, health);
          NodeHealth.of(vertx).add(manager, health);
          MemberDepartures.install(vertx, manager, handover);
        });
  }

  /**
   * Micrometer with a Prometheus registry (scraped at the gateway's {@code GET /metrics}) unless
   * {@code metrics.enabled} is false. HTTP server metrics carry the route name (the OpenAPI operationId, never
   * the path: paths hold tenant ids and would explode the label set); event-bus metrics carry the address
   * (a bounded set: the contract's addresses; Vert.x leaves reply addresses out).
   */
  /**
   * The per-tenant progress addresses ({@code trunkline.events.v1.numbers.<subaccountId>}) count as one: a tenant id
   * in a label would make the label set grow with the tenants and put tenant ids in every scrape.
   */
  static final Match TENANT_EVENTS = new Match().setDomain(MetricsDomain.EVENT_BUS).setLabel("address")
      .setType(MatchType.REGEX).setValue("trunkline\\.events\\.v1\\.numbers\\..+")
      .setAlias("trunkline.events.v1.numbers.<subaccountId>");
  /** The per-tenant drift addresses ({@code trunkline.events.v1.drift.<subaccountId>}) likewise. */
  static final Match TENANT_DRIFT_EVENTS = new Match().setDomain(MetricsDomain.EVENT_BUS).setLabel("address")
      .setType(MatchType.REGEX).setValue("trunkline\\.events\\.v1\\.drift\\..+")
      .setAlias("trunkline.events.v1.drift.<subaccountId>");

  static MicrometerMetricsOptions metricsOptions(JsonObject config) {
    boolean enabled = NodeOptions.METRICS_ENABLED.get(config);
    VertxPrometheusOptions prometheus = new VertxPrometheusOptions().setEnabled(enabled);
    Integer port = NodeOptions.METRICS_PORT.get(config);
    if (enabled && port != null) {
      // A node without the gateway role has no HTTP API: metrics.port gives it a /metrics of its own.
      prometheus.setStartEmbeddedServer(true).setEmbeddedServerEndpoint("/metrics")
          .setEmbeddedServerOptions(new HttpServerOptions().setHost(NodeOptions.METRICS_HOST.get(config))
              .setPort(port));
    }
    return new MicrometerMetricsOptions()
        .setEnabled(enabled)
        .setJvmMetricsEnabled(enabled)
        .addLabels(Label.HTTP_ROUTE, Label.EB_ADDRESS)
        .addLabelMatch(TENANT_EVENTS)
        .addLabelMatch(TENANT_DRIFT_EVENTS)
        .setPrometheusOptions(prometheus);
  }

  /**
   * The bus carries decrypted secrets (store replies, Retell sync requests). On loopback that stays on the
   * machine; a bus that other machines reach without TLS sends them across the network in clear.
   */
  static Optional<String> plaintextBusWarning(JsonObject cluster) {
    JsonObject tls = cluster.getJsonObject("tls");
    if (tls != null && tls.getBoolean("enabled", false)) {
      return Optional.empty();
    }
    String host = cluster.getString("publicHost", cluster.getString("eventBusHost", "127.0.0.1"));
    if (isLoopback(host)) {
      return Optional.empty();
    }
    return Optional.of("EVENT BUS WITHOUT TLS on " + host + ": SIP passwords, Twilio auth tokens and Retell API keys "
        + "cross the network in clear between nodes. Set cluster.tls (docs/deployment.md, \"Event-bus TLS\") "
        + "on every node.");
  }

  private static boolean isLoopback(String host) {
    return host.equals("localhost") || host.startsWith("127.") || host.equals("::1") || host.equals("[::1]");
  }

  static EventBusOptions eventBusOptions(JsonObject config) {
    EventBusOptions bus = new EventBusOptions()
        .setHost(NodeOptions.CLUSTER_EVENT_BUS_HOST.get(config))
        .setPort(NodeOptions.CLUSTER_EVENT_BUS_PORT.get(config));
    String publicHost = NodeOptions.CLUSTER_PUBLIC_HOST.get(config);
    if (publicHost != null) {
      bus.setClusterPublicHost(publicHost);
    }
    if (NodeOptions.CLUSTER_TLS_ENABLED.get(config)) {
      bus.setSsl(true)
          .setKeyCertOptions(new io.vertx.core.net.JksOptions()
              .setPath(NodeOptions.CLUSTER_TLS_KEY_STORE.get(config))
              .setPassword(NodeOptions.CLUSTER_TLS_KEY_STORE_PASSWORD.get(config)))
          .setTrustOptions(new io.vertx.core.net.JksOptions()
              .setPath(NodeOptions.CLUSTER_TLS_TRUST_STORE.get(config))
              .setPassword(NodeOptions.CLUSTER_TLS_TRUST_STORE_PASSWORD.get(config)));
      bus.setClientAuth(io.vertx.core.http.ClientAuth.REQUIRED);
    }
    return bus;
  }

  /** Vert.x's own Hazelcast settings (the maps it needs), with our cluster name and member list. */
  static Config hazelcast(JsonObject config) {
    Config hz = ConfigUtil.loadConfig();
    hz.setClusterName(NodeOptions.CLUSTER_NAME.get(config));
    hz.getNetworkConfig().setPort(NodeOptions.CLUSTER_PORT.get(config)).setPortAutoIncrement(true);
    String iface = NodeOptions.CLUSTER_INTERFACE.get(config);
    if (iface != null) {
      hz.getNetworkConfig().getInterfaces().setEnabled(true).addInterface(iface);
    }
    JoinConfig join = hz.getNetworkConfig().getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true)
        .setMembers(Arrays.stream(NodeOptions.CLUSTER_MEMBERS.get(config).split(","))
            .map(String::trim).filter(s -> !s.isEmpty()).toList());
    // Failure detection: how long a silent member is kept before its consumers are dropped (docs/deployment.md).
    hz.setProperty("hazelcast.heartbeat.interval.seconds", String.valueOf(NodeOptions.CLUSTER_HEARTBEAT_SECONDS.get(config)));
    hz.setProperty("hazelcast.max.no.heartbeat.seconds", String.valueOf(NodeOptions.CLUSTER_MAX_NO_HEARTBEAT_SECONDS.get(config)));
    // Split-brain healing: a member that started alone (its join timed out on a loaded host) or was expelled
    // forms a cluster of its own; Hazelcast merges such clusters only after these delays (stock 300 s / 120 s,
    // during which a lone store node answers no one). Vert.x re-registers its consumers after a merge.
    hz.setProperty("hazelcast.merge.first.run.delay.seconds",
        String.valueOf(NodeOptions.CLUSTER_MERGE_FIRST_RUN_DELAY_SECONDS.get(config)));
    hz.setProperty("hazelcast.merge.next.run.delay.seconds",
        String.valueOf(NodeOptions.CLUSTER_MERGE_NEXT_RUN_DELAY_SECONDS.get(config)));
    return hz;
  }
}
