package dev.trunkline.app;

import dev.trunkline.contract.config.BusTimeout;
import dev.trunkline.contract.config.Option;
import dev.trunkline.contract.config.Options;
import dev.trunkline.gateway.GatewayConfig;
import dev.trunkline.provisioning.ProvisioningConfig;
import dev.trunkline.retell.RetellConfig;
import dev.trunkline.store.StoreConfig;
import dev.trunkline.twilio.TwilioConfig;
import java.util.List;

/**
 * The launcher's own keys (mode, roles, cluster, metrics, log, health), and {@link #ALL}: every key of every module,
 * the one list the launcher loads defaults from and checks a configuration against. A module's keys are declared
 * in its {@code *Config} class; a new module adds its list here (docs/development.md, "Adding a configuration key").
 */
final class NodeOptions {
  static final Option<String> MODE = Option.string("mode", "auto");
  static final Option<String> ROLES = Option.string("roles", Roles.KNOWN);

  static final Option<Boolean> CLUSTER_ENABLED = Option.flag("cluster.enabled", false);
  static final Option<String> CLUSTER_NAME = Option.string("cluster.name", "trunkline");
  static final Option<String> CLUSTER_MEMBERS = Option.string("cluster.members", "127.0.0.1");
  static final Option<Integer> CLUSTER_PORT = Option.integer("cluster.port", 5701);
  static final Option<String> CLUSTER_INTERFACE = Option.unsetString("cluster.interface", null);
  static final Option<String> CLUSTER_EVENT_BUS_HOST = Option.string("cluster.eventBusHost", "127.0.0.1");
  static final Option<Integer> CLUSTER_EVENT_BUS_PORT = Option.integer("cluster.eventBusPort", 0);
  static final Option<String> CLUSTER_PUBLIC_HOST = Option.unsetString("cluster.publicHost", null);
  static final Option<Integer> CLUSTER_HEARTBEAT_SECONDS = Option.integer("cluster.heartbeatSeconds", 1);
  static final Option<Integer> CLUSTER_MAX_NO_HEARTBEAT_SECONDS = Option.integer("cluster.maxNoHeartbeatSeconds", 10);
  static final Option<Integer> CLUSTER_MERGE_FIRST_RUN_DELAY_SECONDS =
      Option.integer("cluster.mergeFirstRunDelaySeconds", 30);
  static final Option<Integer> CLUSTER_MERGE_NEXT_RUN_DELAY_SECONDS =
      Option.integer("cluster.mergeNextRunDelaySeconds", 30);
  static final Option<Integer> CLUSTER_MIN_MEMBERS = Option.integer("cluster.minMembers", 1);
  static final Option<Boolean> CLUSTER_TLS_ENABLED = Option.flag("cluster.tls.enabled", false);
  static final Option<String> CLUSTER_TLS_KEY_STORE = Option.unsetString("cluster.tls.keyStore", null);
  static final Option<String> CLUSTER_TLS_KEY_STORE_PASSWORD = Option.unsetString("cluster.tls.keyStorePassword", null);
  static final Option<String> CLUSTER_TLS_TRUST_STORE = Option.unsetString("cluster.tls.trustStore", null);
  static final Option<String> CLUSTER_TLS_TRUST_STORE_PASSWORD =
      Option.unsetString("cluster.tls.trustStorePassword", null);

  static final Option<Boolean> METRICS_ENABLED = Option.flag("metrics.enabled", true);
  static final Option<Integer> METRICS_PORT = Option.integer("metrics.port", null);
  static final Option<String> METRICS_HOST = Option.string("metrics.host", "127.0.0.1");

  /** {@code text} or {@code json}: applied to Logback by {@link LogFormat} before the node starts. */
  static final Option<String> LOG_FORMAT = Option.string("log.format", "text");

  /**
   * Where a node without the gateway role serves {@code /health/live} and {@code /health/ready}
   * ({@link HealthServer}); a gateway node serves them on its API port and opens no other.
   */
  static final Option<Integer> HEALTH_PORT = Option.integer("health.port", 8081);
  static final Option<String> HEALTH_HOST = Option.string("health.host", "0.0.0.0");

  static final List<Option<?>> OWN = List.of(MODE, ROLES, CLUSTER_ENABLED, CLUSTER_NAME, CLUSTER_MEMBERS,
      CLUSTER_PORT, CLUSTER_INTERFACE, CLUSTER_EVENT_BUS_HOST, CLUSTER_EVENT_BUS_PORT, CLUSTER_PUBLIC_HOST,
      CLUSTER_HEARTBEAT_SECONDS, CLUSTER_MAX_NO_HEARTBEAT_SECONDS, CLUSTER_MERGE_FIRST_RUN_DELAY_SECONDS,
      CLUSTER_MERGE_NEXT_RUN_DELAY_SECONDS, CLUSTER_MIN_MEMBERS, CLUSTER_TLS_ENABLED, CLUSTER_TLS_KEY_STORE,
      CLUSTER_TLS_KEY_STORE_PASSWORD, CLUSTER_TLS_TRUST_STORE, CLUSTER_TLS_TRUST_STORE_PASSWORD, METRICS_ENABLED,
      METRICS_PORT, METRICS_HOST, LOG_FORMAT, HEALTH_PORT, HEALTH_HOST);

  /** Every key Trunkline knows. */
  static final Options ALL = new Options(List.of(OWN, BusTimeout.OPTIONS, StoreConfig.OPTIONS, TwilioConfig.OPTIONS,
      RetellConfig.OPTIONS, ProvisioningConfig.OPTIONS, GatewayConfig.OPTIONS));

  private NodeOptions() {}
}
