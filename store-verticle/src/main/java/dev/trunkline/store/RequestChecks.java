package dev.trunkline.store;

import dev.trunkline.contract.Errors;
import dev.trunkline.contract.Identifiers;
import dev.trunkline.contract.Secret;
import dev.trunkline.contract.ServiceException;
import java.util.regex.Pattern;

/** Request checks shared by the store's handlers: each failure is a 400 that names the field. */
final class RequestChecks {
  private RequestChecks() {}

  static void body(Object body) {
    if (body == null) {
      throw ServiceException.badRequest(Errors.BAD_MESSAGE, "the request body is missing");
    }
  }

  static String tenant(String subaccountId) {
    return Identifiers.requireSubaccountId(subaccountId);
  }

  static String secret(String field, Secret value, int maxLength) {
    if (value == null || value.isBlank()) {
      throw ServiceException.badRequest("INVALID_" + snake(field), field + " is required");
    }
    if (value.reveal().length() > maxLength) {
      throw ServiceException.badRequest("INVALID_" + snake(field), field + " is longer than " + maxLength);
    }
    return value.reveal();
  }

  static String text(String field, String value, int maxLength, boolean required) {
    if (value == null || value.isBlank()) {
      if (required) {
        throw ServiceException.badRequest("INVALID_" + snake(field), field + " is required");
      }
      return null;
    }
    if (value.length() > maxLength) {
      throw ServiceException.badRequest("INVALID_" + snake(field), field + " is longer than " + maxLength);
    }
    return value;
  }

  /** An optional SID: null passes, "" passes (the store reads it as "clear this field"), else it must fit. */
  static void optionalSid(String field, String value, Pattern pattern, String expected) {
    if (value != null && !value.isEmpty()) {
      Identifiers.require(field, value, pattern, expected);
    }
  }

  static void credentialListSid(String field, String value) {
    optionalSid(field, value, Identifiers.CREDENTIAL_LIST_SID, "CL followed by 32 hexadecimal characters");
  }

  static void credentialSid(String field, String value) {
    optionalSid(field, value, Identifiers.CREDENTIAL_SID, "CR followed by 32 hexadecimal characters");
  }

  static void originationUrlSid(String field, String value) {
    optionalSid(field, value, Identifiers.ORIGINATION_URL_SID, "OU followed by 32 hexadecimal characters");
  }

  private static String snake(String field) {
    return field.replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase();
  }
}
