package dev.trunkline.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trunkline.contract.Identifiers;
import dev.trunkline.contract.ProvisioningMessages;
import dev.trunkline.contract.TenantRef;
import dev.trunkline.contract.testing.Await;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import java.io.InputStream;
import java.lang.reflect.RecordComponent;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
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
      assertThat(routed).hasSize(23).contains("GET /metrics metrics");
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
    assertThat(checked).hasSize(8);
  }

  /**
   * The inputs each operation documents are exactly what its bus message carries (besides the path's tenant): a
   * documented field the service never receives, or a message field no client can send, is drift between the HTTP
   * contract and the bus contract.
   */
  @Test
  void everyOperationsInputsAreItsBusMessagesFields() throws Exception {
    Map<String, Class<?>> messages = new TreeMap<>(Map.ofEntries(
        Map.entry("connectTwilio", ProvisioningMessages.ConnectTwilio.class),
        Map.entry("connectRetell", ProvisioningMessages.ConnectRetell.class),
        Map.entry("setupTrunk", ProvisioningMessages.SetupTrunk.class),
        Map.entry("getTrunk", TenantRef.class),
        Map.entry("searchPhoneNumbers", ProvisioningMessages.SearchNumbers.class),
        Map.entry("purchasePhoneNumber", ProvisioningMessages.PurchaseNumber.class),
        Map.entry("importPhoneNumber", ProvisioningMessages.ImportNumber.class),
        Map.entry("listPhoneNumbers", ProvisioningMessages.ListNumbers.class),
        Map.entry("removePhoneNumber", ProvisioningMessages.RemoveNumber.class),
        Map.entry("auditRetellCredentials", ProvisioningMessages.Audit.class),
        Map.entry("fixRetellCredentials", ProvisioningMessages.Fix.class),
        Map.entry("rotateCredentials", ProvisioningMessages.RotateCredentials.class),
        Map.entry("teardownTrunk", ProvisioningMessages.Teardown.class),
        Map.entry("getDrift", ProvisioningMessages.DriftStatus.class),
        Map.entry("setDriftPolicy", ProvisioningMessages.DriftPolicy.class),
        Map.entry("listOperations", ProvisioningMessages.ListOperations.class),
        Map.entry("getOperation", ProvisioningMessages.GetOperation.class),
        Map.entry("cancelOperation", ProvisioningMessages.CancelOperation.class),
        // The event stream is the gateway reading getOperation's pages: Last-Event-ID is their "after".
        Map.entry("streamOperationEvents", StreamedOperation.class)));
    JsonObject document = json();
    Map<String, JsonObject> operations = apiOperations(document);
    assertThat(operations.keySet()).isEqualTo(messages.keySet());
    operations.forEach((operationId, operation) -> {
      Set<String> inputs = new TreeSet<>();
      inputs(document, operation).forEach((name, schema) -> inputs.add(fieldName(name)));
      if (ANSWERED_AS_OPERATIONS.contains(operationId)) {
        // How the gateway answers (at once or when done) and which operation a key names: RunOperation's, not
        // the flow message's (docs/api.md "Long operations").
        assertThat(inputs).as("%s answers as an operation", operationId).contains("Prefer", "idempotencyKey");
        inputs.removeAll(Set.of("Prefer", "idempotencyKey"));
      }
      Set<String> fields = new TreeSet<>();
      for (RecordComponent component : messages.get(operationId).getRecordComponents()) {
        fields.add(component.getName());
      }
      assertThat(inputs).as("%s: documented inputs vs the fields of %s", operationId,
          messages.get(operationId).getSimpleName()).isEqualTo(fields);
    });
  }

  /**
   * Identifier shapes are written once, in the contract's Identifiers: every documented input with a pattern has
   * exactly the pattern the services check on the bus.
   */
  @Test
  void everyDocumentedPatternIsTheContractsIdentifier() throws Exception {
    Map<String, Pattern> identifiers = Map.ofEntries(
        Map.entry("subaccountId", Identifiers.SUBACCOUNT_ID),
        Map.entry("accountSid", Identifiers.ACCOUNT_SID),
        Map.entry("authToken", Identifiers.ANY_SECRET),
        Map.entry("apiKey", Identifiers.ANY_SECRET),
        Map.entry("addressSid", Identifiers.ADDRESS_SID),
        Map.entry("emergencyAddressSid", Identifiers.ADDRESS_SID),
        Map.entry("bundleSid", Identifiers.BUNDLE_SID),
        Map.entry("countryCode", Identifiers.COUNTRY_CODE),
        Map.entry("areaCode", Identifiers.AREA_CODE),
        Map.entry("contains", Identifiers.CONTAINS),
        Map.entry("phoneNumber", Identifiers.E164),
        Map.entry("after", Identifiers.E164),
        Map.entry("idempotencyKey", Identifiers.IDEMPOTENCY_KEY),
        Map.entry("lastEventId", Identifiers.OPERATION_SEQ));
    // An operation's pages go on after a result's number, not after a phone number.
    Map<String, Pattern> operationPages = new HashMap<>(identifiers);
    operationPages.put("after", Identifiers.OPERATION_SEQ);
    JsonObject document = json();
    Set<String> checked = new TreeSet<>();
    apiOperations(document).forEach((operationId, operation) -> inputs(document, operation).forEach((name, schema) -> {
      String field = fieldName(name);
      Map<String, Pattern> shapes = "getOperation".equals(operationId) ? operationPages : identifiers;
      if (UNPATTERNED.contains(field)) {
        assertThat(schema.getString("pattern")).as("%s %s", operationId, name).isNull();
      } else if ("string".equals(schema.getString("type")) && schema.getJsonArray("enum") == null) {
        assertThat(schema.getString("pattern")).as("%s %s: a string input has a pattern", operationId, name)
            .isNotNull();
        assertThat(shapes).as("%s %s: its pattern is one of Identifiers'", operationId, name)
            .containsKey(field);
        assertThat(schema.getString("pattern")).as("%s %s", operationId, name)
            .isEqualTo(shapes.get(field).pattern());
        checked.add(field);
      }
    }));
    assertThat(checked).isEqualTo(identifiers.keySet());
  }

  /**
   * What the gateway answers on every route is documented on every route: 400 (a malformed tenant, an unknown query
   * parameter), 401, 503 and 504 (the bus); a tenant route also 403 and 429. And every response object is well formed
   * (description, headers, content or a $ref, nothing else): an unquoted comma in a flow mapping once turned half a
   * description into a stray key.
   */
  @Test
  void everyOperationDocumentsTheAnswersItsGuardsGive() throws Exception {
    JsonObject document = json();
    apiOperations(document).forEach((operationId, operation) -> {
      JsonObject responses = operation.getJsonObject("responses");
      boolean serviceOnly = operation.getJsonArray("security") != null;
      Set<String> expected = new TreeSet<>(Set.of("400", "401", "503", "504"));
      if (!serviceOnly) {
        expected.addAll(Set.of("403", "429"));
      }
      assertThat(responses.fieldNames()).as("%s documents its guards' answers", operationId).containsAll(expected);
      responses.forEach(entry -> {
        JsonObject response = (JsonObject) entry.getValue();
        assertThat(Set.of("description", "headers", "content", "$ref")).as("%s %s", operationId, entry.getKey())
            .containsAll(response.fieldNames());
        assertThat(response.containsKey("$ref") || response.getValue("description") instanceof String)
            .as("%s %s has a description", operationId, entry.getKey()).isTrue();
      });
    });
  }

  /**
   * String inputs without a pattern, on purpose: RFC 7240's Prefer is a free list of preferences (only respond-async
   * is acted on), and an operation id that cannot exist is 404 OPERATION_NOT_FOUND like another tenant's, which a
   * schema's 400 would tell apart (the route checks it against Identifiers.OPERATION_ID).
   */
  private static final Set<String> UNPATTERNED = Set.of("Prefer", "operationId");

  /** The audits, fixes and rotations a request may run as a long operation (docs/api.md "Long operations"). */
  private static final Set<String> ANSWERED_AS_OPERATIONS =
      Set.of("auditRetellCredentials", "fixRetellCredentials", "rotateCredentials");

  /** The inputs of the operation event stream (no bus message of its own: it reads getOperation's pages). */
  private record StreamedOperation(String subaccountId, String operationId, String lastEventId) {}

  /** "Idempotency-Key" is the message's idempotencyKey; every other input has its field's name. */
  private static String fieldName(String input) {
    return switch (input) {
      case "Idempotency-Key" -> "idempotencyKey";
      case "Last-Event-ID" -> "lastEventId";
      default -> input;
    };
  }

  /** The operations under /api/ by operationId (each inherits its path's parameters). */
  private static Map<String, JsonObject> apiOperations(JsonObject document) {
    Map<String, JsonObject> operations = new TreeMap<>();
    JsonObject paths = document.getJsonObject("paths");
    for (String path : paths.fieldNames()) {
      if (!path.startsWith("/api/")) {
        continue;
      }
      JsonObject item = paths.getJsonObject(path);
      for (String method : item.fieldNames()) {
        if (METHODS.contains(method)) {
          JsonObject operation = item.getJsonObject(method).copy();
          JsonArray parameters = item.getJsonArray("parameters", new JsonArray()).copy();
          operation.getJsonArray("parameters", new JsonArray()).forEach(parameters::add);
          operations.put(operation.getString("operationId"), operation.put("parameters", parameters));
        }
      }
    }
    return operations;
  }

  /** Every input of an operation (parameters and body properties) with its schema, $refs resolved. */
  private static Map<String, JsonObject> inputs(JsonObject document, JsonObject operation) {
    Map<String, JsonObject> inputs = new TreeMap<>();
    for (Object p : operation.getJsonArray("parameters")) {
      JsonObject parameter = resolve(document, (JsonObject) p);
      inputs.put(parameter.getString("name"), resolve(document, parameter.getJsonObject("schema")));
    }
    JsonObject body = operation.getJsonObject("requestBody");
    if (body != null) {
      JsonObject schema = resolve(document, body.getJsonObject("content").getJsonObject("application/json")
          .getJsonObject("schema"));
      JsonObject properties = schema.getJsonObject("properties", new JsonObject());
      properties.fieldNames().forEach(name -> inputs.put(name, resolve(document, properties.getJsonObject(name))));
    }
    return inputs;
  }

  private static JsonObject resolve(JsonObject document, JsonObject node) {
    String ref = node.getString("$ref");
    if (ref == null) {
      return node;
    }
    JsonObject target = document;
    for (String part : ref.substring(2).split("/")) {
      target = target.getJsonObject(part);
    }
    return target;
  }

  private static JsonObject json() throws Exception {
    try (InputStream in = OpenApiContractTest.class.getClassLoader().getResourceAsStream("openapi.yaml")) {
      return ApiContract.parse(Buffer.buffer(in.readAllBytes()));
    }
  }

  @Test
  void aNodeWithItsOwnMetricsPortKeepsMetricsOffTheApiPort() {
    Vertx metered = meteredVertx();
    try {
      assertThat(routes(metered, new JsonObject())).contains("GET /metrics metrics");
      assertThat(routes(metered, new JsonObject().put("metrics", new JsonObject().put("port", 9100))))
          .hasSize(22).noneMatch(r -> r.contains("/metrics"));
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
    Buffer document = vertx.fileSystem().readFileBlocking("openapi.yaml");
    Router router = new ApiRoutes(vertx, GatewayConfig.from(config), document,
        Await.await(ApiContract.load(vertx, document))).router();
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
