package dev.trunkline.provisioning;

import dev.trunkline.contract.Identifiers;
import dev.trunkline.contract.Secret;
import dev.trunkline.contract.ServiceException;
import io.vertx.core.json.JsonObject;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Checks a provisioning request before any flow runs: the REST gateway has checked its input already, but a sibling
 * verticle's request reaches the service as it was sent. A miss is 400 {@code MISSING_FIELD} or
 * {@code INVALID_FIELD} with {@code details.field} and {@code details.expected}, as the REST API answers; the
 * message never quotes a value (it could be a secret).
 */
final class Requests {
  private Requests() {}

  /** The tenant in canonical (lower-case) form. */
  static String tenant(String subaccountId) {
    return required("subaccountId", subaccountId, Identifiers.SUBACCOUNT_ID, "24 hexadecimal characters")
        .toLowerCase(Locale.ROOT);
  }

  static String phoneNumber(String value) {
    return required("phoneNumber", value, Identifiers.E164, "an E.164 number such as +14155550100");
  }

  static String optionalPhoneNumber(String field, String value) {
    return optional(field, value, Identifiers.E164, "an E.164 number such as +14155550100");
  }

  static Secret secret(String field, Secret value, String what) {
    if (value == null || value.reveal() == null) {
      throw missing(field, what + " (8 to 512 printable characters)");
    }
    if (!Identifiers.ANY_SECRET.matcher(value.reveal()).matches()) {
      throw invalid(field, what + " (8 to 512 printable characters)");
    }
    return value;
  }

  static String required(String field, String value, Pattern pattern, String expected) {
    if (value == null) {
      throw missing(field, expected);
    }
    return optional(field, value, pattern, expected);
  }

  static String optional(String field, String value, Pattern pattern, String expected) {
    if (value != null && !pattern.matcher(value).matches()) {
      throw invalid(field, expected);
    }
    return value;
  }

  static Integer range(String field, Integer value, int min, int max) {
    if (value != null && (value < min || value > max)) {
      throw invalid(field, "an integer from " + min + " to " + max);
    }
    return value;
  }

  private static ServiceException missing(String field, String expected) {
    return new ServiceException(400, "MISSING_FIELD", field + " is required (" + expected + ")",
        new JsonObject().put("field", field).put("expected", expected));
  }

  private static ServiceException invalid(String field, String expected) {
    return new ServiceException(400, "INVALID_FIELD", field + " must be " + expected,
        new JsonObject().put("field", field).put("expected", expected));
  }
}
