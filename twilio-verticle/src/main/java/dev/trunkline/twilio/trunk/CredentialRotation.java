package dev.trunkline.twilio.trunk;

import dev.trunkline.contract.CredentialPurpose;
import dev.trunkline.contract.Identifiers;
import dev.trunkline.contract.Secret;
import dev.trunkline.contract.ServiceException;
import dev.trunkline.contract.StoreMessages.PendingSip;
import dev.trunkline.contract.StoreMessages.PromoteSip;
import dev.trunkline.contract.StoreMessages.PutPendingSip;
import dev.trunkline.contract.StoreMessages.PutTrunk;
import dev.trunkline.contract.StoreMessages.Trunk;
import dev.trunkline.contract.TenantRef;
import dev.trunkline.contract.TwilioMessages.FinishCredentialRotation;
import dev.trunkline.contract.TwilioMessages.CredentialRotationFinished;
import dev.trunkline.contract.TwilioMessages.CredentialRotationStarted;
import dev.trunkline.twilio.TwilioTenant;
import dev.trunkline.twilio.client.Resources.Credential;
import dev.trunkline.twilio.client.TwilioApi;
import io.vertx.core.Future;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Zero-downtime credential rotation, in two requests so the caller can move every Retell number in between.
 *
 * <p>{@code begin} adds a second credential (a new username) to the trunk's credential list, with its password
 * written ahead as pending (purpose "rotation"); both credentials now work. Once Twilio has created it, its SID
 * is recorded on the pending credential: from then on the gateway hands the new credential, not the old one, to
 * every number it imports or fixes. The caller reads the pending
 * password from the store (SIP_GET) and updates its numbers. {@code finish} promotes the new credential and
 * only then deletes the old one. Both steps are idempotent: repeating {@code begin} returns the rotation already
 * in progress, repeating {@code finish} completes a half-done finish. The caller holds the tenant's lock.
 */
public final class CredentialRotation {
  private static final Logger LOG = LoggerFactory.getLogger(CredentialRotation.class);
  private static final int MAX_ROTATION_INDEX = 999;

  private final TwilioApi api;
  private final PasswordGenerator passwords;

  public CredentialRotation(TwilioApi api, PasswordGenerator passwords) {
    this.api = api;
    this.passwords = passwords;
  }

  public Future<CredentialRotationStarted> begin(TwilioTenant tenant) {
    Trunk trunk = requireCredential(tenant);
    return tenant.store().sipCredentials(new TenantRef(tenant.subaccountId()))
        .compose(sip -> api.listCredentials(tenant.auth(), trunk.credentialListSid()).compose(existing -> {
          Credential current = existing.stream().filter(c -> trunk.credentialSid().equals(c.sid())).findFirst()
              .orElseThrow(() -> ServiceException.conflict("TRUNK_NOT_SET_UP",
                  "the trunk's credential is missing in Twilio: run setup first"));
          PendingSip pending = sip.pending();
          if (pending != null && pending.purpose() != CredentialPurpose.ROTATION) {
            // A setup stopped half-way; its written-ahead password must not be overwritten by a rotation.
            return Future.failedFuture(ServiceException.conflict("SETUP_INCOMPLETE",
                "a setup did not finish for this tenant: run setup again before rotating"));
          }
          if (pending != null && pending.purpose() == CredentialPurpose.ROTATION
              && !pending.username().equals(current.username())) {
            return resume(tenant, trunk, existing, current, pending);
          }
          return start(tenant, trunk, existing, current);
        }));
  }

  /** A rotation was begun before: make sure its credential exists with the pending password, return it. */
  private Future<CredentialRotationStarted> resume(TwilioTenant tenant, Trunk trunk, List<Credential> existing,
      Credential current, PendingSip pending) {
    Optional<Credential> added = existing.stream().filter(c -> pending.username().equals(c.username())).findFirst();
    Future<Credential> credential = added.isPresent()
        // Created before, but the caller may not have seen the reply: the pending password is what it will use.
        ? Future.succeededFuture(added.get())
        : api.createCredential(tenant.auth(), trunk.credentialListSid(), pending.username(), pending.password());
    return credential
        .compose(c -> c.sid().equals(pending.credentialSid()) ? Future.succeededFuture(c)
            : recordCreated(tenant, c, pending.password()))
        .map(c -> new CredentialRotationStarted(tenant.subaccountId(), c.username(), c.sid(), current.sid()));
  }

  /**
   * Records the new credential's SID on the pending credential once Twilio has it. That SID is the signal the
   * gateway's purchase, import and fix flows wait for before they hand the new credential to Retell: a pending
   * rotation credential without it may not exist at Twilio yet (a begin that stopped half-way).
   */
  private Future<Credential> recordCreated(TwilioTenant tenant, Credential created, Secret password) {
    return tenant.store().putPendingSip(new PutPendingSip(tenant.subaccountId(), created.username(), password,
        CredentialPurpose.ROTATION, created.sid())).map(created);
  }

