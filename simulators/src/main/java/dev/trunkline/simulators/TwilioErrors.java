package dev.trunkline.simulators;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * Twilio's error body, {@code {code, message, more_info, status}}, and the error codes the simulator uses (documented
 * in docs/simulators.md; the twilio-verticle codes against them).
 */
final class TwilioErrors {

  static final int AUTHENTICATION = 20003;
  static final int NOT_FOUND = 20404;
  static final int TOO_MANY_REQUESTS = 20429;
  static final int INTERNAL = 20500;
  static final int UNAVAILABLE = 20503;
  static final int INVALID_REQUEST = 21200;
  static final int INVALID_PARAMETER = 21201;
  static final int PASSWORD_POLICY = 21202;
  static final int ALREADY_ASSOCIATED = 21240;
  static final int DUPLICATE_USERNAME = 21239;
  static final int DOMAIN_IN_USE = 21248;
  static final int NUMBER_NOT_AVAILABLE = 21422;

  private TwilioErrors() {
  }

  static void write(RoutingContext ctx, int status, Integer code, String message) {
    int effectiveCode = code != null ? code : defaultCode(status);
    Replies.json(ctx, status, new JsonObject()
        .put("code", effectiveCode)
        .put("message", message != null ? message : defaultMessage(status))
        .put("more_info", "https://www.twilio.com/docs/errors/" + effectiveCode)
        .put("status", status));
  }

  static int defaultCode(int status) {
    return switch (status) {
      case 400 -> INVALID_REQUEST;
      case 401 -> AUTHENTICATION;
      case 404 -> NOT_FOUND;
      case 429 -> TOO_MANY_REQUESTS;
      case 503 -> UNAVAILABLE;
      default -> status >= 500 ? INTERNAL : status * 50;
    };
  }

  private static String defaultMessage(int status) {
    return switch (status) {
      case 401 -> "Authenticate";
      case 404 -> "The requested resource was not found";
      case 429 -> "Too Many Requests";
      case 503 -> "Service Unavailable";
      default -> status >= 500 ? "Internal Server Error" : "Bad Request";
    };
  }
}
