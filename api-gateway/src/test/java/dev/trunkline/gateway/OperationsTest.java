package dev.trunkline.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.trunkline.contract.StoreMessages.RetellStatus;
import dev.trunkline.contract.testing.Await;
import dev.trunkline.contract.health.HealthCheckProvider;
import dev.trunkline.contract.health.NodeHealth;
import io.vertx.core.Future;
import io.vertx.ext.healthchecks.Status;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The operator's view of one gateway: {@code GET /metrics} (Prometheus text, HTTP metrics per named route,
 * event-bus metrics, fix outcomes, no tenant id anywhere), readiness with the launcher's cluster hook, and
 * access log lines that carry request id, tenant and operation as MDC fields. Runs on a Vert.x with
 * Micrometer enabled as the launcher configures it.
 */
@ExtendWith(VertxExtension.class)
class OperationsTest {
  private static Vertx metered;
  private static TrunklineHarness h;

  @BeforeAll
  static void start() throws Exception {
    metered = Vertx.builder().with(new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions()
        .setEnabled(true).addLabels(Label.HTTP_ROUTE, Label.EB_ADDRESS)
        // As the launcher's VertxFactory: the per-tenant progress addresses are one label value.
        .addLabelMatch(new io.vertx.micrometer.Match().setDomain(io.vertx.micrometer.MetricsDomain.EVENT_BUS)
            .setLabel("address").setType(io.vertx.micrometer.MatchType.REGEX)
            .setValue("trunkline\\.events\\.v1\\.numbers\\..+").setAlias("trunkline.events.v1.numbers.<subaccountId>"))
        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true)))).build();
    h = TrunklineHarness.start(metered).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    h.assertNoSecretLeaked();
    h.close().compose(v -> metered.close()).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @AfterEach
  void removeClusterCheck() {
    NodeHealth.of(metered).remove(CLUSTER);
  }

  @Test
  void metricsShowRoutesBusAndFixOutcomesWithoutTenantIds(VertxTestContext test) {
    h.seedTenant().compose(t -> {
      List<String> numbers = List.of("+14155550101", "+14155550102", "+14155550103");
      numbers.forEach(n -> h.retell.seedBroken(t.apiKey(), n, t.terminationUri()));
      // The third number is recorded but Retell refuses it: one failure by code.
      h.retell.faults().add(dev.trunkline.simulators.FaultRule.on("PATCH", "/update-phone-number/*4155550103")
          .error(500));
      return h.saveNumbers(t, RetellStatus.IMPORTED, numbers)
          .compose(v -> h.call(HttpMethod.POST, h.path(t.id(), "/twilio/fix-retell-credentials"), h.token(t.id()),
              new JsonObject()))
          .compose(fix -> {
            test.verify(() -> assertThat(fix.statusCode()).as(fix.bodyAsString()).isEqualTo(207));
            // The server counts a request when its response has been written, which may be just after the client
            // read it: poll until the fix's request is counted.
            return Await.until(h.vertx, "the fix's request counted in /metrics", Await.DEFAULT,
                () -> h.call(HttpMethod.GET, "/metrics", null, null).map(m ->
                    m.bodyAsString().contains("route=\"fixRetellCredentials\"") ? m : null))
                .map(m -> Map.entry(t.id(), m));
          });
    }).onComplete(test.succeeding(entry -> test.verify(() -> {
      h.retell.faults().clear();
      assertThat(entry.getValue().statusCode()).isEqualTo(200);
      assertThat(entry.getValue().getHeader("Content-Type")).startsWith("text/plain");
      String metrics = entry.getValue().bodyAsString();
      assertThat(metrics)
          .containsPattern("vertx_http_server_requests_total\\{[^}]*route=\"fixRetellCredentials\"")
          .containsPattern("vertx_eventbus_sent_total\\{[^}]*address=\"trunkline\\.retell\\.v1\\.numbers\\.sync\"")
          .containsPattern("trunkline_fix_numbers_total\\{code=\"none\",dry_run=\"false\",outcome=\"updated\",?\\} 2\\.0")
          .containsPattern("trunkline_fix_numbers_total\\{code=\"[A-Z_]+\",dry_run=\"false\",outcome=\"failed\",?\\} 1\\.0")
          .containsPattern("trunkline_fix_runs_seconds_count\\{status=\"207\",?\\} 1")
          .doesNotContain("__vertx.reply").doesNotContain(entry.getKey());
      test.completeNow();
    })));
  }

  @Test
  void readinessIncludesTheClusterWhenTheLauncherInstalledTheHook(VertxTestContext test) {
    Future<JsonObject> unclustered = ready(200);
    unclustered.compose(body -> {
      test.verify(() -> assertThat(body.getJsonObject("checks").containsKey("cluster")).isFalse());
      NodeHealth.of(metered).add(CLUSTER, fixedCluster(Status.KO(
          new JsonObject().put("members", 1).put("reason", "sees 1 cluster members, needs at least 2"))));
      return ready(503);
    }).compose(down -> {
      test.verify(() -> assertThat(down.getJsonObject("checks").getJsonObject("cluster").getString("reason"))
          .contains("needs at least 2"));
      NodeHealth.of(metered).remove(CLUSTER);
      NodeHealth.of(metered).add(CLUSTER, fixedCluster(Status.OK(new JsonObject().put("members", 3))));
      return ready(200);
    }).onComplete(test.succeeding(up -> test.verify(() -> {
      assertThat(up.getJsonObject("checks").getJsonObject("cluster").getInteger("members")).isEqualTo(3);
      test.completeNow();
    })));
  }

  @Test
  void accessLinesCarryRequestIdTenantAndOperationAsFields(VertxTestContext test) {
    String tenant = TrunklineHarness.newTenant();
    h.send(h.request(HttpMethod.GET, h.path(tenant, "/phone-numbers"), h.token(tenant))
        .putHeader("X-Request-Id", "ops-test-1"), null)
        // The access line is written when the response has ended, which may be just after the client has it.
        .compose(r -> accessLine("ops-test-1 "))
        .onComplete(test.succeeding(line -> test.verify(() -> {
          assertThat(line.getMDCPropertyMap())
              .containsEntry("requestId", "ops-test-1")
              .containsEntry("tenant", tenant)
              .containsEntry("operation", "listPhoneNumbers");
          test.completeNow();
        })));
  }

  /** The access line that starts with {@code prefix}, polled for: it is written after the reply. */
  private static Future<ILoggingEvent> accessLine(String prefix) {
    return Await.until(h.vertx, "an access line starting with '" + prefix + "'", Await.DEFAULT,
        () -> Future.succeededFuture(h.logs().events("dev.trunkline.gateway.access").stream()
            .filter(e -> e.getFormattedMessage().startsWith(prefix)).findFirst().orElse(null)));
  }

  private static Future<JsonObject> ready(int expected) {
    return h.call(HttpMethod.GET, "/health/ready", null, null).map(r -> {
      assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(expected);
      return r.bodyAsJsonObject();
    });
  }

  /** Owner of the test's cluster check. */
  private static final Object CLUSTER = new Object();

  /** A cluster check fixed by the test (the real one, Hazelcast's, is exercised by the app's ClusterIT). */
  private static HealthCheckProvider fixedCluster(Status status) {
    return readiness -> readiness.register("cluster", promise -> promise.complete(new Status(status)));
  }
}
