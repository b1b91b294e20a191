package dev.trunkline.app;

import dev.trunkline.contract.HandoverClusterManager;
import dev.trunkline.contract.health.NodeHealth;
import dev.trunkline.store.StoreConfig;
import dev.trunkline.gateway.GatewayVerticle;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running Trunkline node: its Vert.x instance, its deployed verticles and, in sandbox mode, the
 * in-process simulators. {@link #start} resolves the mode, prepares the configuration and deploys;
 * {@link #close} shuts everything down in reverse order.
 */
public final class Trunkline {
  private static final Logger LOG = LoggerFactory.getLogger(Trunkline.class);

  private final Vertx vertx;
  private final JsonObject config;
  private final Sandbox sandbox;
  private final HealthServer health;
  private final List<String> deployments;

  private Trunkline(Vertx vertx, JsonObject config, Sandbox sandbox, HealthServer health, List<String> deployments) {
    this.vertx = vertx;
    this.config = config;
    this.sandbox = sandbox;
    this.health = health;
    this.deployments = deployments;
  }

  /**
   * Starts a node on {@code vertx} with a loaded configuration. The effective configuration's {@code mode} is the
   * resolved one ({@code sandbox} or {@code production}, never {@code auto}): the gateway reads it.
   */
  public static Future<Trunkline> start(Vertx vertx, JsonObject loadedConfig) {
    JsonObject config = loadedConfig.copy();
    Set<Roles> roles;
    StartupMode mode;
    try {
      roles = Roles.parse(config.getString("roles"));
      mode = StartupMode.resolve(config);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    config.put("mode", mode.name());
    Future<Sandbox> sandboxReady;
    if (mode.sandbox()) {
      if (!mode.configured().isEmpty()) {
        LOG.warn("SANDBOX MODE was asked for with production settings configured ({}): Twilio and Retell are "
            + "simulated, and these settings are used as they are", String.join(", ", mode.configured()));
      }
      sandboxReady = Sandbox.start(vertx, config);
    } else {
      sandboxReady = checkProduction(config, roles, mode).map(v -> {
        warnProduction(config, roles, mode);
        return (Sandbox) null;
      });
    }
    return sandboxReady.compose(sandbox -> healthServer(vertx, config, roles)
        .compose(health -> Deployer.deploy(vertx, config, roles)
            .map(ids -> new Trunkline(vertx, config, sandbox, health, new ArrayList<>(ids)))
            .recover(err -> (health == null ? Future.<Void>succeededFuture() : health.close())
                .transform(ignored -> Future.failedFuture(err))))
        .recover(err -> (sandbox == null ? Future.<Void>succeededFuture() : sandbox.close())
            .transform(ignored -> Future.failedFuture(err))));
  }

  /**
   * A node without the gateway role serves its probes on {@code health.port} (a gateway node on its API port),
   * from before its verticles deploy, so liveness answers while readiness says "deployment is not complete".
   */
  private static Future<HealthServer> healthServer(Vertx vertx, JsonObject config, Set<Roles> roles) {
    if (roles.contains(Roles.GATEWAY)) {
      return Future.succeededFuture(null);
    }
    return HealthServer.start(vertx, config)
        .onSuccess(server -> LOG.info("health probes on {}:{} (/health/live, /health/ready)",
            NodeOptions.HEALTH_HOST.get(config), server.port()))
        .recover(err -> Future.failedFuture(new IllegalStateException("could not serve the health probes on "
            + HealthServer.address(config) + " (health.port): " + err.getMessage(), err)));
  }

  /** Sandbox when asked for, or in {@code auto} mode when nothing production-like is configured. */
  static boolean isSandbox(JsonObject config) {
    return StartupMode.resolve(config).sandbox();
  }

  /**
   * Outside the sandbox nothing is generated: missing secrets stop the start with a message that says which and,
   * in {@code auto} mode, what made it production (so an operator who meant a sandbox sees why there is none).
   */
  private static Future<Void> checkProduction(JsonObject config, Set<Roles> roles, StartupMode mode) {
    List<String> missing = new ArrayList<>();
    if (roles.contains(Roles.STORE) && !StartupMode.isSet(config, "vault.keys")) {
      missing.add(StartupMode.describe("vault.keys"));
    }
    if (roles.contains(Roles.GATEWAY) && !StartupMode.isSet(config, "gateway.jwtSecret")
        && !StartupMode.isSet(config, "gateway.rs256PublicKeys")) {
      missing.add(StartupMode.describe("gateway.jwtSecret") + " or gateway.rs256PublicKeys");
    }
    if (missing.isEmpty()) {
      return Future.succeededFuture();
    }
    String why = mode.auto()
        ? "; auto mode chose production because " + String.join(", ", mode.configured()) + " is set (a sandbox "
            + "starts only when no production setting is, docs/security.md)"
        : "";
    return Future.failedFuture(new IllegalStateException(
        "production mode needs " + String.join(", ", missing) + why));
  }

  /** What a production node runs without and should not do so quietly. */
  private static void warnProduction(JsonObject config, Set<Roles> roles, StartupMode mode) {
    LOG.info("production mode{}", mode.auto() ? " (auto: " + String.join(", ", mode.configured()) + " set)" : "");
    if (roles.contains(Roles.STORE) && !StartupMode.isSet(config, "mongo.uri")) {
      LOG.warn("PRODUCTION ON THE EMBEDDED STORE: TRUNKLINE_MONGO_URI is not set, so every tenant's data is in {} "
          + "on this node alone: one node, no replication, no authentication on its loopback port, up to a second "
          + "of writes lost on a hard kill. Set TRUNKLINE_MONGO_URI to a MongoDB (docs/store.md).",
          Path.of(StoreConfig.DATA_DIR.get(config)).toAbsolutePath().normalize().resolve("store.mv"));
    }
    if (roles.contains(Roles.GATEWAY) && NodeOptions.METRICS_ENABLED.get(config)
        && NodeOptions.METRICS_PORT.get(config) == null) {
      LOG.warn("metrics are collected but not served: in production /metrics is not on the API port. Set "
          + "metrics.port (bound to metrics.host, default 127.0.0.1) to scrape them (docs/deployment.md)");
    }
  }

  public Vertx vertx() {
    return vertx;
  }

  /** The effective configuration, secrets included: never log it. */
  public JsonObject config() {
    return config;
  }

  /** The sandbox parts, or null outside sandbox mode. */
  public Sandbox sandbox() {
    return sandbox;
  }

  /**
   * The port the gateway listens on: the configured one, or the one it was given when configured with 0 (tests
   * do that with {@code http.instances} 1; with more, each instance would bind a port of its own).
   */
  public int httpPort() {
    Object actual = vertx.sharedData().getLocalMap(GatewayVerticle.PORT_MAP).get(GatewayVerticle.PORT_KEY);
    return actual instanceof Integer port ? port : config.getJsonObject("http").getInteger("port");
  }

  /** The port of the node's health probes when it has no gateway role (else -1: they are on the API port). */
  public int healthPort() {
    return health == null ? -1 : health.port();
  }

  public Path dataDir() {
    return Path.of(StoreConfig.DATA_DIR.get(config));
  }

  /**
   * In a cluster, first asks the other nodes to route their requests elsewhere while everything here still answers
   * ({@link HandoverClusterManager}). Undeploys in reverse order (gateway first: it stops accepting and drains its
   * in-flight requests, then the services it was calling), then stops the simulators. Bounded by
   * {@code http.shutdownTimeoutMs}. In a cluster, after the last deployed (the gateway, or the caller of the rest), the others stop all at once: each service's
   * drain keeps answering for a grace period ({@code Bus.drain}), one after another they kept the node in the
   * cluster for the sum of them, and a request a stopping node drops waits for its departure to be resent
   * (NodeDeaths); their callers' other requests go to the other nodes. In one JVM one after another, since the
   * services are the only ones the flows still running can call.
   */
  public Future<Void> close() {
    NodeHealth.markStopping(vertx);
    // Every step composed on a future of no context: the shutdown hook waits for the end of a chain that outlives
    // the event loops (vertx.close() comes last), so none of its futures may be bound to one.
    // A clustered node first has the others route around it, while everything here still answers.
    HandoverClusterManager handover = HandoverClusterManager.of(vertx);
    Future<Void> chain = handover == null || deployments.isEmpty() ? Future.succeededFuture()
        : handover.announceStopping(vertx);
    if (!deployments.isEmpty()) {
      chain = chain.compose(v -> undeploy(deployments.get(deployments.size() - 1)));
    }
    List<String> rest = deployments.subList(0, Math.max(0, deployments.size() - 1));
    if (vertx.isClustered()) {
      chain = chain.compose(v -> Future.join(rest.stream().map(this::undeploy).toList()).<Void>mapEmpty()
          .recover(err -> Future.succeededFuture()));
    } else {
      for (int i = rest.size() - 1; i >= 0; i--) {
        String id = rest.get(i);
        chain = chain.compose(v -> undeploy(id));
      }
    }
    Supplier<Future<Void>> stopSandbox = () -> sandbox == null ? Future.succeededFuture() : sandbox.close();
    Supplier<Future<Void>> stopHealth = () -> health == null ? Future.succeededFuture() : health.close();
    return chain.compose(v -> stopHealth.get()).compose(v -> stopSandbox.get());
  }

  private Future<Void> undeploy(String id) {
    return vertx.undeploy(id).recover(err -> {
      LOG.warn("undeploy failed: {}", err.getMessage());
      return Future.succeededFuture();
    });
  }
}
