package dev.trunkline.retell;

import dev.trunkline.contract.ServiceException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.AsyncResult;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.micrometer.backends.BackendRegistries;

/**
 * Counts every attempt to call Retell as {@code trunkline_upstream_requests_total{service="retell", operation,
 * status}}: the HTTP status, or {@code 0} when no answer came (timeout, connection failure). A call the
 * client-side rate limit refused never left the node and is not counted. Does nothing when metrics are off.
 */
final class RetellMetrics {
  private final MeterRegistry registry;

  private RetellMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  static RetellMetrics forVertxRegistry() {
    return new RetellMetrics(BackendRegistries.getDefaultNow());
  }

  void attempt(String operation, AsyncResult<HttpResponse<Buffer>> outcome) {
    if (registry == null || (outcome.failed() && outcome.cause() instanceof ServiceException)) {
      return;
    }
    int status = outcome.succeeded() ? outcome.result().statusCode() : 0;
    Counter.builder("trunkline.upstream.requests").description("attempts to call Twilio or Retell")
        .tag("service", "retell").tag("operation", operation).tag("status", String.valueOf(status))
        .register(registry).increment();
  }
}
