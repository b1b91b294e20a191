package dev.trunkline.retell;

import dev.trunkline.contract.Errors;
import dev.trunkline.contract.RetellMessages.Codes;
import dev.trunkline.contract.RetellMessages.Deleted;
import dev.trunkline.contract.RetellMessages.ImportNumber;
import dev.trunkline.contract.RetellMessages.InspectNumber;
import dev.trunkline.contract.RetellMessages.Inspection;
import dev.trunkline.contract.RetellMessages.KeyVerified;
import dev.trunkline.contract.RetellMessages.ListNumbers;
import dev.trunkline.contract.RetellMessages.NumberList;
import dev.trunkline.contract.RetellMessages.KeyedNumber;
import dev.trunkline.contract.RetellMessages.RetellNumber;
import dev.trunkline.contract.RetellMessages.SyncNumber;
import dev.trunkline.contract.RetellMessages.SyncResult;
import dev.trunkline.contract.RetellMessages.VerifyKey;
import dev.trunkline.contract.ServiceException;
import dev.trunkline.retell.RetellApi.ResolvedTarget;
import io.vertx.core.Future;

/**
 * One method per address of {@code Addresses.Retell}: validates the request, resolves the API key and runs
 * the operation. Holds no tenant state; every call is independent of every other.
 */
final class RetellService {
  private final RetellConfig config;
  private final RetellApi client;
  private final ConvergingImport importer;
  private final NumberSync sync;
  private final NumberInspector inspector;
  private final NumberLister lister;

  RetellService(RetellConfig config, RetellApi client) {
    this.config = config;
    this.client = client;
    this.importer = new ConvergingImport(client);
    this.sync = new NumberSync(client, importer);
    this.inspector = new NumberInspector(client);
    this.lister = new NumberLister(client, config.listPageSize(), config.listMaxPages());
  }

  /**
   * A cheap authenticated call (one list entry). A refused key is the caller's input being wrong here, so
   * it fails 400 {@code RETELL_UNAUTHORIZED} (elsewhere the same refusal is a 502).
   */
  Future<KeyVerified> verifyKey(VerifyKey request, String requestId, String tenant, long deadlineMillis) {
    RequestScope scope = scope(request.apiKey(), requestId, tenant, deadlineMillis);
    return client.listPage(scope, 1, null)
        .map(page -> new KeyVerified(true))
        .recover(err -> err instanceof ServiceException se && Codes.UNAUTHORIZED.equals(se.code())
            ? Future.failedFuture(new ServiceException(Errors.BAD_REQUEST, se.code(), se.getMessage(),
                se.details()))
            : Future.failedFuture(err));
  }

  Future<RetellNumber> importNumber(ImportNumber request, String requestId, String tenant, long deadlineMillis) {
    String phoneNumber = Requests.phoneNumber(request.phoneNumber());
    ResolvedTarget target = Requests.target(request.target(), config.transport());
    RequestScope scope = scope(request.apiKey(), requestId, tenant, deadlineMillis);
    return importer.importNumber(scope, phoneNumber, target, request.nickname())
        .map(reply -> {
          Verification.requireApplied(scope, phoneNumber, reply, target);
          return RetellNumbers.from(reply);
        });
  }

  Future<RetellNumber> getNumber(KeyedNumber request, String requestId, String tenant, long deadlineMillis) {
    String phoneNumber = Requests.phoneNumber(request.phoneNumber());
    return client.getNumber(scope(request.apiKey(), requestId, tenant, deadlineMillis), phoneNumber).map(RetellNumbers::from);
  }

  Future<NumberList> listNumbers(ListNumbers request, String requestId, String tenant, long deadlineMillis) {
    return lister.listAll(scope(request.apiKey(), requestId, tenant, deadlineMillis));
  }

  /** Idempotent: a number Retell does not know (its 422 "Cannot find requested asset") answers {@code deleted = false}. */
  Future<Deleted> deleteNumber(KeyedNumber request, String requestId, String tenant, long deadlineMillis) {
    String phoneNumber = Requests.phoneNumber(request.phoneNumber());
    return client.deleteNumber(scope(request.apiKey(), requestId, tenant, deadlineMillis), phoneNumber)
        .map(v -> new Deleted(phoneNumber, true))
        .recover(err -> NumberSync.isNotFound(err)
            ? Future.succeededFuture(new Deleted(phoneNumber, false))
            : Future.failedFuture(err));
  }

  Future<SyncResult> syncNumber(SyncNumber request, String requestId, String tenant, long deadlineMillis) {
    String phoneNumber = Requests.phoneNumber(request.phoneNumber());
    ResolvedTarget target = Requests.target(request.target(), config.transport());
    return sync.sync(scope(request.apiKey(), requestId, tenant, deadlineMillis), phoneNumber, target, request.importIfMissing(),
        request.nickname());
  }

  Future<Inspection> inspectNumber(InspectNumber request, String requestId, String tenant, long deadlineMillis) {
    String phoneNumber = Requests.phoneNumber(request.phoneNumber());
    return inspector.inspect(scope(request.apiKey(), requestId, tenant, deadlineMillis), phoneNumber, request.expectedTerminationUri(),
        request.expectedUsername());
  }

  private RequestScope scope(dev.trunkline.contract.Secret apiKey, String requestId, String tenant, long deadlineMillis) {
    return Requests.scope(apiKey, config.defaultApiKey(), requestId, tenant, deadlineMillis);
  }
}
