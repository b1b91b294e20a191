package dev.trunkline.app;

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
  private final List<String> deployments;

  private Trunkline(Vertx vertx, JsonObject config, Sandbox sandbox, List<String> deployments) {
    this.vertx = vertx;
    this.config = config;
    this.sandbox = sandbox;
    this.deployments = deployments;
  }

  /**
   * Starts a node on {@code vertx} with a loaded configuration.
   */
  public static Future<Trunkline> start(Vertx vertx, JsonObject loadedConfig) {
    JsonObject config = loadedConfig.copy();
    Set<Roles> roles;
    try {
      roles = Roles.parse(config.getString("roles"));
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    boolean sandboxMode = isSandbox(config);
    Future<Sandbox> sandboxReady = sandboxMode
        ? Sandbox.start(vertx, config)
        : checkProduction(config, roles).map(v -> (Sandbox) null);
    return sandboxReady.compose(sandbox -> Deployer.deploy(vertx, config, roles)
        .map(ids -> new Trunkline(vertx, config, sandbox, new ArrayList<>(ids)))
        .recover(err -> (sandbox == null ? Future.<Void>succeededFuture() : sandbox.close())
            .transform(ignored -> Future.failedFuture(err))));
  }

  /** Sandbox when asked for, or in {@code auto} mode when no upstream URL is configured. */
  static boolean isSandbox(JsonObject config) {
    String mode = config.getString("mode", "auto");
    if ("sandbox".equals(mode)) {
      return true;
    }
    if ("production".equals(mode)) {
      return false;
    }
    if (!"auto".equals(mode)) {
      throw new IllegalArgumentException("mode must be auto, sandbox or production, got '" + mode + "'");
    }
    return ConfigLoader.get(config, "twilio.apiBaseUrl") == null
        && ConfigLoader.get(config, "twilio.trunkingBaseUrl") == null
        && ConfigLoader.get(config, "retell.baseUrl") == null;
  }

  /** Outside the sandbox nothing is generated: missing secrets stop the start with a message that says which. */
  private static Future<Void> checkProduction(JsonObject config, Set<Roles> roles) {
    List<String> missing = new ArrayList<>();
    if (roles.contains(Roles.STORE) && ConfigLoader.get(config, "vault.keys") == null) {
      missing.add("TRUNKLINE_KEYS (vault.keys)");
    }
    if (roles.contains(Roles.GATEWAY) && ConfigLoader.get(config, "gateway.jwtSecret") == null
        && config.getJsonObject("gateway", new JsonObject()).getJsonArray("rs256PublicKeys", new io.vertx.core.json.JsonArray()).isEmpty()) {
      missing.add("TRUNKLINE_JWT_SECRET (gateway.jwtSecret) or gateway.rs256PublicKeys");
    }
    if (!missing.isEmpty()) {
      return Future.failedFuture(new IllegalStateException(
          "production mode needs " + String.join(", ", missing) + "; or run without upstream URLs for the sandbox"));
    }
    return Future.succeededFuture();
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

  public Path dataDir() {
    return Path.of(config.getString("dataDir", "./data"));
  }

  /**
   * Undeploys in reverse order (gateway first: it stops accepting and drains its in-flight requests, then the
   * services it was calling), then stops the simulators. Bounded by {@code http.shutdownTimeoutMs}.
   */
  public Future<Void> close() {
    Future<Void> chain = Future.succeededFuture();
    vertx.sharedData().getLocalMap(Deployer.STATE_MAP).remove(Deployer.DEPLOYED_KEY);
    for (int i = deployments.size() - 1; i >= 0; i--) {
      String id = deployments.get(i);
      chain = chain.compose(v -> vertx.undeploy(id).recover(err -> {
        LOG.warn("undeploy failed: {}", err.getMessage());
        return Future.succeededFuture();
      }));
    }
    Supplier<Future<Void>> stopSandbox = () -> sandbox == null ? Future.succeededFuture() : sandbox.close();
    return chain.compose(v -> stopSandbox.get());
  }
}
