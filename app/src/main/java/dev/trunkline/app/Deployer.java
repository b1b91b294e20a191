package dev.trunkline.app;

import dev.trunkline.contract.config.Option;
import dev.trunkline.contract.health.NodeHealth;
import dev.trunkline.gateway.GatewayConfig;
import dev.trunkline.gateway.GatewayVerticle;
import dev.trunkline.provisioning.ProvisioningConfig;
import dev.trunkline.retell.RetellConfig;
import dev.trunkline.provisioning.ProvisioningVerticle;
import dev.trunkline.retell.RetellVerticle;
import dev.trunkline.store.StoreVerticle;
import dev.trunkline.twilio.TwilioConfig;
import dev.trunkline.twilio.TwilioVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
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
  public static final String STATE_MAP = NodeHealth.STATE_MAP;
  public static final String DEPLOYED_KEY = NodeHealth.DEPLOYED_KEY;

  private static final Logger LOG = LoggerFactory.getLogger(Deployer.class);

  private Deployer() {}

  public static Future<List<String>> deploy(Vertx vertx, JsonObject config, Set<Roles> roles) {
    List<String> ids = new ArrayList<>();
    Map<Roles, Integer> plan = plan(config);
    Future<Void> chain = Future.succeededFuture();
    if (roles.contains(Roles.STORE)) {
      chain = chain.compose(v -> deployOne(vertx, StoreVerticle.class, config, plan.get(Roles.STORE), ids));
    }
    if (roles.contains(Roles.TWILIO)) {
      // Each instance reports its Twilio attempts to the metrics registry (TwilioMetrics).
      chain = chain.compose(v -> deployOne(vertx, TwilioVerticle.class,
          () -> new TwilioVerticle(TwilioMetrics.forVertxRegistry()), config, plan.get(Roles.TWILIO), ids));
    }
    if (roles.contains(Roles.RETELL)) {
      chain = chain.compose(v -> deployOne(vertx, RetellVerticle.class, config, plan.get(Roles.RETELL), ids));
    }
    if (roles.contains(Roles.PROVISIONING)) {
      chain = chain.compose(v -> deployOne(vertx, ProvisioningVerticle.class, config, plan.get(Roles.PROVISIONING),
          ids));
    }
    if (roles.contains(Roles.GATEWAY)) {
      chain = chain.compose(v -> deployOne(vertx, GatewayVerticle.class, config, plan.get(Roles.GATEWAY), ids));
    }
    return chain.map(v -> {
      vertx.sharedData().getLocalMap(STATE_MAP).remove(NodeHealth.STOPPING_KEY);
      vertx.sharedData().getLocalMap(STATE_MAP).put(DEPLOYED_KEY, Boolean.TRUE);
      return ids;
    });
  }

  /** Instances per role, from the {@code *.instances} keys (the store always runs one). */
  static Map<Roles, Integer> plan(JsonObject config) {
    int cores = Runtime.getRuntime().availableProcessors();
    Map<Roles, Integer> plan = new EnumMap<>(Roles.class);
    plan.put(Roles.STORE, 1);
    plan.put(Roles.TWILIO, instances(config, TwilioConfig.INSTANCES, 1));
    plan.put(Roles.RETELL, instances(config, RetellConfig.INSTANCES, 2));
    plan.put(Roles.PROVISIONING, instances(config, ProvisioningConfig.INSTANCES, cores));
    plan.put(Roles.GATEWAY, instances(config, GatewayConfig.INSTANCES, cores));
    return plan;
  }

  /** The configured instances, or {@code fallback} (at least one) when unset or below one. */
  private static int instances(JsonObject config, Option<Integer> option, int fallback) {
    Integer n = option.get(config);
    return n == null || n < 1 ? Math.max(1, fallback) : n;
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
