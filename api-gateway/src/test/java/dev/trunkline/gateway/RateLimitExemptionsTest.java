package dev.trunkline.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * docs/api.md, "Rate limits": health routes, {@code /openapi.yaml} and the service route are not rate limited.
 * With a limit of one request per minute per tenant and route, a tenant route is limited on its second call while
 * many calls of each exempt route all get through (to the gateway alone: readiness and the service route then
 * answer 503 for the absent services, never 429).
 */
@ExtendWith(VertxExtension.class)
class RateLimitExemptionsTest {
  private static final String TENANT = "eeeeeeeeeeeeeeeeeeeeeeee";
  private static final int CALLS = 25;
  private static TrunklineHarness h;

  @RegisterExtension
  static final SharedHarness HARNESS = SharedHarness.withStandIns(new JsonObject().put("gateway", new JsonObject()
      .put("rateLimit", new JsonObject().put("requestsPerMinute", 1))), vertx -> { }, harness -> h = harness);

  private static Future<List<HttpResponse<Buffer>>> many(HttpMethod method, String uri, String serviceToken) {
    List<Future<HttpResponse<Buffer>>> calls = new ArrayList<>();
    for (int i = 0; i < CALLS; i++) {
      var request = h.request(method, uri, null);
      if (serviceToken != null) {
        request.putHeader("X-Service-Token", serviceToken);
      }
      calls.add(h.send(request, null));
    }
    return Future.all(calls).map(all -> calls.stream().map(Future::result).toList());
  }

  @Test
  void healthOpenApiAndTheServiceRouteAreNotLimitedWhileATenantRouteIs(VertxTestContext test) {
    String token = h.token(TENANT);
    String listUri = h.path(TENANT, "/phone-numbers");
    h.call(HttpMethod.GET, listUri, token, null)
        .compose(first -> h.call(HttpMethod.GET, listUri, token, null).map(second -> List.of(first, second)))
        .compose(control -> {
          test.verify(() -> {
            // The limit is real: the tenant route's second call within the minute is refused.
            GatewayEdgeTest.assertError(control.get(0), 503, "SERVICE_UNAVAILABLE");
            GatewayEdgeTest.assertError(control.get(1), 429, "RATE_LIMITED");
          });
          return Future.all(many(HttpMethod.GET, "/health/live", null), many(HttpMethod.GET, "/health/ready", null),
              many(HttpMethod.GET, "/openapi.yaml", null),
              many(HttpMethod.DELETE, h.path(TENANT, "/twilio-trunk"), h.serviceToken));
        })
        .onComplete(test.succeeding(all -> test.verify(() -> {
          List<HttpResponse<Buffer>> live = all.resultAt(0);
          List<HttpResponse<Buffer>> ready = all.resultAt(1);
          List<HttpResponse<Buffer>> openApi = all.resultAt(2);
          List<HttpResponse<Buffer>> teardown = all.resultAt(3);
          for (HttpResponse<Buffer> r : live) {
            assertThat(r.statusCode()).as("GET /health/live: %s", r.bodyAsString()).isEqualTo(200);
          }
          for (HttpResponse<Buffer> r : ready) {
            // Deployed, but no store to ping: not ready, and never limited.
            assertThat(r.statusCode()).as("GET /health/ready: %s", r.bodyAsString()).isEqualTo(503);
            assertThat(r.bodyAsJsonObject().getString("status")).isEqualTo("DOWN");
          }
          for (HttpResponse<Buffer> r : openApi) {
            assertThat(r.statusCode()).as("GET /openapi.yaml").isEqualTo(200);
            assertThat(r.getHeader("Content-Type")).startsWith("application/yaml");
          }
          for (HttpResponse<Buffer> r : teardown) {
            GatewayEdgeTest.assertError(r, 503, "SERVICE_UNAVAILABLE");
          }
          test.completeNow();
        })));
  }
}
