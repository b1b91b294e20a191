package dev.trunkline.retell;

import dev.trunkline.contract.RetellMessages.Codes;
import dev.trunkline.contract.RetellMessages.SyncOutcome;
import dev.trunkline.contract.RetellMessages.SyncResult;
import dev.trunkline.contract.ServiceException;
import dev.trunkline.retell.RetellApi.ResolvedTarget;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * Sets one number's outbound SIP trunk in Retell and proves it took: PATCH {@code auth_username},
 * {@code auth_password}, {@code termination_uri}, {@code transport}, then {@link Verification} of the reply.
 * A number Retell does not know (Retell answers 422 "Cannot find requested asset") fails 404
 * {@code RETELL_NOT_FOUND}, or is imported through {@link ConvergingImport} (and verified the same way) when the
 * request asks for it.
 */
final class NumberSync {
  private final RetellApi client;
  private final ConvergingImport importer;

  NumberSync(RetellApi client, ConvergingImport importer) {
    this.client = client;
    this.importer = importer;
  }

  Future<SyncResult> sync(RequestScope scope, String phoneNumber, ResolvedTarget target, boolean importIfMissing,
      String nickname) {
    return client.updateSipTrunk(scope, phoneNumber, target)
        .map(reply -> new Applied(SyncOutcome.UPDATED, reply))
        .recover(err -> importIfMissing && isNotFound(err)
            ? importer.importNumber(scope, phoneNumber, target, nickname)
                .map(reply -> new Applied(SyncOutcome.IMPORTED, reply))
            : Future.failedFuture(err))
        .map(applied -> {
          Verification.requireApplied(scope, phoneNumber, applied.reply(), target);
          JsonObject sip = RetellNumbers.sipConfig(applied.reply());
          return new SyncResult(phoneNumber, applied.outcome(), RetellNumbers.text(sip, "auth_username"),
              RetellNumbers.text(sip, "termination_uri"));
        });
  }

  /** Retell does not have the number: its 422 "Cannot find requested asset" (or a 404), as mapped by UpstreamFailures. */
  static boolean isNotFound(Throwable err) {
    return err instanceof ServiceException se && Codes.NOT_FOUND.equals(se.code());
  }

  private record Applied(SyncOutcome outcome, JsonObject reply) {}
}
