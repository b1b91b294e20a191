package dev.trunkline.contract;

import dev.trunkline.contract.StoreMessages.AcquireLock;
import dev.trunkline.contract.StoreMessages.ClaimIdempotency;
import dev.trunkline.contract.StoreMessages.CompleteIdempotency;
import dev.trunkline.contract.StoreMessages.Connector;
import dev.trunkline.contract.StoreMessages.Deleted;
import dev.trunkline.contract.StoreMessages.DriftNumber;
import dev.trunkline.contract.StoreMessages.DriftNumberPage;
import dev.trunkline.contract.StoreMessages.DriftSweep;
import dev.trunkline.contract.StoreMessages.DriftTenant;
import dev.trunkline.contract.StoreMessages.DriftTenantPage;
import dev.trunkline.contract.StoreMessages.ListDriftNumbers;
import dev.trunkline.contract.StoreMessages.ListDriftTenants;
import dev.trunkline.contract.StoreMessages.PutDriftTenant;
import dev.trunkline.contract.StoreMessages.RecordDriftCheck;
import dev.trunkline.contract.StoreMessages.IdempotencyClaim;
import dev.trunkline.contract.StoreMessages.ListNumbers;
import dev.trunkline.contract.StoreMessages.LockReply;
import dev.trunkline.contract.StoreMessages.NumberPage;
import dev.trunkline.contract.TenantNumber;
import dev.trunkline.contract.StoreMessages.PhoneNumber;
import dev.trunkline.contract.StoreMessages.PingReply;
import dev.trunkline.contract.StoreMessages.PromoteSip;
import dev.trunkline.contract.StoreMessages.PutPendingSip;
import dev.trunkline.contract.StoreMessages.PutRetellKey;
import dev.trunkline.contract.StoreMessages.PutTrunk;
import dev.trunkline.contract.StoreMessages.PutTwilioAccount;
import dev.trunkline.contract.StoreMessages.ReleaseIdempotency;
import dev.trunkline.contract.StoreMessages.ReleaseLock;
import dev.trunkline.contract.StoreMessages.RenewLock;
import dev.trunkline.contract.StoreMessages.RetellKey;
import dev.trunkline.contract.StoreMessages.RekeyVault;
import dev.trunkline.contract.StoreMessages.RekeyReport;
import dev.trunkline.contract.StoreMessages.SipCredentials;
import dev.trunkline.contract.StoreMessages.TwilioAccount;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * The typed way to call the store service ({@link Addresses.Store}): one method per address, so the compiler
 * checks each request's record and reply. Every call has the {@link BusCaller}'s timeout and correlation, and fails
 * with a {@link ServiceException} (the store's own failure, 503 when no node runs the store, 504 after the timeout).
 *
 * <p>Methods marked internal call an {@link InternalAddress}: for Trunkline's own verticles. A sibling verticle reads
 * with the public ones and changes a tenant through {@link ProvisioningClient}.
 */
public final class StoreClient {
  private final BusCaller bus;

  public StoreClient(BusCaller bus) {
    this.bus = bus;
  }

  /** A round trip to the database: {@code ok} and the backend ("embedded" or "mongodb"); 503 when it is down. */
  public Future<PingReply> ping() {
    return call(Addresses.Store.PING, new JsonObject(), PingReply.class);
  }

  /** The tenant's connector, without secrets; 404 CONNECTOR_NOT_FOUND. */
  public Future<Connector> connector(TenantRef request) {
    return call(Addresses.Store.CONNECTOR_GET, request, Connector.class);
  }

  /** Internal: stores a Twilio account as given, unverified (provisioning connectTwilio verifies it first). */
  public Future<Connector> putTwilioAccount(PutTwilioAccount request) {
    return call(Addresses.Store.TWILIO_ACCOUNT_PUT, request, Connector.class);
  }

  /** Internal, secret: the tenant's Account SID and decrypted auth token. */
  public Future<TwilioAccount> twilioAccount(TenantRef request) {
    return call(Addresses.Store.TWILIO_ACCOUNT_GET, request, TwilioAccount.class);
  }

  /** Internal: stores a Retell API key as given, unverified (provisioning connectRetell verifies it first). */
  public Future<Connector> putRetellKey(PutRetellKey request) {
    return call(Addresses.Store.RETELL_KEY_PUT, request, Connector.class);
  }

  /** Internal, secret: the tenant's decrypted Retell API key. */
  public Future<RetellKey> retellKey(TenantRef request) {
    return call(Addresses.Store.RETELL_KEY_GET, request, RetellKey.class);
  }

  /**
   * Internal (the Twilio service's, under the tenant lock): merges the non-null trunk fields, "" clears one; 409
   * VERSION_CONFLICT / SIP_USERNAME_MISMATCH.
   */
  public Future<Connector> putTrunk(PutTrunk request) {
    return call(Addresses.Store.TRUNK_PUT, request, Connector.class);
  }

  /** Internal (the Twilio service's teardown): forgets the trunk and SIP credentials; 404 CONNECTOR_NOT_FOUND. */
  public Future<Connector> deleteTrunk(TenantRef request) {
    return call(Addresses.Store.TRUNK_DELETE, request, Connector.class);
  }

  /**
   * Internal (the Twilio service's write-ahead, under the tenant lock): stores a generated SIP password as pending
   * before Twilio hears of it, replacing an open pending one.
   */
  public Future<Connector> putPendingSip(PutPendingSip request) {
    return call(Addresses.Store.SIP_PENDING_PUT, request, Connector.class);
  }

  /** Internal: makes the pending SIP credential the active one; 409 SIP_PENDING_MISMATCH / SIP_NO_PENDING. */
  public Future<Connector> promoteSip(PromoteSip request) {
    return call(Addresses.Store.SIP_PROMOTE, request, Connector.class);
  }

  /** Internal, secret: the tenant's decrypted SIP credentials, active and pending. */
  public Future<SipCredentials> sipCredentials(TenantRef request) {
    return call(Addresses.Store.SIP_GET, request, SipCredentials.class);
  }

  /**
   * Internal: records a number (an upsert) whether or not Twilio and Retell have it; 409 NUMBER_OWNED_ELSEWHERE.
   */
  public Future<PhoneNumber> saveNumber(PhoneNumber request) {
    return call(Addresses.Store.NUMBER_SAVE, request, PhoneNumber.class);
  }

  /** The tenant's recorded number; 404 NUMBER_NOT_FOUND (also for another tenant's number). */
  public Future<PhoneNumber> number(TenantNumber request) {
    return call(Addresses.Store.NUMBER_GET, request, PhoneNumber.class);
  }

  /** A page of the tenant's recorded numbers, by phone number; {@code next} is null at the end. */
  public Future<NumberPage> listNumbers(ListNumbers request) {
    return call(Addresses.Store.NUMBER_LIST, request, NumberPage.class);
  }

  /** Internal: forgets a number that may still be on the trunk and in Retell (provisioning remove does all three). */
  public Future<Deleted> deleteNumber(TenantNumber request) {
    return call(Addresses.Store.NUMBER_DELETE, request, Deleted.class);
  }

  /** Internal (provisioning purchase): claims an idempotency key; 422 IDEMPOTENCY_KEY_REUSED. */
  public Future<IdempotencyClaim> claimIdempotency(ClaimIdempotency request) {
    return call(Addresses.Store.IDEMPOTENCY_CLAIM, request, IdempotencyClaim.class);
  }

  /** Internal (provisioning purchase): records a claim's outcome; 404 / 409 when the claim is gone or closed. */
  public Future<IdempotencyClaim> completeIdempotency(CompleteIdempotency request) {
    return call(Addresses.Store.IDEMPOTENCY_COMPLETE, request, IdempotencyClaim.class);
  }

  /** Internal (provisioning purchase): gives an IN_PROGRESS claim back. */
  public Future<Deleted> releaseIdempotency(ReleaseIdempotency request) {
    return call(Addresses.Store.IDEMPOTENCY_RELEASE, request, Deleted.class);
  }

  /** Internal (the Twilio service's tenant lock): takes a lease-based lock unless another owner's lease runs. */
  public Future<LockReply> acquireLock(AcquireLock request) {
    return call(Addresses.Store.LOCK_ACQUIRE, request, LockReply.class);
  }

  /** Internal (the Twilio service's tenant lock): extends the owner's lease; held=false once it lost the lock. */
  public Future<LockReply> renewLock(RenewLock request) {
    return call(Addresses.Store.LOCK_RENEW, request, LockReply.class);
  }

  /** Internal (the Twilio service's tenant lock): deleted=false when the owner did not hold it. */
  public Future<Deleted> releaseLock(ReleaseLock request) {
    return call(Addresses.Store.LOCK_RELEASE, request, Deleted.class);
  }

  /**
   * Internal (the operator's {@code rotate-keys} command): re-encrypts every secret to the active key; 409
   * ROTATION_RUNNING. It goes through every tenant: give the {@link BusCaller} a timeout that long.
   */
  public Future<RekeyReport> rekeyVault(RekeyVault request) {
    return call(Addresses.Store.ADMIN_ROTATE_KEYS, request, RekeyReport.class);
  }

  /** Internal (the drift sweep): a page of the tenants that have a trunk. */
  public Future<DriftTenantPage> driftTenants(ListDriftTenants request) {
    return call(Addresses.Store.DRIFT_TENANTS, request, DriftTenantPage.class);
  }

  /** Internal (the drift sweep): records one number's inspection and repair; replies with what is remembered. */
  public Future<DriftNumber> recordDrift(RecordDriftCheck request) {
    return call(Addresses.Store.DRIFT_NUMBER_RECORD, request, DriftNumber.class);
  }

  /** Internal: a page of the tenant's numbers whose last status is not OK. */
  public Future<DriftNumberPage> driftNumbers(ListDriftNumbers request) {
    return call(Addresses.Store.DRIFT_NUMBERS_LIST, request, DriftNumberPage.class);
  }

  /** Internal: the tenant's drift policy and last sweep. */
  public Future<DriftTenant> driftTenant(TenantRef request) {
    return call(Addresses.Store.DRIFT_TENANT_GET, request, DriftTenant.class);
  }

  /** Internal: sets the tenant's drift policy and/or last sweep; 400 INVALID_POLICY. */
  public Future<DriftTenant> putDriftTenant(PutDriftTenant request) {
    return call(Addresses.Store.DRIFT_TENANT_PUT, request, DriftTenant.class);
  }

  /** Internal (the drift sweep's lease holder): where the sweep is. */
  public Future<DriftSweep> driftSweep() {
    return call(Addresses.Store.DRIFT_SWEEP_GET, new JsonObject(), DriftSweep.class);
  }

  /** Internal (the drift sweep's lease holder): saves where the sweep is. */
  public Future<DriftSweep> putDriftSweep(DriftSweep request) {
    return call(Addresses.Store.DRIFT_SWEEP_PUT, request, DriftSweep.class);
  }

  /** Internal (provisioning operations): records a running operation or names the running one. */
  public Future<StoreMessages.OperationCreated> createOperation(StoreMessages.CreateOperation request) {
    return call(Addresses.Store.OPERATION_CREATE, request, StoreMessages.OperationCreated.class);
  }

  /** Internal (provisioning operations): appends results and renews the owner's lease. */
  public Future<StoreMessages.OperationProgress> recordProgress(StoreMessages.RecordProgress request) {
    return call(Addresses.Store.OPERATION_PROGRESS, request, StoreMessages.OperationProgress.class);
  }

  /** Internal (provisioning operations): records the final state and report. */
  public Future<JsonObject> finishOperation(StoreMessages.FinishOperation request) {
    return call(Addresses.Store.OPERATION_FINISH, request, JsonObject.class);
  }

  /** The tenant's operation with a page of its results; 404 OPERATION_NOT_FOUND (also another tenant's). */
  public Future<JsonObject> operation(StoreMessages.OperationPage request) {
    return call(Addresses.Store.OPERATION_GET, request, JsonObject.class);
  }

  /** The tenant's recent operations, newest first, without results. */
  public Future<StoreMessages.OperationList> listOperations(StoreMessages.ListOperations request) {
    return call(Addresses.Store.OPERATION_LIST, request, StoreMessages.OperationList.class);
  }

  /** Internal (provisioning operations.cancel): marks a running operation cancel-requested. */
  public Future<JsonObject> cancelOperation(StoreMessages.OperationRef request) {
    return call(Addresses.Store.OPERATION_CANCEL, request, JsonObject.class);
  }

  private <R> Future<R> call(String address, Object request, Class<R> replyType) {
    return bus.request(address, request, replyType, bus.timeoutMs());
  }
}
