package dev.trunkline.gateway;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trunkline.contract.ServiceException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.util.Locale;
import java.util.ArrayList;
import java.util.List;

/**
 * A request body as the schema validation sees it: JSON syntax is checked here, strictly, because a schema cannot
 * say it. Malformed JSON, duplicate keys and trailing data are 400 {@code MALFORMED_JSON}; a body that is not an
 * object is 400 {@code INVALID_BODY}; a body that is not JSON is 415. An absent or empty body is {@code {}}, and an
 * explicit {@code null} member is "not given" (so a required field then is missing, an optional one absent).
 */
final class StrictJson {
  private static final ObjectMapper STRICT = new ObjectMapper()
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private StrictJson() {}

  /**
   * A checked body: its members' names in order, and the JSON the schema validation reads (the body as sent, or
   * without its null members when it has any: parsed and written again only then).
   */
  record Body(List<String> fields, Buffer json) {
    /** The body as an object; parsed again, so only for the rare path that needs it (mapping a refusal). */
    JsonObject object() {
      return new JsonObject(json);
    }
  }

  static Body object(RoutingContext ctx) {
    Buffer raw = ctx.body() == null ? null : ctx.body().buffer();
    if (raw == null || raw.length() == 0) {
      return new Body(List.of(), Buffer.buffer("{}"));
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
    ObjectNode object = (ObjectNode) node;
    if (!object.properties().removeIf(member -> member.getValue().isNull())) {
      return new Body(fieldNames(object), raw);
    }
    try {
      return new Body(fieldNames(object), Buffer.buffer(STRICT.writeValueAsBytes(object)));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a parsed JSON object could not be written again", e);
    }
  }

  private static List<String> fieldNames(ObjectNode object) {
    List<String> names = new ArrayList<>(object.size());
    object.fieldNames().forEachRemaining(names::add);
    return names;
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
