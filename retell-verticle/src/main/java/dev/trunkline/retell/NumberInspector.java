package dev.trunkline.retell;

import dev.trunkline.contract.RetellMessages.Inspection;
import dev.trunkline.contract.RetellMessages.InspectionStatus;
import dev.trunkline.contract.RetellMessages.RetellNumber;
import io.vertx.core.Future;

/**
 * Read-only audit of one number: does Retell's {@code sip_outbound_trunk_config} match the expected trunk?
 * Every outcome, "not in Retell" included, is a reply; only a failure to ask Retell is a failure.
 */
final class NumberInspector {
  private final RetellApi client;

  NumberInspector(RetellApi client) {
    this.client = client;
  }

  Future<Inspection> inspect(RequestScope scope, String phoneNumber, String expectedTerminationUri,
      String expectedUsername) {
    return client.getNumber(scope, phoneNumber)
        .map(json -> {
          RetellNumber number = RetellNumbers.from(json);
          InspectionStatus status = judge(number, expectedTerminationUri, expectedUsername);
          return new Inspection(phoneNumber, status, number.authUsername(), number.terminationUri(),
              number.transport());
        })
        .recover(err -> NumberSync.isNotFound(err)
            ? Future.succeededFuture(
                new Inspection(phoneNumber, InspectionStatus.NOT_IN_RETELL, null, null, null))
            : Future.failedFuture(err));
  }

  /**
   * The first problem in order of consequence: no username (the origin failure: no outbound calls), then a
   * different username, then a different termination URI. A null expectation is not checked.
   */
  static InspectionStatus judge(RetellNumber number, String expectedTerminationUri, String expectedUsername) {
    String username = number.authUsername();
    if (username == null || username.isBlank()) {
      return InspectionStatus.MISSING_USERNAME;
    }
    if (expectedUsername != null && !expectedUsername.equals(username)) {
      return InspectionStatus.WRONG_USERNAME;
    }
    if (expectedTerminationUri != null && !TerminationUris.same(expectedTerminationUri, number.terminationUri())) {
      return InspectionStatus.WRONG_TERMINATION_URI;
    }
    return InspectionStatus.OK;
  }
}
