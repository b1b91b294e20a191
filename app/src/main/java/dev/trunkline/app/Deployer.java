package dev.trunkline.app;

import dev.trunkline.gateway.GatewayVerticle;
import dev.trunkline.provisioning.ProvisioningVerticle;
import dev.trunkline.retell.RetellVerticle;
import dev.trunkline.store.StoreVerticle;
import dev.trunkline.twilio.TwilioVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deploys the verticles of the given roles, in dependency order (store, Twilio, Retell, provisioning, gateway
 * last, so the gateway never takes traffic before the services it calls exist), then marks the node deployed for
 * readiness.
 */
public final class Deployer {
  /** Shared local map where the launcher tells the gateway's readiness check that deployment finished. */
  public static final String STATE_MAP = "trunkline";
  public static final String DEPLOYED_KEY = "deployed";

  private static final Logger LOG = LoggerFactory.getLogger(Deployer.class);

  private Deployer() {}

  public static Future<List<String>> deploy(Vertx vertx, JsonObject config, Set<Roles> roles) {
    List<String> ids = new ArrayList<>();
    Future<Void> chain = Future.succeededFuture();
    if (roles.contains(Roles.STORE)) {
      chain = chain.compose(v -> deployOne(vertx, StoreVerticle.class, config, 1, ids));
    }
    if (roles.contains(Roles.TWILIO)) {
      int n = instances(config, "twilio", 1);
      // Each instance reports its Twilio attempts to the metrics registry (TwilioMetrics).
      chain = chain.compose(v -> deployOne(vertx, TwilioVerticle.class,
          () -> new TwilioVerticle(TwilioMetrics.forVertxRegistry()), config, n, ids));
    }
    if (roles.contains(Roles.RETELL)) {
      int n = instances(config, "retell", 2);
      chain = chain.compose(v -> deployOne(vertx, RetellVerticle.class, config, n, ids));
    }
    if (roles.contains(Roles.PROVISIONING)) {
      int n = instances(config, "provisioning", Math.max(1, Runtime.getRuntime().availableProcessors()));
      chain = chain.compose(v -> deployOne(vertx, ProvisioningVerticle.class, config, n, ids));
    }
    if (roles.contains(Roles.GATEWAY)) {
      int n = instances(config, "http", Math.max(1, Runtime.getRuntime().availableProcessors()));
      chain = chain.compose(v -> deployOne(vertx, GatewayVerticle.class, config, n, ids));
    }
    return chain.map(v -> {
      vertx.sharedData().getLocalMap(STATE_MAP).put(DEPLOYED_KEY, Boolean.TRUE);
      return ids;
    });
  }

  private static int instances(JsonObject config, String section, int fallback) {
    JsonObject s = config.getJsonObject(section, new JsonObject());
    Integer n = s.getInteger("instances");
    return n == null || n < 1 ? fallback : n;
  }

  private static Future<Void> deployOne(Vertx vertx, Class<? extends io.vertx.core.Deployable> type,
      JsonObject config, int instances, List<String> ids) {
    return deployOne(vertx, type, null, config, instances, ids);
  }

  private static Future<Void> deployOne(Vertx vertx, Class<? extends io.vertx.core.Deployable> type,
      java.util.function.Supplier<? extends io.vertx.core.Deployable> factory, JsonObject config, int instances,
      List<String> ids) {
    DeploymentOptions options = new DeploymentOptions().setConfig(config).setInstances(instances);
    Future<String> deployed = factory == null ? vertx.deployVerticle(type, options)
        : vertx.deployVerticle(factory, options);
    return deployed
        .onSuccess(id -> {
          ids.add(id);
          LOG.info("deployed {} x{}", type.getSimpleName(), instances);
        })
        .onFailure(err -> LOG.error("could not deploy {}: {}", type.getSimpleName(), err.getMessage()))
        .mapEmpty();
  }
}
