package dev.trunkline.contract;

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
import io.vertx.core.Future;

/**
 * The typed way to call the Retell service ({@link Addresses.Retell}): one method per address, so the compiler
 * checks each request's record and reply. The service keeps no state: each request carries the tenant's API key
 * (null for the configured default key). Every call has the {@link BusCaller}'s timeout and correlation unless it
 * names its own, and fails with a {@link ServiceException} ({@link RetellMessages.Codes}).
 *
 * <p>Every method is internal, as every Retell address is an {@link InternalAddress}: a request carries an API key,
 * or none for the shared default key that spans tenants, and a write skips the credential lease a rotation waits
 * for. A sibling verticle audits and fixes numbers with {@link ProvisioningClient}.
 */
public final class RetellClient {
  private final BusCaller bus;

  public RetellClient(BusCaller bus) {
    this.bus = bus;
  }

  /** Internal (a step of provisioning connectRetell): whether Retell accepts the key. */
  public Future<KeyVerified> verifyKey(VerifyKey request) {
    return call(Addresses.Retell.KEY_VERIFY, request, KeyVerified.class);
  }

  /** Internal (a step of provisioning purchase and import): imports a number with its SIP target. */
  public Future<RetellNumber> importNumber(ImportNumber request) {
    return call(Addresses.Retell.NUMBER_IMPORT, request, RetellNumber.class);
  }

  /** Internal: a number as Retell shows it; 404 RETELL_NOT_FOUND. */
  public Future<RetellNumber> number(KeyedNumber request) {
    return call(Addresses.Retell.NUMBER_GET, request, RetellNumber.class);
  }

  /** Internal: every number of the key's workspace ({@code truncated} past {@code retell.listMaxPages}). */
  public Future<NumberList> listNumbers(ListNumbers request) {
    return call(Addresses.Retell.NUMBER_LIST, request, NumberList.class);
  }

  /** Internal (a step of provisioning remove): deleted=false when Retell did not know the number. */
  public Future<Deleted> deleteNumber(KeyedNumber request) {
    return call(Addresses.Retell.NUMBER_DELETE, request, Deleted.class);
  }

  /** Internal: as {@link #sync(SyncNumber, long)} with the caller's default timeout. */
  public Future<SyncResult> sync(SyncNumber request) {
    return sync(request, bus.timeoutMs());
  }

  /**
   * Internal (the per-number step of provisioning fix and rotate): sets a number's SIP credentials and checks
   * Retell's reply shows them, within {@code timeoutMs} (a fan-out's per-number timeout).
   */
  public Future<SyncResult> sync(SyncNumber request, long timeoutMs) {
    return bus.request(Addresses.Retell.NUMBER_SYNC, request, SyncResult.class, timeoutMs);
  }

  /** Internal: as {@link #inspect(InspectNumber, long)} with the caller's default timeout. */
  public Future<Inspection> inspect(InspectNumber request) {
    return inspect(request, bus.timeoutMs());
  }

  /**
   * Internal (the per-number step of provisioning audit, a dry-run fix and a rotation's verification): compares a
   * number's SIP settings in Retell with what is expected, read-only, within {@code timeoutMs}.
   */
  public Future<Inspection> inspect(InspectNumber request, long timeoutMs) {
    return bus.request(Addresses.Retell.NUMBER_INSPECT, request, Inspection.class, timeoutMs);
  }

  private <R> Future<R> call(String address, Object request, Class<R> replyType) {
    return bus.request(address, request, replyType, bus.timeoutMs());
  }
}
