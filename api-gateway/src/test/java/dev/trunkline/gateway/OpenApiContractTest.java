package dev.trunkline.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import java.io.InputStream;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.yaml.snakeyaml.Yaml;

/**
 * Keeps openapi.yaml true: every route of the real router is in the document with the same method and
 * operationId, and every operation of the document is a route. Also checks the served copy is the resource.
 */
@ExtendWith(VertxExtension.class)
class OpenApiContractTest {
  private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options");

  @Test
  void everyRouteIsDocumentedAndEveryDocumentedOperationIsARoute() throws Exception {
    Map<String, Object> document = load();
    assertThat(String.valueOf(document.get("openapi"))).startsWith("3.");

    Set<String> documented = new TreeSet<>();
    @SuppressWarnings("unchecked")
    Map<String, Map<String, Object>> paths = (Map<String, Map<String, Object>>) document.get("paths");
    paths.forEach((path, item) -> item.forEach((method, operation) -> {
      if (METHODS.contains(method)) {
        @SuppressWarnings("unchecked")
        Object operationId = ((Map<String, Object>) operation).get("operationId");
        documented.add(method.toUpperCase() + " " + path + " " + operationId);
      }
    }));

    // With metrics on, as the launcher runs it: /metrics is a route of the API port too.
    Vertx metered = meteredVertx();
    try {
      Set<String> routed = routes(metered, new JsonObject());
      assertThat(routed).hasSize(21).contains("GET /metrics metrics");
      assertThat(documented).isEqualTo(routed);
    } finally {
      metered.close();
    }
  }

  /**
   * Every POST and PUT reads a JSON body through the same handlers, so each documents its body and the
   * answers those handlers give: 400 (bad or unknown fields), 413 (over {@code http.bodyLimitBytes}) and 415
   * (not JSON). GatewayEdgeTest shows the handlers answer them.
   */
  @Test
  void everyRouteWithABodyDocumentsItAndItsBodyErrors() throws Exception {
    @SuppressWarnings("unchecked")
    Map<String, Map<String, Object>> paths = (Map<String, Map<String, Object>>) load().get("paths");
    Set<String> checked = new TreeSet<>();
    paths.forEach((path, item) -> item.forEach((method, raw) -> {
      if (!method.equals("post") && !method.equals("put")) {
        return;
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> operation = (Map<String, Object>) raw;
      String name = method.toUpperCase() + " " + path;
      assertThat(operation).as("%s documents its request body", name).containsKey("requestBody");
      @SuppressWarnings("unchecked")
      Map<String, Object> responses = (Map<String, Object>) operation.get("responses");
      assertThat(responses.keySet()).as("%s documents the body errors", name).contains("400", "413", "415");
      checked.add(name);
    }));
    assertThat(checked).hasSize(7);
  }

  @Test
  void aNodeWithItsOwnMetricsPortKeepsMetricsOffTheApiPort() {
    Vertx metered = meteredVertx();
    try {
      assertThat(routes(metered, new JsonObject())).contains("GET /metrics metrics");
      assertThat(routes(metered, new JsonObject().put("metrics", new JsonObject().put("port", 9100))))
          .hasSize(20).noneMatch(r -> r.contains("/metrics"));
    } finally {
      metered.close();
    }
  }

  private static Vertx meteredVertx() {
    return Vertx.builder().with(new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions()
        .setEnabled(true).setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true)))).build();
  }

  /** "METHOD /path operationId" for every API route of the real router. */
  private static Set<String> routes(Vertx vertx, JsonObject config) {
    Router router = new ApiRoutes(vertx, GatewayConfig.from(config), Buffer.buffer()).router();
    Set<String> routed = new TreeSet<>();
    for (Route route : router.getRoutes()) {
      if (route.getPath() == null || route.methods() == null || route.methods().isEmpty()) {
        continue; // the handlers every request passes (request id, body), not API routes
      }
      String path = route.getPath().replaceAll(":([A-Za-z]+)", "{$1}");
      for (HttpMethod method : route.methods()) {
        routed.add(method.name() + " " + path + " " + route.getName());
      }
    }
    return routed;
  }

  @Test
  void theDocumentIsServed(Vertx vertx, VertxTestContext test) {
    TrunklineHarness.start(vertx, new JsonObject(), false)
        .compose(h -> h.call(HttpMethod.GET, "/openapi.yaml", null, null))
        .onComplete(test.succeeding(response -> test.verify(() -> {
          assertThat(response.statusCode()).isEqualTo(200);
          assertThat(response.getHeader("Content-Type")).startsWith("application/yaml");
          Map<String, Object> served = new Yaml().load(response.bodyAsString());
          assertThat(served).isEqualTo(load());
          test.completeNow();
        })));
  }

  private static Map<String, Object> load() throws Exception {
    try (InputStream in = OpenApiContractTest.class.getClassLoader().getResourceAsStream("openapi.yaml")) {
      assertThat(in).as("openapi.yaml on the classpath").isNotNull();
      return new Yaml().load(in);
    }
  }
}
