package dev.trunkline.simulators;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.openapi.contract.OpenAPIContract;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Loads the two official Twilio OpenAPI documents from the classpath and builds {@link OpenAPIContract}s for the paths
 * the simulator serves.
 *
 * <p>Three adaptations, all needed to use vertx-openapi 5.0.x and none changing what is validated:
 * <ul>
 *   <li>Pruning ({@link OpenApiDocs#prune}): only the served paths and the components they reference
 *   (transitively) are kept, so the 2 MB document becomes a few dozen KB and the contract builds in well under a
 *   second.</li>
 *   <li>Media type: vertx-openapi does not support {@code application/x-www-form-urlencoded} request bodies, so the
 *   pruned copy declares the same schema as {@code application/json}; {@link TwilioRequestValidator} turns the form
 *   body into the equivalent JSON object (typed per the schema) before validating it.</li>
 * </ul>
 * Reading and parsing the documents is blocking work and runs in {@code executeBlocking}, once per JVM.
 */
final class TwilioOpenApi {

  static final String RESOURCE_DIR = "twilio-openapi/";
  static final String API_V2010 = "twilio_api_v2010.json";
  static final String TRUNKING_V1 = "twilio_trunking_v1.json";
  private static final String FORM = "application/x-www-form-urlencoded";
  private static final String JSON = "application/json";

  /** Bounded by construction: one entry per (document, served path set), i.e. two in practice. */
  private static final Map<String, JsonObject> PRUNED = new ConcurrentHashMap<>();

  private final OpenAPIContract api;
  private final OpenAPIContract trunking;

  private TwilioOpenApi(OpenAPIContract api, OpenAPIContract trunking) {
    this.api = api;
    this.trunking = trunking;
  }

  static Future<TwilioOpenApi> load(Vertx vertx, Set<String> apiPaths, Set<String> trunkingPaths) {
    Future<JsonObject> api = vertx.executeBlocking(() -> pruned(API_V2010, apiPaths));
    Future<JsonObject> trunking = vertx.executeBlocking(() -> pruned(TRUNKING_V1, trunkingPaths));
    return Future.all(api, trunking)
        .compose(all -> Future.all(OpenAPIContract.from(vertx, api.result()),
            OpenAPIContract.from(vertx, trunking.result())))
        .map(all -> new TwilioOpenApi(all.resultAt(0), all.resultAt(1)));
  }

  OpenAPIContract api() {
    return api;
  }

  OpenAPIContract trunking() {
    return trunking;
  }

  /**
   * The pruned document, read and pruned once per JVM (the 2 MB parse is the expensive part of a start; tests and
   * the sandbox start several simulators). Each caller gets its own copy because contracts may annotate the JSON.
   */
  private static JsonObject pruned(String name, Set<String> paths) throws IOException {
    String key = name + paths;
    JsonObject cached = PRUNED.get(key);
    if (cached == null) {
      cached = prune(read(name), paths);
      PRUNED.putIfAbsent(key, cached);
    }
    return cached.copy();
  }

  static JsonObject read(String name) throws IOException {
    try (InputStream in = TwilioOpenApi.class.getClassLoader().getResourceAsStream(RESOURCE_DIR + name)) {
      if (in == null) {
        throw new IOException("missing classpath resource " + RESOURCE_DIR + name);
      }
      return new JsonObject(Buffer.buffer(in.readAllBytes()));
    }
  }

  /** A copy of {@code spec} with only {@code paths} and the components they reach; forms declared as JSON. */
  static JsonObject prune(JsonObject spec, Set<String> paths) {
    return OpenApiDocs.prune(spec, paths, TwilioOpenApi::contractPath, TwilioOpenApi::formsAsJson);
  }

  /**
   * vertx-openapi insists that a path parameter fills its whole segment, which the 2010 API's {@code /{Sid}.json}
   * does not; the pruned copy spells it {@code /{Sid}/.json}. Only the key changes: requests are validated by
   * operationId with the parameters the router extracted, so the parameter schemas apply exactly as published.
   */
  static String contractPath(String template) {
    return template.replace("}.json", "}/.json");
  }

  private static JsonObject formsAsJson(JsonObject pathItem) {
    for (String method : pathItem.fieldNames()) {
      if (!(pathItem.getValue(method) instanceof JsonObject operation)) {
        continue;
      }
      JsonObject body = operation.getJsonObject("requestBody");
      if (body != null && body.getJsonObject("content") != null) {
        JsonObject content = body.getJsonObject("content");
        Object form = content.remove(FORM);
        if (form != null) {
          content.put(JSON, form);
        }
      }
    }
    return pathItem;
  }
}
