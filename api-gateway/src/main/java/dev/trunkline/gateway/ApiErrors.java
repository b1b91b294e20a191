package dev.trunkline.gateway;

import dev.trunkline.contract.ServiceException;
import io.vertx.core.json.JsonObject;

/** The failures the gateway raises itself, so that codes and wording stay the same on every route. */
final class ApiErrors {
  private ApiErrors() {}

  static ServiceException unauthorized(String message) {
    return new ServiceException(401, "UNAUTHORIZED", message);
  }

  static ServiceException forbidden(String message) {
    return new ServiceException(403, "FORBIDDEN", message);
  }

  static ServiceException invalidField(String field, String expected) {
    return new ServiceException(400, "INVALID_FIELD", field + " must be " + expected,
        new JsonObject().put("field", field).put("expected", expected));
  }

  static ServiceException invalidType(String field, String expectedType) {
    return new ServiceException(400, "INVALID_TYPE", field + " must be " + expectedType,
        new JsonObject().put("field", field).put("expected", expectedType));
  }

  static ServiceException missingField(String field, String expected) {
    return new ServiceException(400, "MISSING_FIELD", field + " is required (" + expected + ")",
        new JsonObject().put("field", field).put("expected", expected));
  }

  /** The name is the client's: echoed short and printable, in the message and in {@code details.field} alike. */
  static ServiceException unknownField(String where, String field, Iterable<String> allowed) {
    JsonObject details = new JsonObject().put("field", printable(field)).put("allowed", String.join(", ", allowed));
    return new ServiceException(400, "UNKNOWN_FIELD", "unknown " + where + " '" + printable(field)
        + "'; allowed: " + (details.getString("allowed").isEmpty() ? "none" : details.getString("allowed")),
        details);
  }

  static ServiceException malformedJson(String why) {
    return new ServiceException(400, "MALFORMED_JSON", "request body is not valid JSON: " + why);
  }

  static ServiceException unsupportedMediaType() {
    return new ServiceException(415, "UNSUPPORTED_MEDIA_TYPE", "request body must be application/json");
  }

  static ServiceException payloadTooLarge(long limit) {
    return new ServiceException(413, "PAYLOAD_TOO_LARGE", "request body exceeds " + limit + " bytes",
        new JsonObject().put("limitBytes", limit));
  }

  static ServiceException rateLimited(long retryAfterSeconds) {
    return new ServiceException(429, "RATE_LIMITED",
        "too many requests for this tenant; retry after " + retryAfterSeconds + " s",
        new JsonObject().put("retryAfterSeconds", retryAfterSeconds));
  }

  static ServiceException addressRateLimited(long retryAfterSeconds) {
    return new ServiceException(429, "RATE_LIMITED",
        "too many unauthenticated requests from this address; retry after " + retryAfterSeconds + " s",
        new JsonObject().put("retryAfterSeconds", retryAfterSeconds));
  }

  static ServiceException setupRequired(String message) {
    return new ServiceException(409, "SETUP_REQUIRED", message);
  }

  /** How much of a client-supplied name an error echoes. */
  static final int ECHO_LIMIT = 64;

  /** Keeps client-supplied text short and printable before it is echoed in a message. */
  static String printable(String s) {
    String cut = s.length() > ECHO_LIMIT ? s.substring(0, ECHO_LIMIT) + "..." : s;
    return cut.replaceAll("[^\\x20-\\x7E]", "?");
  }
}
