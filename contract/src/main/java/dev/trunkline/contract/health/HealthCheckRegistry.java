package dev.trunkline.contract.health;

import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.ext.healthchecks.Status;

/**
 * Where a {@link HealthCheckProvider} registers its procedures: vertx-health-check procedures, named by role. A
 * procedure completes its promise with {@link Status#OK()} or {@link Status#KO(io.vertx.core.json.JsonObject)}
 * carrying a {@code reason} (never a secret); it must not block, and is given {@link NodeHealth#PROCEDURE_TIMEOUT_MS}.
 */
@FunctionalInterface
public interface HealthCheckRegistry {
  void register(String name, Handler<Promise<Status>> procedure);
}
