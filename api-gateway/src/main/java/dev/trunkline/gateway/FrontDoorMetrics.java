package dev.trunkline.gateway;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.micrometer.backends.BackendRegistries;

/**
 * Counts what the front door turned away, for {@code GET /metrics}:
 * {@code trunkline_http_connections_closed_total{reason}} for connections the gateway closed itself (reason
 * {@code head_timeout}, {@code body_timeout}, {@code idle}, {@code evicted} to make room under the cap, or
 * {@code refused} because the cap was reached with every connection busy), and
 * {@code trunkline_http_address_limited_total} for requests answered 429 by the per-address limit. No address
 * label: the label set stays bounded whoever connects. Does nothing when the launcher did not enable metrics.
 */
final class FrontDoorMetrics {
  private final MeterRegistry registry;

  private FrontDoorMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Bound to the Vert.x metrics registry, or a no-op when metrics are off. */
  static FrontDoorMetrics forVertxRegistry() {
    return new FrontDoorMetrics(BackendRegistries.getDefaultNow());
  }

  void connectionClosed(String reason) {
    if (registry != null) {
      Counter.builder("trunkline.http.connections.closed")
          .description("connections the gateway closed itself, by reason").tag("reason", reason)
          .register(registry).increment();
    }
  }

  void addressLimited() {
    if (registry != null) {
      Counter.builder("trunkline.http.address.limited")
          .description("requests refused by the per-address limit on unauthenticated requests")
          .register(registry).increment();
    }
  }
}
