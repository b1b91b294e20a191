package dev.trunkline.retell;

import dev.trunkline.contract.RetellMessages.Codes;
import dev.trunkline.contract.ServiceException;
import dev.trunkline.retell.RetellApi.ResolvedTarget;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Imports a number so that the result converges whatever became of earlier attempts. An import whose reply was
 * lost (timeout, dropped connection, 5xx) may have been applied; its retry then meets a number that is already
 * there, and what Retell answers to that is not documented (our simulator says 400, another server may say 409
 * or something else). So the answer to a failed import is never trusted on its own: the number is read back, and
 *
 * <ul>
 *   <li>if Retell has it, it is updated to the target trunk and credentials (PATCH, as any sync) and the caller
 *   gets that reply, to be verified like any other: the number is imported;</li>
 *   <li>if Retell provably does not have it (its "cannot find" answer), the import's own failure stands;</li>
 *   <li>if the read-back fails too, that failure is the answer: the outcome is unknown and retryable.</li>
 * </ul>
 *
 * Only an import that provably reached nobody skips the read-back: a refused API key (the read would be refused
 * too) and a call the client-side rate limit refused before any attempt.
 */
final class ConvergingImport {
  private static final Logger LOG = LoggerFactory.getLogger(ConvergingImport.class);

  private final RetellApi client;

  ConvergingImport(RetellApi client) {
    this.client = client;
  }

  /** The reply that shows the number's trunk settings: the import's, or the converging update's. */
  Future<JsonObject> importNumber(RequestScope scope, String phoneNumber, ResolvedTarget target, String nickname) {
    return client.importNumber(scope, phoneNumber, target, nickname)
        .recover(importError -> mayHaveReachedRetell(importError)
            ? readBack(scope, phoneNumber, target, (ServiceException) importError)
            : Future.failedFuture(importError));
  }

  private Future<JsonObject> readBack(RequestScope scope, String phoneNumber, ResolvedTarget target,
      ServiceException importError) {
    return client.getNumber(scope, phoneNumber).transform(read -> {
      if (read.succeeded()) {
        LOG.info("retell import {} answered {} ({}), but Retell has the number: converging with an update rid={}",
            phoneNumber, importError.code(), importError.details().getValue("upstreamStatus", "no answer"),
            scope.requestId());
        return client.updateSipTrunk(scope, phoneNumber, target);
      }
      if (NumberSync.isNotFound(read.cause())) {
        return Future.failedFuture(importError);
      }
      LOG.warn("retell import {} answered {} and reading the number back failed ({}): outcome unknown rid={}",
          phoneNumber, importError.code(), read.cause() instanceof ServiceException se ? se.code()
              : read.cause().getClass().getSimpleName(), scope.requestId());
      return Future.failedFuture(read.cause());
    });
  }

  /** Whether an HTTP attempt was made whose effect in Retell is not known from the failure alone. */
  static boolean mayHaveReachedRetell(Throwable error) {
    return error instanceof ServiceException se
        && !Codes.UNAUTHORIZED.equals(se.code())
        && se.details() != null && se.details().containsKey("attempts");
  }
}
