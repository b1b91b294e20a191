package dev.trunkline.twilio.trunk;

import dev.trunkline.contract.CredentialPurpose;
import dev.trunkline.contract.Secret;
import dev.trunkline.contract.ServiceException;
import dev.trunkline.contract.StoreMessages.PasswordState;
import dev.trunkline.contract.StoreMessages.PendingSip;
import dev.trunkline.contract.StoreMessages.PutPendingSip;
import dev.trunkline.contract.StoreMessages.SipCredentials;
import dev.trunkline.contract.StoreMessages.Trunk;
import dev.trunkline.contract.TenantRef;
import dev.trunkline.twilio.client.Resources.Credential;
import dev.trunkline.twilio.client.TwilioApi;
import io.vertx.core.Future;
import java.util.List;
import java.util.function.Function;

/**
 * Setup step 5: the SIP credential in the list and its password. Passwords are written ahead: a new one is stored
 * as pending before Twilio hears of it and promoted after, and a pending one found on a later run is applied
 * again rather than replaced.
 */
final class CredentialStep {
  private final TwilioApi api;
  private final TrunkNames names;
  private final PasswordGenerator passwords;

  CredentialStep(TwilioApi api, TrunkNames names, PasswordGenerator passwords) {
    this.api = api;
    this.names = names;
    this.passwords = passwords;
  }

  Future<Void> ensure(SetupRun run) {
    return ensureCredential(run);
  }

  // ---- 5. the credential and its password ----

  private Future<Void> ensureCredential(SetupRun run) {
    Future<SipCredentials> sip = run.tenant.connector().passwordState() == PasswordState.NONE
        && run.stored.username() == null
        ? Future.succeededFuture(null)
        : run.tenant.store().sipCredentials(new TenantRef(run.tenant.subaccountId()))
            .recover(err -> err instanceof ServiceException se && se.status() == 404
                ? Future.succeededFuture(null) : Future.failedFuture(err));
    return sip.compose(credentials -> api.listCredentials(run.auth(), run.credentialListSid)
        .compose(existing -> decideCredential(run, credentials, existing)));
  }

  private Future<Void> decideCredential(SetupRun run, SipCredentials sip, List<Credential> existing) {
    boolean rotating = sip != null && sip.pending() != null
        && sip.pending().purpose() == CredentialPurpose.ROTATION;
    PendingSip pending = sip == null || sip.pending() == null || rotating ? null : sip.pending();
    Credential credential = pick(run, existing, pending);

    if (credential == null) {
      return rotating ? rotationInTheWay() : createCredential(run, pending);
    }
    run.credential = credential;
    if (pending != null && credential.username().equals(pending.username())) {
      // Written ahead on an earlier run that stopped before promoting it: Twilio may or may not have it yet.
      return applyPassword(run, credential, pending.password(), false);
    }
    boolean passwordKnown = sip != null && sip.password() != null && !sip.password().isBlank()
        && credential.username().equals(sip.username());
    if (passwordKnown) {
      return run.save(Trunk.builder().credentialSid(credential.sid()));
    }
    if (rotating) {
      return rotationInTheWay();
    }
    // A legacy record (username, no password), or a credential adopted from the trunk: keep the credential
    // and its username, give it a new password.
    return applyPassword(run, credential, passwords.next(), true);
  }

  /**
   * The store holds one pending password; a rotation's is in it. Writing a setup password ahead would lose
   * the rotation's, which the caller may already be handing to Retell.
   */
  private static Future<Void> rotationInTheWay() {
    return Future.failedFuture(ServiceException.conflict("ROTATION_IN_PROGRESS",
        "a credential rotation is open for this tenant: finish it before setup can set a new password"));
  }

  /** The credential to keep: the stored one, the one with the stored or pending username, else the first. */
  private static Credential pick(SetupRun run, List<Credential> existing, PendingSip pending) {
    Function<java.util.function.Predicate<Credential>, Credential> find =
        p -> existing.stream().filter(p).findFirst().orElse(null);
    Credential c = null;
    if (run.stored.credentialSid() != null) {
      c = find.apply(x -> run.stored.credentialSid().equals(x.sid()));
    }
    if (c == null && run.stored.username() != null) {
      c = find.apply(x -> run.stored.username().equals(x.username()));
    }
    if (c == null && pending != null) {
      c = find.apply(x -> pending.username().equals(x.username()));
    }
    if (c == null && !existing.isEmpty()) {
      c = existing.get(0);
    }
    return c;
  }

  private Future<Void> createCredential(SetupRun run, PendingSip pending) {
    String username;
    Secret password;
    Future<Void> writeAhead;
    if (pending != null) {
      // A password written ahead whose credential never reached Twilio: create it with that password.
      username = pending.username();
      password = pending.password();
      writeAhead = Future.succeededFuture();
    } else {
      username = run.stored.username() != null
          ? run.stored.username()
          : UsernameRule.forTrunk(run.trunk.friendlyName(), names.prefix(), run.tenant.subaccountId());
      password = passwords.next();
      writeAhead = run.tenant.store().putPendingSip(new PutPendingSip(run.tenant.subaccountId(), username, password,
          CredentialPurpose.SETUP, null)).mapEmpty();
    }
    return writeAhead
        .compose(v -> api.createCredential(run.auth(), run.credentialListSid, username, password))
        .compose(created -> {
          run.credential = created;
          run.repaired.add("credential");
          return run.save(Trunk.builder().credentialSid(created.sid()));
        })
        .compose(v -> run.promote(username, run.credential.sid()));
  }

  private Future<Void> applyPassword(SetupRun run, Credential credential, Secret password, boolean writeAhead) {
    Future<Void> ahead = writeAhead
        ? run.tenant.store().putPendingSip(new PutPendingSip(run.tenant.subaccountId(), credential.username(),
            password, CredentialPurpose.SETUP, credential.sid())).<Void>mapEmpty()
        : Future.succeededFuture();
    return ahead
        .compose(v -> api.updateCredentialPassword(run.auth(), run.credentialListSid, credential.sid(), password))
        .compose(updated -> {
          run.repaired.add("password");
          return run.save(Trunk.builder().credentialSid(credential.sid()));
        })
        .compose(v -> run.promote(credential.username(), credential.sid()));
  }
}
