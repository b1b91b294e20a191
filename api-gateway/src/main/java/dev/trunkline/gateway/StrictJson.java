package dev.trunkline.gateway;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trunkline.contract.ServiceException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

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

  /** A checked body: the object (nested values as maps and lists, as read) and its members' names in order. */
  record Body(List<String> fields, JsonObject object) {}

  @SuppressWarnings("unchecked")
  static Body object(RoutingContext ctx) {
    Buffer raw = ctx.body() == null ? null : ctx.body().buffer();
    if (raw == null || raw.length() == 0) {
      return new Body(List.of(), new JsonObject());
    }
    String type = ctx.request().getHeader("Content-Type");
    if (type == null || !isJson(type)) {
      throw ApiErrors.unsupportedMediaType();
    }
    if (raw.toString(StandardCharsets.UTF_8).isBlank()) {
      throw new ServiceException(400, "INVALID_BODY", "request body must be a JSON object");
    }
    Object value;
    try {
      // Read once, straight into maps and lists: the schema validation reads the same object.
      value = STRICT.readValue(raw.getBytes(), Object.class);
    } catch (JsonProcessingException e) {
      throw ApiErrors.malformedJson(describe(e));
    } catch (IOException e) {
      throw ApiErrors.malformedJson("unreadable body");
    }
    if (!(value instanceof Map)) {
      throw new ServiceException(400, "INVALID_BODY", "request body must be a JSON object");
    }
    Map<String, Object> members = (Map<String, Object>) value;
    members.values().removeIf(Objects::isNull);
    return new Body(new ArrayList<>(members.keySet()), new JsonObject(members));
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
