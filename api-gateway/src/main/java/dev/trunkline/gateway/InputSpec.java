package dev.trunkline.gateway;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trunkline.contract.ServiceException;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A strict description of what a request body (or query string) may contain, and the parser that holds
 * requests to it. Every failure is a 400 (415 for a non-JSON body) that names the field and what is
 * expected; nothing that fails here reaches a service.
 *
 * <p>Strict means: malformed JSON, duplicate keys, trailing data, a body that is not an object, unknown
 * fields and values of the wrong JSON type are all rejected. A value such as {@code {"$gt": ""}} where a
 * string is expected is a wrong type, so operator injection never gets as far as a query.
 */
final class InputSpec {
  private static final ObjectMapper STRICT = new ObjectMapper()
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private enum Kind { STRING, BOOLEAN, INTEGER }

  private record Field(String name, Kind kind, boolean required, Pattern pattern, String expected,
      long min, long max) {}

  private final String where;
  private final Map<String, Field> fields = new LinkedHashMap<>();

  private InputSpec(String where) {
    this.where = where;
  }

  static InputSpec body() {
    return new InputSpec("field");
  }

  static InputSpec query() {
    return new InputSpec("query parameter");
  }

  InputSpec requiredString(String name, Pattern pattern, String expected) {
    fields.put(name, new Field(name, Kind.STRING, true, pattern, expected, 0, 0));
    return this;
  }

  InputSpec optionalString(String name, Pattern pattern, String expected) {
    fields.put(name, new Field(name, Kind.STRING, false, pattern, expected, 0, 0));
    return this;
  }

  InputSpec optionalBoolean(String name) {
    fields.put(name, new Field(name, Kind.BOOLEAN, false, null, "true or false", 0, 0));
    return this;
  }

  InputSpec optionalInteger(String name, long min, long max) {
    fields.put(name, new Field(name, Kind.INTEGER, false, null,
        "an integer from " + min + " to " + max, min, max));
    return this;
  }

  /**
   * Reads and checks the JSON body. An absent or empty body counts as {@code {}} (so it passes when no
   * field is required).
   */
  JsonObject parseBody(RoutingContext ctx) {
    Buffer raw = ctx.body() == null ? null : ctx.body().buffer();
    if (raw == null || raw.length() == 0) {
      return check(STRICT.createObjectNode());
    }
    String type = ctx.request().getHeader("Content-Type");
    if (type == null || !isJson(type)) {
      throw ApiErrors.unsupportedMediaType();
    }
    JsonNode node;
    try {
      node = STRICT.readTree(raw.getBytes());
    } catch (JsonProcessingException e) {
      throw ApiErrors.malformedJson(describe(e));
    } catch (IOException e) {
      throw ApiErrors.malformedJson("unreadable body");
    }
    if (node == null || !node.isObject()) {
      throw new ServiceException(400, "INVALID_BODY", "request body must be a JSON object");
    }
    return check(node);
  }

  /** Reads and checks the query string: each parameter at most once, only known names. */
  JsonObject parseQuery(RoutingContext ctx) {
    MultiMap params = ctx.queryParams();
    JsonObject out = new JsonObject();
    for (String name : params.names()) {
      Field field = fields.get(name);
      if (field == null) {
        throw ApiErrors.unknownField(where, name, fields.keySet());
      }
      if (params.getAll(name).size() > 1) {
        throw ApiErrors.invalidField(name, "given once");
      }
      String value = params.get(name);
      switch (field.kind()) {
        case STRING -> out.put(name, checkString(field, value));
        case BOOLEAN -> {
          if (!"true".equals(value) && !"false".equals(value)) {
            throw ApiErrors.invalidField(name, field.expected());
          }
          out.put(name, Boolean.parseBoolean(value));
        }
        case INTEGER -> {
          long n;
          try {
            n = Long.parseLong(value);
          } catch (NumberFormatException e) {
            throw ApiErrors.invalidField(name, field.expected());
          }
          out.put(name, checkRange(field, n));
        }
        default -> throw new IllegalStateException();
      }
    }
    requireAll(out);
    return out;
  }

  private JsonObject check(JsonNode node) {
    JsonObject out = new JsonObject();
    Iterator<Map.Entry<String, JsonNode>> it = node.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> entry = it.next();
      Field field = fields.get(entry.getKey());
      if (field == null) {
        throw ApiErrors.unknownField(where, entry.getKey(), fields.keySet());
      }
      JsonNode value = entry.getValue();
      if (value.isNull()) {
        continue; // an explicit null is "not given"; a required field then fails below
      }
      switch (field.kind()) {
        case STRING -> {
          if (!value.isTextual()) {
            throw ApiErrors.invalidType(field.name(), "a string (" + field.expected() + ")");
          }
          out.put(field.name(), checkString(field, value.textValue()));
        }
        case BOOLEAN -> {
          if (!value.isBoolean()) {
            throw ApiErrors.invalidType(field.name(), "a boolean");
          }
          out.put(field.name(), value.booleanValue());
        }
        case INTEGER -> {
          if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            throw ApiErrors.invalidType(field.name(), "an integer");
          }
          out.put(field.name(), checkRange(field, value.longValue()));
        }
        default -> throw new IllegalStateException();
      }
    }
    requireAll(out);
    return out;
  }

  private void requireAll(JsonObject out) {
    for (Field field : fields.values()) {
      if (field.required() && !out.containsKey(field.name())) {
        throw ApiErrors.missingField(field.name(), field.expected());
      }
    }
  }

  private static String checkString(Field field, String value) {
    if (field.pattern() != null && !field.pattern().matcher(value).matches()) {
      throw ApiErrors.invalidField(field.name(), field.expected());
    }
    return value;
  }

  private static long checkRange(Field field, long n) {
    if (n < field.min() || n > field.max()) {
      throw ApiErrors.invalidField(field.name(), field.expected());
    }
    return n;
  }

  private static boolean isJson(String contentType) {
    String mime = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    return mime.equals("application/json") || (mime.startsWith("application/") && mime.endsWith("+json"));
  }

  /**
   * Jackson's own message can quote the offending input (which may be a secret the client mistyped), so
   * the client gets a category and a position, never its text back.
   */
  private static String describe(JsonProcessingException e) {
    String original = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
    String what = original.startsWith("Duplicate field") ? "duplicate key"
        : original.startsWith("Unexpected end-of-input") ? "unexpected end of input"
        : original.contains("Trailing token") ? "unexpected data after the JSON value"
        : "syntax error";
    if (e.getLocation() != null) {
      what += " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
    }
    return what;
  }
}
