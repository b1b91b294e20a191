package dev.trunkline.retell;

import dev.trunkline.contract.Errors;
import dev.trunkline.contract.Redaction;
import dev.trunkline.contract.RetellMessages.Codes;
import dev.trunkline.contract.ServiceException;
import dev.trunkline.retell.RetellApi.ResolvedTarget;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Trust, then verify: after Retell accepts an import or update, its reply must show the username and the
 * termination URI that were sent. The origin service never looked, and answered success for numbers whose
 * {@code auth_username} stayed empty.
 */
final class Verification {
  private Verification() {}

  /**
   * Fails with 502 {@code RETELL_VERIFY_MISMATCH} naming the first field that does not match. What Retell shows is
   * upstream text: the call's secrets (the key, the password sent) are blanked from it, in case it echoes one.
   */
  static void requireApplied(RequestScope scope, String phoneNumber, JsonObject reply, ResolvedTarget expected) {
    String replied = RetellNumbers.text(reply, "phone_number");
    if (replied != null && !replied.equals(phoneNumber)) {
      throw mismatch(phoneNumber, "phone_number", phoneNumber, shown(replied, scope, expected));
    }
    JsonObject sip = RetellNumbers.sipConfig(reply);
    String username = sip == null ? null : RetellNumbers.text(sip, "auth_username");
    if (!expected.username().equals(username)) {
      throw mismatch(phoneNumber, "auth_username", expected.username(), shown(username, scope, expected));
    }
    String uri = sip == null ? null : RetellNumbers.text(sip, "termination_uri");
    if (!TerminationUris.same(expected.terminationUri(), uri)) {
      throw mismatch(phoneNumber, "termination_uri", expected.terminationUri(), shown(uri, scope, expected));
    }
  }

  private static String shown(String actual, RequestScope scope, ResolvedTarget expected) {
    // Blank stays as it is: an empty auth_username is the very fault this check exists for.
    return actual == null || actual.isBlank() ? actual
        : Redaction.upstreamText(actual, List.of(scope.apiKey(), expected.password()));
  }

  private static ServiceException mismatch(String phoneNumber, String field, String expected, String actual) {
    // Usernames and URIs are not secrets (the design returns auth_username); passwords are never compared.
    return new ServiceException(Errors.BAD_GATEWAY, Codes.VERIFY_MISMATCH,
        "Retell accepted the change for " + phoneNumber + " but its reply shows " + field + " = "
            + (actual == null ? "null" : "'" + actual + "'") + ", expected '" + expected + "'",
        new JsonObject().put("field", field).put("expected", expected).put("actual", actual));
  }
}
