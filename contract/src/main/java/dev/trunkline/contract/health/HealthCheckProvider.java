package dev.trunkline.contract.health;

/**
 * A part of a node that knows whether it is alive and ready, in the manner of Eclipse Hono's health-check
 * providers: each verticle implements this and adds itself to its node's {@link NodeHealth} when it has started
 * (and removes itself when it stops); the launcher serves the node's checks on {@code /health/live} and
 * {@code /health/ready}, on the API port or on {@code health.port}. A check's name says whose it is (its role:
 * {@code store}, {@code twilio}, ...); instances of one verticle share the name and are ready only together.
 */
public interface HealthCheckProvider {

  /** Registers what must hold before this part takes traffic (a dependency reachable, its consumers registered). */
  void registerReadinessChecks(HealthCheckRegistry readiness);

  /** Registers what must hold for the process to be worth keeping (by default nothing). */
  default void registerLivenessChecks(HealthCheckRegistry liveness) {}
}
