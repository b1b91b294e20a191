package dev.trunkline.retell;

import dev.trunkline.contract.Errors;
import dev.trunkline.contract.RetellMessages.Codes;
import dev.trunkline.contract.ServiceException;
import dev.trunkline.retell.RetellClient.ResolvedTarget;
import io.vertx.core.json.JsonObject;

/**
 * Trust, then verify: after Retell accepts an import or update, its reply must show the username and the
 * termination URI that were sent. The origin service never looked, and answered success for numbers whose
 * {@code auth_username} stayed empty.
 */
final class Verification {
  private Verification() {}

  /** Fails with 502 {@code RETELL_VERIFY_MISMATCH} naming the first field that does not match. */
  static void requireApplied(String phoneNumber, JsonObject reply, ResolvedTarget expected) {
    String replied = RetellNumbers.text(reply, "phone_number");
    if (replied != null && !replied.equals(phoneNumber)) {
      throw mismatch(phoneNumber, "phone_number", phoneNumber, replied);
    }
    JsonObject sip = RetellNumbers.sipConfig(reply);
    String username = sip == null ? null : RetellNumbers.text(sip, "auth_username");
    if (!expected.username().equals(username)) {
      throw mismatch(phoneNumber, "auth_username", expected.username(), username);
    }
    String uri = sip == null ? null : RetellNumbers.text(sip, "termination_uri");
    if (!TerminationUris.same(expected.terminationUri(), uri)) {
      throw mismatch(phoneNumber, "termination_uri", expected.terminationUri(), uri);
    }
  }

  private static ServiceException mismatch(String phoneNumber, String field, String expected, String actual) {
    // Usernames and URIs are not secrets (the design returns auth_username); passwords are never compared.
    return new ServiceException(Errors.BAD_GATEWAY, Codes.VERIFY_MISMATCH,
        "Retell accepted the change for " + phoneNumber + " but its reply shows " + field + " = "
            + (actual == null ? "null" : "'" + actual + "'") + ", expected '" + expected + "'",
        new JsonObject().put("field", field).put("expected", expected).put("actual", actual));
  }
}
