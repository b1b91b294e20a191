package dev.trunkline.provisioning;

import dev.trunkline.contract.CredentialPurpose;
import dev.trunkline.contract.RetellMessages.SipTarget;
import dev.trunkline.contract.Secret;
import dev.trunkline.contract.ServiceException;
import dev.trunkline.contract.StoreMessages.PendingInfo;
import dev.trunkline.contract.StoreMessages.PendingSip;
import dev.trunkline.contract.StoreMessages.PutPendingSip;
import dev.trunkline.contract.StoreMessages.SipCredentials;
import dev.trunkline.contract.TenantRef;
import io.vertx.core.Future;
import java.util.function.Function;

/**
 * What the number flows need to know about a tenant before they touch Retell: its decrypted SIP
 * credentials and its Retell API key ({@code null} means Retell's configured default key).
 *
 * <p>The credential they hand to Retell is {@link #username()} / {@link #password()}: the active one, except
 * while a rotation is open and Twilio already has the rotation's new credential (the pending credential has the
 * purpose "rotation" and a credential SID). Then it is the new one, so that nothing lands on the credential the
 * rotation is about to delete. A setup's written-ahead password (purpose "setup") is never handed out: Twilio may
 * not have it yet.
 *
 * @param lease the request's credential lease ({@link #withLease}), or null for a flow that writes nothing
 */
record TenantSecrets(SipCredentials sip, Secret retellKey, CredentialLeases.Lease lease) {
  /** The rotation's new credential when it is the one to hand out, else null. */
  static PendingSip openRotation(SipCredentials sip) {
    PendingSip p = sip.pending();
    return p != null && p.purpose() == CredentialPurpose.ROTATION && p.credentialSid() != null
        && p.username() != null && p.password() != null && !p.password().isBlank() ? p : null;
  }

  /** Same rule from the secret-free connector: the username a rotation moves numbers to, else null. */
  static String openRotationUsername(PendingInfo p) {
    return p != null && p.purpose() == CredentialPurpose.ROTATION && p.credentialSid() != null ? p.username() : null;
  }

  /** The SIP username to hand to Retell now. */
  String username() {
    PendingSip rotation = openRotation(sip);
    return rotation != null ? rotation.username() : sip.username();
  }

  /** The SIP password to hand to Retell now (goes with {@link #username()}). */
  Secret password() {
    PendingSip rotation = openRotation(sip);
    return rotation != null ? rotation.password() : sip.password();
  }

  /** Where and how Retell reaches the trunk, with the credential to hand out. */
  SipTarget target() {
    return new SipTarget(sip.terminationUri(), username(), password(), transport());
  }

  /**
   * Runs {@code work} (which writes the handed-out credential to Retell) under a credential lease: registered
   * before the credentials are read, naming the picked username, removed when the work ends whatever its
   * outcome. A rotation waits for such leases before it deletes the old credential ({@link CredentialLeases}).
   */
  static <T> Future<T> withLease(ServiceCalls up, CredentialLeases leases, String subaccountId,
      Function<TenantSecrets, Future<T>> work) {
    return leases.open(subaccountId).compose(lease -> load(up, subaccountId)
        .compose(tenant -> lease.use(tenant.username()).map(new TenantSecrets(tenant.sip(), tenant.retellKey(), lease)))
        .compose(work)
        .andThen(ar -> lease.close()));
  }

  /**
   * Watches a Retell write made with the handed-out credential ({@link CredentialLeases.Lease#watch}): the lease
   * stays until the write is answered, and past it when the answer is a timeout (the write may still land).
   */
  <T> Future<T> retellWrite(Future<T> write) {
    return lease == null ? write : lease.watch(write);
  }

  /**
   * Loads both; 404 when the tenant is unknown, 409 SETUP_REQUIRED when setup has not produced a trunk and a
   * password the gateway can hand to Retell.
   */
  static Future<TenantSecrets> load(ServiceCalls up, String subaccountId) {
    return up.store().sipCredentials(new TenantRef(subaccountId))
        .recover(err -> notFound(err) ? TenantSecrets.<SipCredentials>knownButNotSetUp(up, subaccountId, err)
            : Future.failedFuture(err))
        .compose(sip -> {
          if (sip.username() == null || sip.password() == null || sip.password().isBlank()
              || sip.terminationUri() == null) {
            return Future.failedFuture(TenantSecrets.setupRequired(
                "run POST /twilio/setup first: this subaccount has no trunk credentials yet"));
          }
          return retellKey(up, subaccountId).map(key -> new TenantSecrets(sip, key, null));
        });
  }

  /**
   * No Twilio connector: a tenant that exists otherwise (say, only its Retell key is stored) has simply not run
   * setup (409); one the store knows nothing of is unknown (the store's 404).
   */
  static <T> Future<T> knownButNotSetUp(ServiceCalls up, String subaccountId, Throwable notFound) {
    return retellKey(up, subaccountId).compose(key -> key == null
        ? Future.<T>failedFuture(notFound)
        : Future.<T>failedFuture(TenantSecrets.setupRequired(
            "run POST /twilio/setup first: this subaccount has no trunk credentials yet")));
  }

  /** 409 SETUP_REQUIRED: the tenant exists but setup has not produced a trunk with credentials yet. */
  static ServiceException setupRequired(String message) {
    return new ServiceException(409, "SETUP_REQUIRED", message);
  }

  static boolean notFound(Throwable err) {
    return err instanceof ServiceException se && se.status() == 404;
  }

  static Future<Secret> retellKey(ServiceCalls up, String subaccountId) {
    return ServiceCalls.orNull(up.store().retellKey(new TenantRef(subaccountId)))
        .map(k -> k == null ? null : k.apiKey());
  }

  String transport() {
    return sip.transport();
  }
}
