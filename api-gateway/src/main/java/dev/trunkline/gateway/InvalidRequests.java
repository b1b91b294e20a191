package dev.trunkline.gateway;

import dev.trunkline.contract.ServiceException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.OutputUnit;
import io.vertx.openapi.contract.Location;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Parameter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one place that turns a request openapi.yaml refuses into the API's 400s, the same codes the gateway always
 * answered: {@code MISSING_FIELD}, {@code UNKNOWN_FIELD}, {@code INVALID_TYPE} (a body value of the wrong JSON type),
 * {@code INVALID_FIELD} (a value outside its pattern, enum or range; any bad query or header value) and, for a path
 * parameter, {@code INVALID_<NAME>} ({@code INVALID_PHONE_NUMBER}). Each names the field in {@code details.field}
 * and says in {@code details.expected} what it must be: the schema's {@code description}, else a sentence made from
 * the schema. The library's own messages are never passed on: they can quote what the client sent.
 */
final class InvalidRequests {
  /** A body error's keyword location: {@code #/properties/<name>/<keyword>}. */
  private static final Pattern PROPERTY_KEYWORD = Pattern.compile("^#/properties/([^/]+)/([A-Za-z]+)$");

  private InvalidRequests() {}

  /** A body member the operation's schema does not declare is {@code UNKNOWN_FIELD}, the first in the body's order. */
  static void refuseUnknownFields(Operation operation, List<String> fields) {
    JsonSchema schema = ApiContract.bodySchema(operation);
    if (Boolean.FALSE.equals(schema.get("additionalProperties"))) {
      JsonObject properties = properties(schema);
      for (String field : fields) {
        if (!properties.containsKey(field)) {
          throw ApiErrors.unknownField("field", field, properties.fieldNames());
        }
      }
    }
  }

  private static JsonObject properties(JsonSchema schema) {
    return schema.containsKey("properties") ? (JsonObject) schema.get("properties") : new JsonObject();
  }

  /** A parameter the library refused: {@code INVALID_FIELD}, or {@code INVALID_<NAME>} for a path parameter. */
  static ServiceException ofParameter(Parameter parameter) {
    String expected = expected(parameter.getSchema());
    if (parameter.getIn() == Location.PATH) {
      return new ServiceException(400, "INVALID_" + snake(parameter.getName()),
          parameter.getName() + " must be " + expected,
          new JsonObject().put("field", parameter.getName()).put("expected", expected));
    }
    return ApiErrors.invalidField(parameter.getName(), expected);
  }

  /** The first wrong value in the body's order, then the first missing field (unknown fields were refused first). */
  static ServiceException ofBody(JsonSchema schema, OutputUnit result, JsonObject body) {
    JsonObject properties = properties(schema);
    List<OutputUnit> errors = result.getErrors() == null ? List.of() : result.getErrors();
    for (String field : body.fieldNames()) {
      for (OutputUnit error : errors) {
        Matcher m = PROPERTY_KEYWORD.matcher(error.getKeywordLocation() == null ? "" : error.getKeywordLocation());
        if (m.matches() && unescape(m.group(1)).equals(field)) {
          JsonObject property = properties.getJsonObject(field);
          return "type".equals(m.group(2))
              ? ApiErrors.invalidType(field, typeExpected(property))
              : ApiErrors.invalidField(field, expected(property));
        }
      }
    }
    JsonArray required = schema.containsKey("required") ? (JsonArray) schema.get("required") : new JsonArray();
    for (Object field : required) {
      if (!body.containsKey((String) field)) {
        return ApiErrors.missingField((String) field, expected(properties.getJsonObject((String) field)));
      }
    }
    return new ServiceException(400, "INVALID_BODY", "request body does not match the API description");
  }

  /** What a value must be: the document's description of it, else a sentence made from its schema. */
  static String expected(JsonSchema schema) {
    JsonObject json = new JsonObject();
    for (String key : schema.fieldNames()) {
      json.put(key, (Object) schema.get(key));
    }
    return expected(json);
  }

  static String expected(JsonObject schema) {
    if (schema == null) {
      return "a known field";
    }
    if (schema.getString("description") != null) {
      return schema.getString("description");
    }
    if (schema.getJsonArray("enum") != null) {
      List<String> values = new ArrayList<>();
      schema.getJsonArray("enum").forEach(v -> values.add(String.valueOf(v)));
      return "one of " + String.join(", ", values);
    }
    String type = schema.getString("type", "string");
    return switch (type) {
      case "boolean" -> "true or false";
      case "integer" -> schema.containsKey("minimum") && schema.containsKey("maximum")
          ? "an integer from " + schema.getValue("minimum") + " to " + schema.getValue("maximum") : "an integer";
      default -> schema.getString("pattern") != null ? "a string matching " + schema.getString("pattern")
          : "a string";
    };
  }

  private static String typeExpected(JsonObject schema) {
    String type = schema == null ? "string" : schema.getString("type", "string");
    return switch (type) {
      case "boolean" -> "a boolean";
      case "integer" -> "an integer";
      case "object" -> "an object";
      case "array" -> "an array";
      default -> "a string (" + expected(schema) + ")";
    };
  }

  private static String unescape(String pointerToken) {
    return pointerToken.replace("~1", "/").replace("~0", "~");
  }

  private static String snake(String name) {
    return name.replaceAll("([a-z])([A-Z])", "$1_$2").replace('-', '_').toUpperCase(Locale.ROOT);
  }

}
