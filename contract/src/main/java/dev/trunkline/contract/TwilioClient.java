package dev.trunkline.contract;

import dev.trunkline.contract.TwilioMessages.AccountInfo;
import dev.trunkline.contract.TwilioMessages.AvailableNumbers;
import dev.trunkline.contract.TwilioMessages.EnsureTrunk;
import dev.trunkline.contract.TwilioMessages.FinishCredentialRotation;
import dev.trunkline.contract.TenantNumber;
import dev.trunkline.contract.TwilioMessages.NumberRemoved;
import dev.trunkline.contract.TwilioMessages.Released;
import dev.trunkline.contract.TwilioMessages.CredentialRotationFinished;
import dev.trunkline.contract.TwilioMessages.CredentialRotationStarted;
import dev.trunkline.contract.TwilioMessages.SearchNumbers;
import dev.trunkline.contract.TwilioMessages.TeardownResult;
import dev.trunkline.contract.TwilioMessages.TrunkInfo;
import dev.trunkline.contract.TwilioMessages.TrunkNumber;
import dev.trunkline.contract.TwilioMessages.TrunkNumbers;
import dev.trunkline.contract.TwilioMessages.TrunkStatus;
import dev.trunkline.contract.TwilioMessages.VerifyAccount;
import io.vertx.core.Future;

/**
 * The typed way to call the Twilio service ({@link Addresses.Twilio}): one method per address, so the compiler
 * checks each request's record and reply. The service reads the tenant's Twilio account from the store itself;
 * "locked" calls wait for the tenant's lock (409 TENANT_BUSY after {@code twilio.lockTimeoutMs}). Every call has the
 * {@link BusCaller}'s timeout and correlation, and fails with a {@link ServiceException}.
 *
 * <p>Methods marked internal call an {@link InternalAddress}: each is one step of a provisioning flow, and a direct
 * call skips the flow's other steps. A sibling verticle runs the flow with {@link ProvisioningClient}.
 */
public final class TwilioClient {
  private final BusCaller bus;

  public TwilioClient(BusCaller bus) {
    this.bus = bus;
  }

  /** Internal (a step of provisioning connectTwilio): checks an account at Twilio; 400 TWILIO_CREDENTIALS_INVALID. */
  public Future<AccountInfo> verifyAccount(VerifyAccount request) {
    return call(Addresses.Twilio.ACCOUNT_VERIFY, request, AccountInfo.class);
  }

  /** Internal (a step of provisioning setup), locked: creates or repairs the tenant's trunk, idempotently. */
  public Future<TrunkInfo> ensureTrunk(EnsureTrunk request) {
    return call(Addresses.Twilio.TRUNK_ENSURE, request, TrunkInfo.class);
  }

  /** The trunk as Twilio has it, compared with the store's record (read-only). */
  public Future<TrunkStatus> trunkStatus(TenantRef request) {
    return call(Addresses.Twilio.TRUNK_STATUS, request, TrunkStatus.class);
  }

  /**
   * Internal (provisioning teardown checks first that no live number remains), locked: deletes the trunk; 409
   * TRUNK_HAS_NUMBERS.
   */
  public Future<TeardownResult> teardownTrunk(TenantRef request) {
    return call(Addresses.Twilio.TRUNK_TEARDOWN, request, TeardownResult.class);
  }

  /**
   * Internal (a step of provisioning rotate), locked: adds the rotation's second credential; its password is the
   * store's pending one.
   */
  public Future<CredentialRotationStarted> beginCredentialRotation(TenantRef request) {
    return call(Addresses.Twilio.CREDENTIAL_ROTATE_BEGIN, request, CredentialRotationStarted.class);
  }

  /**
   * Internal (the last step of provisioning rotate, after it moved, drained and verified every number), locked:
   * promotes the new credential and deletes the old one.
   */
  public Future<CredentialRotationFinished> finishCredentialRotation(FinishCredentialRotation request) {
    return call(Addresses.Twilio.CREDENTIAL_ROTATE_FINISH, request, CredentialRotationFinished.class);
  }

  /** Numbers the tenant could buy; 400 INVALID_AREA_CODE etc. */
  public Future<AvailableNumbers> searchNumbers(SearchNumbers request) {
    return call(Addresses.Twilio.NUMBERS_SEARCH, request, AvailableNumbers.class);
  }

  /**
   * Internal (provisioning purchase adds the idempotency claim, Retell import and record), locked: buys the number
   * onto the trunk; 409 NUMBER_UNAVAILABLE, never another number.
   */
  public Future<TrunkNumber> purchaseNumber(TenantNumber request) {
    return call(Addresses.Twilio.NUMBERS_PURCHASE, request, TrunkNumber.class);
  }

  /**
   * Internal (provisioning import adds the Retell import and record), locked: attaches a number the account owns;
   * 404 NUMBER_NOT_FOUND, 409 NUMBER_ON_OTHER_TRUNK.
   */
  public Future<TrunkNumber> importNumber(TenantNumber request) {
    return call(Addresses.Twilio.NUMBERS_IMPORT, request, TrunkNumber.class);
  }

  /** The trunk's numbers, all pages. */
  public Future<TrunkNumbers> listNumbers(TenantRef request) {
    return call(Addresses.Twilio.NUMBERS_LIST, request, TrunkNumbers.class);
  }

  /**
   * Internal (provisioning remove also removes it from Retell and the record), locked: takes the number off the
   * trunk; removed=false when it was not on it.
   */
  public Future<NumberRemoved> removeNumber(TenantNumber request) {
    return call(Addresses.Twilio.NUMBERS_REMOVE, request, NumberRemoved.class);
  }

  /**
   * Internal (provisioning remove with release also removes it from Retell and the record), locked: releases the
   * number at Twilio; 404 NUMBER_NOT_FOUND, 409 NUMBER_NOT_ON_TRUNK.
   */
  public Future<Released> releaseNumber(TenantNumber request) {
    return call(Addresses.Twilio.NUMBERS_RELEASE, request, Released.class);
  }

  private <R> Future<R> call(String address, Object request, Class<R> replyType) {
    return bus.request(address, request, replyType, bus.timeoutMs());
  }
}
