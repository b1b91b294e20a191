package dev.trunkline.gateway;

import static dev.trunkline.contract.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trunkline.contract.StoreMessages.RetellStatus;
import dev.trunkline.contract.testing.Await;
import dev.trunkline.gateway.TrunklineHarness.Tenant;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MatchType;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The drift watch on {@code GET /metrics}: numbers by status after a sweep, drift found by status, repairs by
 * outcome; no tenant id in any label (the drift address counts as one, as the launcher's metrics options say).
 */
class DriftMetricsTest {

  @Test
  void gaugesByStatusAndCountersOfDriftFoundAndRepairedWithoutTenantIds() {
    Vertx metered = Vertx.builder().with(new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions()
        .setEnabled(true).addLabels(Label.EB_ADDRESS)
        // As the launcher's VertxFactory: each per-tenant events address is one label value.
        .addLabelMatch(new io.vertx.micrometer.Match().setDomain(MetricsDomain.EVENT_BUS).setLabel("address")
            .setType(MatchType.REGEX).setValue("trunkline\\.events\\.v1\\.numbers\\..+")
            .setAlias("trunkline.events.v1.numbers.<subaccountId>"))
        .addLabelMatch(new io.vertx.micrometer.Match().setDomain(MetricsDomain.EVENT_BUS).setLabel("address")
            .setType(MatchType.REGEX).setValue("trunkline\\.events\\.v1\\.drift\\..+")
            .setAlias("trunkline.events.v1.drift.<subaccountId>"))
        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true)))).build();
    try {
      TrunklineHarness h = await(TrunklineHarness.start(metered, new JsonObject().put("drift", new JsonObject()
          .put("enabled", true).put("periodSeconds", 2).put("maxPerSecond", 50).put("leaseMs", 3_000)), true));
      Tenant t = await(h.seedTenant());
      await(h.call(HttpMethod.PUT, h.path(t.id(), "/drift/policy"), h.token(t.id()),
          new JsonObject().put("policy", "repair")));
      List<String> numbers = List.of("+14155550701", "+14155550702");
      h.retell.seedBroken(t.apiKey(), numbers.get(0), t.terminationUri());
      h.retell.seed(t.apiKey(), new JsonObject().put("phone_number", numbers.get(1))
          .put("termination_uri", t.terminationUri()).put("auth_username", t.username())
          .put("auth_password", t.password()));
      // In the store last: a sweep may look at a number as soon as the store has it.
      await(h.saveNumbers(t, RetellStatus.IMPORTED, numbers));

      String metrics = Await.value("drift metrics after a repair and a finished sweep", Duration.ofSeconds(30),
          () -> await(h.call(HttpMethod.GET, "/metrics", null, null)).bodyAsString(),
          m -> m.contains("trunkline_drift_repairs_total{outcome=\"repaired\"")
              && m.matches("(?s).*trunkline_drift_numbers\\{status=\"ok\",?\\} 2\\.0.*"));
      assertThat(metrics)
          .containsPattern("trunkline_drift_found_total\\{status=\"missing_username\",?\\} 1\\.0")
          .containsPattern("trunkline_drift_repairs_total\\{outcome=\"repaired\",?\\} 1\\.0")
          .containsPattern("trunkline_drift_numbers\\{status=\"missing_username\",?\\} 0\\.0")
          .doesNotContain(t.id());
      await(h.close());
    } finally {
      await(metered.close());
    }
  }
}
