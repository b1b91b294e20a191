package dev.trunkline.provisioning;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.micrometer.backends.BackendRegistries;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The drift watch on {@code GET /metrics}: {@code trunkline_drift_numbers{status}}, the numbers of each status in
 * the last sweep this node finished (the sweep's holder has them; other nodes show their last), and the counters
 * {@code trunkline_drift_found_total{status}} and {@code trunkline_drift_repairs_total{outcome}}. No tenant or
 * number label: the label set stays bounded. Does nothing when the launcher did not enable metrics.
 */
final class DriftMetrics {
  static final String[] STATUSES = {"OK", "MISSING_USERNAME", "WRONG_USERNAME", "WRONG_TERMINATION_URI",
      "NOT_IN_RETELL", "ERROR"};
  /** One gauge per status for the JVM (every provisioning instance of a node reports into the same values). */
  private static final Map<String, AtomicLong> LAST_SWEEP = new ConcurrentHashMap<>();

  private final MeterRegistry registry;

  private DriftMetrics(MeterRegistry registry) {
    this.registry = registry;
    if (registry != null) {
      for (String status : STATUSES) {
        AtomicLong value = LAST_SWEEP.computeIfAbsent(status, s -> new AtomicLong());
        Gauge.builder("trunkline.drift.numbers", value, AtomicLong::get)
            .description("phone numbers by drift status in the last finished sweep")
            .tag("status", status.toLowerCase(Locale.ROOT)).register(registry);
      }
    }
  }

  static DriftMetrics forVertxRegistry() {
    return new DriftMetrics(BackendRegistries.getDefaultNow());
  }

  void found(String status) {
    if (registry != null) {
      Counter.builder("trunkline.drift.found").description("drifted phone numbers found, by status")
          .tag("status", status.toLowerCase(Locale.ROOT)).register(registry).increment();
    }
  }

  /** outcome: repaired, failed or backing_off. */
  void repair(String outcome) {
    if (registry != null) {
      Counter.builder("trunkline.drift.repairs").description("drift repairs, by outcome")
          .tag("outcome", outcome).register(registry).increment();
    }
  }

  /** A sweep finished: the gauges show its counts. */
  void sweepFinished(Map<String, Long> byStatus) {
    for (String status : STATUSES) {
      LAST_SWEEP.computeIfAbsent(status, s -> new AtomicLong()).set(byStatus.getOrDefault(status, 0L));
    }
  }
}
