package dev.trunkline.simulators;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.impl.Utils;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Retell's official OpenAPI document ({@code retell-openapi/openapi.yaml}, Apache-2.0, unmodified on the classpath)
 * cut down to the phone-number operations the simulator serves, as a vertx-openapi contract.
 *
 * <p>Two adaptations, neither changing what is valid:
 * <ul>
 *   <li>Pruning ({@link OpenApiDocs#prune}): only the five phone-number paths and what they reference are kept.</li>
 *   <li>{@code nullable}: the document is OpenAPI 3.0, whose {@code nullable: true} vertx-json-schema's draft-4
 *   validator ignores (it would reject every {@code null} the document allows). Each such schema {@code S} becomes
 *   {@code anyOf: [S, {enum: [null]}]}, which is exactly what {@code nullable} means in OpenAPI 3.0.</li>
 * </ul>
 * Reading and parsing the document is blocking work and runs in {@code executeBlocking}, once per JVM.
 */
final class RetellOpenApi {

  static final String RESOURCE = "retell-openapi/openapi.yaml";

  /** The operations the simulator serves: operationId -> the document's path. */
  static final Map<String, String> OPERATIONS = operations();

  private static volatile JsonObject pruned;

  private RetellOpenApi() {
  }

  private static Map<String, String> operations() {
    Map<String, String> ops = new LinkedHashMap<>();
    ops.put("importPhoneNumber", "/import-phone-number");
    ops.put("updatePhoneNumber", "/update-phone-number/{phone_number}");
    ops.put("getPhoneNumber", "/get-phone-number/{phone_number}");
    ops.put("deletePhoneNumber", "/delete-phone-number/{phone_number}");
    ops.put("listPhoneNumbersV2", "/v2/list-phone-numbers");
    return Map.copyOf(ops);
  }

  static Future<OpenAPIContract> load(Vertx vertx) {
    return vertx.executeBlocking(RetellOpenApi::document)
        .compose(doc -> OpenAPIContract.from(vertx, doc));
  }

  /** The pruned, adapted document (a fresh copy each call: contracts may annotate the JSON they are given). */
  static JsonObject document() throws IOException {
    JsonObject doc = pruned;
    if (doc == null) {
      doc = nullableAsAnyOf(OpenApiDocs.prune(read(), Set.copyOf(OPERATIONS.values()), p -> p, item -> item));
      pruned = doc;
    }
    return doc.copy();
  }

  /** The statuses the document lists for an operation (its responses' keys), e.g. [200, 400, 401, 422, 500]. */
  static Set<Integer> documentedStatuses(JsonObject document, String operationId) {
    JsonObject paths = document.getJsonObject("paths");
    for (String path : paths.fieldNames()) {
      JsonObject item = paths.getJsonObject(path);
      for (String method : item.fieldNames()) {
        if (item.getValue(method) instanceof JsonObject op && operationId.equals(op.getString("operationId"))) {
          Set<Integer> statuses = new TreeSet<>();
          // Only the status keys: vertx-openapi annotates the raw contract with fields of its own.
          op.getJsonObject("responses").fieldNames().stream().filter(s -> s.matches("[1-5][0-9][0-9]"))
              .forEach(s -> statuses.add(Integer.parseInt(s)));
          return statuses;
        }
      }
    }
    throw new IllegalArgumentException("no operation " + operationId);
  }

  static JsonObject read() throws IOException {
    try (InputStream in = RetellOpenApi.class.getClassLoader().getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IOException("missing classpath resource " + RESOURCE);
      }
      String yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      Future<JsonObject> parsed = Utils.yamlStringToJson(yaml);
      if (parsed.failed()) {
        throw new IOException("cannot parse " + RESOURCE, parsed.cause());
      }
      return parsed.result();
    }
  }

  /** Rewrites every {@code nullable: true} schema {@code S} (in place) as {@code anyOf: [S, {enum: [null]}]}. */
  static JsonObject nullableAsAnyOf(JsonObject node) {
    for (String key : Set.copyOf(node.fieldNames())) {
      Object value = node.getValue(key);
      if (value instanceof JsonObject child) {
        node.put(key, nullableAsAnyOf(child));
      } else if (value instanceof JsonArray array) {
        for (int i = 0; i < array.size(); i++) {
          if (array.getValue(i) instanceof JsonObject child) {
            array.set(i, nullableAsAnyOf(child));
          }
        }
      }
    }
    if (Boolean.TRUE.equals(node.getValue("nullable"))) {
      JsonObject schema = node.copy();
      schema.remove("nullable");
      JsonObject wrapper = new JsonObject().put("anyOf", new JsonArray().add(schema)
          .add(new JsonObject().put("enum", new JsonArray().addNull())));
      if (schema.containsKey("description")) {
        wrapper.put("description", schema.getString("description"));
      }
      return wrapper;
    }
    return node;
  }
}
