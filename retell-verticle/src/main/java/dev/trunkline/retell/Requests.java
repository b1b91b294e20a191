package dev.trunkline.retell;

import dev.trunkline.contract.Identifiers;
import dev.trunkline.contract.RetellMessages.SipTarget;
import dev.trunkline.contract.Secret;
import dev.trunkline.contract.ServiceException;
import dev.trunkline.contract.SipTransport;
import dev.trunkline.retell.RetellApi.ResolvedTarget;

/** Checks what a bus request carries before anything is sent to Retell; every miss is a 400 that says why. */
final class Requests {
  private Requests() {}

  static String phoneNumber(String value) {
    return Identifiers.requirePhoneNumber(value);
  }

  static RequestScope scope(Secret apiKey, Secret defaultKey, String requestId, String tenant,
      long deadlineMillis) {
    return RequestScope.of(ApiKeys.resolve(apiKey, defaultKey), requestId, tenant, deadlineMillis);
  }

  /**
   * A complete SIP target: a termination URI (a {@code sip:} prefix is dropped, Retell wants none), a
   * username, a password and a transport (the configured default when absent). A number without
   * credentials is exactly the broken state Trunkline repairs, so they are required.
   */
  static ResolvedTarget target(SipTarget target, String defaultTransport) {
    if (target == null) {
      throw ServiceException.badRequest("INVALID_TARGET", "target (terminationUri, username, password) is required");
    }
    String uri = target.terminationUri() == null ? "" : TerminationUris.forRetell(target.terminationUri());
    if (uri.isEmpty() || uri.chars().anyMatch(Character::isWhitespace)) {
      throw ServiceException.badRequest("INVALID_TERMINATION_URI",
          "target.terminationUri must be a host such as example.pstn.twilio.com");
    }
    if (target.username() == null || target.username().isBlank()) {
      throw ServiceException.badRequest("INVALID_USERNAME", "target.username is required");
    }
    if (target.password() == null || target.password().isBlank()) {
      throw ServiceException.badRequest("INVALID_PASSWORD", "target.password is required");
    }
    String transport = target.transport() == null || target.transport().isBlank()
        ? defaultTransport
        : target.transport();
    if (!SipTransport.isValid(transport)) {
      throw ServiceException.badRequest("INVALID_TRANSPORT", "target.transport must be TCP, TLS or UDP");
    }
    return new ResolvedTarget(uri, target.username(), target.password(), SipTransport.normalize(transport));
  }
}
