package dev.trunkline.app;

import dev.trunkline.twilio.client.TwilioHttp;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.http.HttpMethod;
import io.vertx.micrometer.backends.BackendRegistries;

/**
 * The Twilio client's attempt observer as metrics: {@code trunkline_upstream_requests_total{service="twilio",
 * operation, status}} (status 0 = no answer), the same metric the Retell client feeds. Null registry (metrics
 * off): the observer is {@link TwilioHttp.Observer#NONE}.
 */
final class TwilioMetrics implements TwilioHttp.Observer {
  private final MeterRegistry registry;

  private TwilioMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  static TwilioHttp.Observer forVertxRegistry() {
    MeterRegistry registry = BackendRegistries.getDefaultNow();
    return registry == null ? TwilioHttp.Observer.NONE : new TwilioMetrics(registry);
  }

  @Override
  public void onAttempt(String operation, HttpMethod method, int status, int attempt) {
    Counter.builder("trunkline.upstream.requests").description("attempts to call Twilio or Retell")
        .tag("service", "twilio").tag("operation", operation).tag("status", String.valueOf(status))
        .register(registry).increment();
  }
}
