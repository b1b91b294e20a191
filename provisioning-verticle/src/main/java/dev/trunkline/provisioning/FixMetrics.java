package dev.trunkline.provisioning;

import dev.trunkline.contract.ServiceException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.micrometer.backends.BackendRegistries;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Counts what the fix flow did, for {@code GET /metrics}: {@code trunkline_fix_numbers_total{outcome, code,
 * dry_run}} per number (outcome {@code updated}, {@code imported}, {@code inspected} or {@code failed} with the
 * failure's code) and {@code trunkline_fix_runs_seconds{status}} per run. No tenant label: the label set stays
 * bounded whatever the number of tenants. Does nothing when the launcher did not enable metrics.
 */
final class FixMetrics {
  private final MeterRegistry registry;

  private FixMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Bound to the Vert.x metrics registry, or a no-op when metrics are off. */
  static FixMetrics forVertxRegistry() {
    return new FixMetrics(BackendRegistries.getDefaultNow());
  }

  void number(String outcome, boolean dryRun) {
    count(outcome, "none", dryRun);
  }

  void failed(Throwable error, boolean dryRun) {
    count("failed", ServiceException.from(error).code(), dryRun);
  }

  void run(int status, long startedNanos) {
    if (registry != null) {
      Timer.builder("trunkline.fix.runs").description("fix-retell-credentials runs by response status")
          .tag("status", String.valueOf(status)).register(registry)
          .record(System.nanoTime() - startedNanos, TimeUnit.NANOSECONDS);
    }
  }

  private void count(String outcome, String code, boolean dryRun) {
    if (registry != null) {
      Counter.builder("trunkline.fix.numbers").description("phone numbers handled by the fix flow, by outcome")
          .tag("outcome", outcome.toLowerCase(Locale.ROOT)).tag("code", code)
          .tag("dry_run", String.valueOf(dryRun)).register(registry).increment();
    }
  }
}