  private Future<CredentialRotationStarted> start(TwilioTenant tenant, Trunk trunk, List<Credential> existing,
      Credential current) {
    Set<String> taken = existing.stream().map(Credential::username).collect(Collectors.toSet());
    String username = null;
    for (int n = 2; n <= MAX_ROTATION_INDEX && username == null; n++) {
      String candidate = UsernameRule.forRotation(current.username(), n);
      if (!taken.contains(candidate)) {
        username = candidate;
      }
    }
    if (username == null) {
      return Future.failedFuture(ServiceException.conflict("ROTATION_EXHAUSTED",
          "no free rotation username is left in the credential list"));
    }
    String newUsername = username;
    Secret password = passwords.next();
    return tenant.store().putPendingSip(new PutPendingSip(tenant.subaccountId(), newUsername, password,
            CredentialPurpose.ROTATION, null))
        .compose(v -> api.createCredential(tenant.auth(), trunk.credentialListSid(), newUsername, password))
        .compose(created -> recordCreated(tenant, created, password))
        .map(created -> {
          LOG.info("request {}: tenant {} rotation began: credential {} added next to {}", tenant.requestId(),
              tenant.subaccountId(), created.sid(), current.sid());
          return new CredentialRotationStarted(tenant.subaccountId(), created.username(), created.sid(), current.sid());
        });
  }

  public Future<CredentialRotationFinished> finish(TwilioTenant tenant, FinishCredentialRotation request) {
    Trunk trunk = requireCredential(tenant);
    String newSid = request.credentialSid();
    if (newSid == null || !Identifiers.CREDENTIAL_SID.matcher(newSid).matches()) {
      throw ServiceException.badRequest("INVALID_CREDENTIAL_SID", "credentialSid must be CR followed by 32 hex "
          + "characters");
    }
    return api.listCredentials(tenant.auth(), trunk.credentialListSid()).compose(existing -> {
      if (newSid.equals(trunk.credentialSid())) {
        // Promoted already: finish what a previous finish may have left (the old credential's deletion).
        return dropPrevious(tenant, trunk, existing, trunk.previousCredentialSid(), trunk.username(), newSid);
      }
      Credential added = existing.stream().filter(c -> newSid.equals(c.sid())).findFirst()
          .orElseThrow(() -> ServiceException.notFound("CREDENTIAL_NOT_FOUND",
              "no such credential in the tenant's credential list"));
      return tenant.store().sipCredentials(new TenantRef(tenant.subaccountId())).compose(sip -> {
        PendingSip pending = sip.pending();
        if (pending == null || pending.purpose() != CredentialPurpose.ROTATION
            || !added.username().equals(pending.username())) {
          return Future.failedFuture(ServiceException.conflict("ROTATION_NOT_STARTED",
              "this credential is not the one a rotation began with"));
        }
        String oldSid = trunk.credentialSid();
        // Promoting records the new username, password and credential SID (and the old SID as previous) in one
        // store write; only after it succeeds is the old credential deleted.
        return tenant.store().promoteSip(new PromoteSip(tenant.subaccountId(), added.username(), added.sid()))
            .compose(v -> dropPrevious(tenant, trunk, existing, oldSid, added.username(), added.sid()));
      });
    });
  }

  private Future<CredentialRotationFinished> dropPrevious(TwilioTenant tenant, Trunk trunk, List<Credential> existing,
      String oldSid, String username, String newSid) {
    boolean present = oldSid != null && !oldSid.equals(newSid)
        && existing.stream().anyMatch(c -> oldSid.equals(c.sid()));
    Future<Void> deleted = present
        ? api.deleteCredential(tenant.auth(), trunk.credentialListSid(), oldSid)
            .recover(TrunkSetup.notFoundAs(null))
        : Future.succeededFuture();
    // The store keeps the old SID as "previous" until it is gone from Twilio; then it is cleared ("" clears).
    Future<Void> cleared = deleted.compose(v -> oldSid == null ? Future.succeededFuture()
        : tenant.store().putTrunk(new PutTrunk(tenant.subaccountId(),
            Trunk.builder().previousCredentialSid("").build(), null)).mapEmpty());
    return cleared.map(v -> {
      if (present) {
        LOG.info("request {}: tenant {} rotation finished: credential {} deleted, {} active", tenant.requestId(),
            tenant.subaccountId(), oldSid, newSid);
      }
      return new CredentialRotationFinished(tenant.subaccountId(), username, newSid, present ? oldSid : null);
    });
  }

  private static Trunk requireCredential(TwilioTenant tenant) {
    Trunk trunk = tenant.trunk();
    if (trunk.trunkSid() == null || trunk.credentialListSid() == null || trunk.credentialSid() == null) {
      throw ServiceException.conflict("TRUNK_NOT_SET_UP", "the tenant's trunk has no credential yet: run setup "
          + "first");
    }
    return trunk;
  }
}
