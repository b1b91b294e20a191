package dev.trunkline.provisioning;

import dev.trunkline.contract.RetellMessages;
import dev.trunkline.contract.RetellMessages.InspectNumber;
import dev.trunkline.contract.RetellMessages.InspectionStatus;
import dev.trunkline.contract.RetellMessages.SipTarget;
import dev.trunkline.contract.RetellMessages.SyncNumber;
import dev.trunkline.contract.RetellMessages.SyncResult;
import dev.trunkline.contract.Secret;
import dev.trunkline.contract.ServiceException;
import dev.trunkline.contract.StoreMessages.PendingSip;
import dev.trunkline.contract.StoreMessages.PhoneNumber;
import dev.trunkline.contract.StoreMessages.SipCredentials;
import dev.trunkline.contract.TenantRef;
import dev.trunkline.contract.TwilioMessages.FinishCredentialRotation;
import dev.trunkline.contract.TwilioMessages.CredentialRotationStarted;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Zero-downtime SIP credential rotation: Twilio adds a second credential to the trunk's list (both work),
 * every number is moved to it in Retell (with verification), and the old credential is removed only once no
 * number in Retell can still be using it:
 *
 * <ol>
 *   <li>{@code rotate.begin}: the new credential exists at Twilio and its SID is recorded on the pending
 *       credential. From then on purchase, import and fix hand Retell the new credential ({@link TenantSecrets}).
 *   <li>Move: every stored number is synced to the new credential (bounded fan-out, paged).
 *   <li>Drain: wait until no purchase, import or fix that read the credentials before step 1 is still running
 *       ({@link CredentialLeases}); such a request may write the old credential to Retell at any moment.
 *   <li>Verify: every stored number (all pages, read again now, so numbers bought during the rotation are
 *       included) is read back from Retell; one not on the new username is synced again.
 *   <li>{@code rotate.finish} (promote, then delete the old credential) only when every number was verified.
 * </ol>
 *
 * A stored number that Retell no longer has (deleted behind Trunkline's back; Retell answers 422 "Cannot find
 * requested asset") holds no credential at all, so it cannot keep the old one in use: it is reported with
 * {@code notInRetell: true} and does not stop the rotation. The rotation does not re-import it; that is the fix's
 * job ({@code importMissing}), which then hands Retell the current credential.
 *
 * When a step does not complete, both credentials stay valid and a re-run picks the same rotation up again.
 */
final class CredentialRotationFlow {
  private static final Logger LOG = LoggerFactory.getLogger(CredentialRotationFlow.class);
  private static final String RESYNCED = "resynced";
  private static final String NOT_IN_RETELL = "notInRetell";

  private final Vertx vertx;
  private final ProvisioningConfig config;
  private final CredentialLeases leases;

  CredentialRotationFlow(Vertx vertx, ProvisioningConfig config, CredentialLeases leases) {
    this.vertx = vertx;
    this.config = config;
    this.leases = leases;
  }

  /**
   * What one run works with: the rotation, its new credential as Retell gets it, the tenant's Retell key, and
   * the run's own credential lease.
   */
  private record Rotation(String subaccountId, CredentialRotationStarted started, SipTarget target, Secret key,
      CredentialLeases.Lease lease) {}

  Future<FlowResult> run(ServiceCalls up, ProgressEvents events, String subaccountId) {
    TenantRef tenant = new TenantRef(subaccountId);
    // A rotation writes credentials to Retell too, so it holds a lease like any writer (taken before it reads
    // the credentials): a later rotation then never deletes this one's credential while this run still writes it.
    return leases.open(subaccountId).compose(lease -> up.twilio().beginCredentialRotation(tenant)
            .compose(started -> up.store().sipCredentials(tenant)
                .compose(sip -> TenantSecrets.retellKey(up, subaccountId)
                    .compose(key -> rotation(subaccountId, started, sip, key, lease))))
            .compose(rotation -> lease.use(rotation.target().username()).compose(v -> moveVerifyFinish(up, events, rotation)))
            .andThen(ar -> lease.close()));
  }

  private static Future<Rotation> rotation(String subaccountId, CredentialRotationStarted started, SipCredentials sip,
      Secret key, CredentialLeases.Lease lease) {
    PendingSip pending = TenantSecrets.openRotation(sip);
    if (pending == null || !pending.username().equals(started.username())
        || !started.credentialSid().equals(pending.credentialSid()) || sip.terminationUri() == null) {
      return Future.failedFuture(new ServiceException(409, "ROTATION_NOT_READY",
          "the new credential is not recorded yet; retry the rotation"));
    }
    SipTarget target = new SipTarget(sip.terminationUri(), pending.username(), pending.password(),
        sip.transport());
    return Future.succeededFuture(new Rotation(subaccountId, started, target, key, lease));
  }

  private Future<FlowResult> moveVerifyFinish(ServiceCalls up, ProgressEvents events, Rotation rotation) {
    String subaccountId = rotation.subaccountId();
    FanOutReport moved = events.report();
    return BoundedFanOut.each(vertx, NumberPages.all(up, subaccountId, config.listPageSize()),
            config.fixConcurrency(), config.perNumberTimeoutMs(),
            (PhoneNumber n) -> sync(up, rotation, n)
                .map(r -> new JsonObject().put("phoneNumber", n.phoneNumber()).put("success", true)
                    .put("auth_username", r.authUsername()).put("message", "Moved to the new credential"))
                .recover(err -> notInRetell(err)
                    ? Future.succeededFuture(vanished(n, "Not in Retell: nothing to move"))
                    : Future.failedFuture(err)),
            (n, err) -> FanOutReport.failure(n.phoneNumber(), err), up::abandoned, events.phase("move", moved),
            events.gate())
        .compose(started -> {
          LOG.info("request {} rotation subaccount {}: {} of {} numbers moved", up.requestId(), subaccountId,
              moved.successCount, moved.total);
          if (!moved.allSucceeded()) {
            return Future.succeededFuture(unfinished(moved.status(), moved, rotation.started(),
                moved.failCount + " of " + moved.total + " phone numbers could not be moved"));
          }
          if (up.abandoned()) {
            // Cancelled, or its caller's time is nearly up: the numbers not reached were never moved.
            return Future.succeededFuture(unfinished(207, moved, rotation.started(),
                "it was cancelled or ran out of time after " + moved.total + " phone numbers"));
          }
          return leases.awaitOnly(subaccountId, rotation.target().username(), config.rotationDrainTimeoutMs())
              .compose(v -> up.abandoned()
                  ? Future.succeededFuture(unfinished(207, moved, rotation.started(),
                      "it was cancelled before its verification"))
                  : verify(up, events, rotation).compose(verified -> verified(up, rotation, moved, verified)));
        });
  }

  /**
   * After the verification: finish when every number was verified, unless the rotation was cancelled meanwhile
   * (a cancel stops it before its next step; removing the old credential is one).
   */
  private Future<FlowResult> verified(ServiceCalls up, Rotation rotation, FanOutReport moved, FanOutReport verified) {
    String subaccountId = rotation.subaccountId();
    LOG.info("request {} rotation subaccount {}: {} of {} numbers verified on the new credential",
        up.requestId(), subaccountId, verified.successCount, verified.total);
    if (verified.allSucceeded() && up.abandoned()) {
      FlowResult reply = unfinished(207, moved, rotation.started(),
          "it was cancelled before the old credential was removed");
      reply.body().getJsonObject("data").put("verification", verification(verified));
      return Future.succeededFuture(reply);
    }
    if (verified.allSucceeded()) {
      return finish(up, rotation, moved, verified);
    }
    FlowResult reply = unfinished(verified.status(), moved, rotation.started(), verified.failCount
        + " of " + verified.total + " phone numbers could not be verified on the new credential");
    reply.body().getJsonObject("data").put("verification", verification(verified));
    return Future.succeededFuture(reply);
  }

  /**
   * Reads every stored number back from Retell (all pages, listed again now) and syncs the ones not on the new
   * username: a number bought before the rotation's credential was handed out, one a fix or an older request
   * moved back, one changed outside Trunkline. A number counts as verified when Retell shows the new username
   * and termination URI, read back or in the sync's checked reply.
   */
  private Future<FanOutReport> verify(ServiceCalls up, ProgressEvents events, Rotation rotation) {
    SipTarget target = rotation.target();
    // The answer lists only the numbers worth a look: synced again, missing from Retell, or not verified.
    FanOutReport verified = events.report(r -> !r.getBoolean("success", false) || r.getBoolean(RESYNCED, false)
            || r.getBoolean(NOT_IN_RETELL, false))
        .tally(RESYNCED, r -> r.getBoolean(RESYNCED, false))
        .tally(NOT_IN_RETELL, r -> r.getBoolean(NOT_IN_RETELL, false));
    return BoundedFanOut.each(vertx, NumberPages.all(up, rotation.subaccountId(), config.listPageSize()),
            config.fixConcurrency(), config.perNumberTimeoutMs(),
            (PhoneNumber n) -> up.resent(() -> up.retell().inspect(new InspectNumber(rotation.key(),
                    n.phoneNumber(), target.terminationUri(), target.username()), config.perNumberTimeoutMs()))
                .compose(seen -> seen.status() == InspectionStatus.OK
                    ? Future.succeededFuture(new JsonObject().put("phoneNumber", n.phoneNumber())
                        .put("success", true).put("status", "OK"))
                    : seen.status() == InspectionStatus.NOT_IN_RETELL
                    ? Future.succeededFuture(vanished(n, "Not in Retell: cannot use the old credential")
                        .put("status", seen.status().name()))
                    : sync(up, rotation, n).map(r -> {
                      LOG.info("request {} rotation subaccount {}: {} was {} when verified, synced again",
                          up.requestId(), rotation.subaccountId(), n.phoneNumber(), seen.status());
                      return new JsonObject().put("phoneNumber", n.phoneNumber()).put("success", true)
                          .put("status", seen.status().name()).put("resynced", true)
                          .put("auth_username", r.authUsername());
                    })),
            // Never abandoned: a partial verification would read as "every number verified" and delete the old
            // credential under numbers nobody looked at.
            (n, err) -> FanOutReport.failure(n.phoneNumber(), err), () -> false, events.phase("verify", verified),
            events.gate())
        .map(started -> verified);
  }

  /** Retell answered that it does not have the number (its 422 "Cannot find requested asset"). */
  private static boolean notInRetell(Throwable err) {
    return err instanceof ServiceException se && RetellMessages.Codes.NOT_FOUND.equals(se.code());
  }

  private static JsonObject vanished(PhoneNumber n, String message) {
    return new JsonObject().put("phoneNumber", n.phoneNumber()).put("success", true).put("notInRetell", true)
        .put("message", message);
  }

  private Future<SyncResult> sync(ServiceCalls up, Rotation rotation, PhoneNumber n) {
    return up.resent(() -> rotation.lease().watch(up.retell().sync(new SyncNumber(rotation.key(),
        n.phoneNumber(), rotation.target(), false, null), config.perNumberTimeoutMs())));
  }

  private Future<FlowResult> finish(ServiceCalls up, Rotation rotation, FanOutReport moved, FanOutReport verified) {
    return up.twilio().finishCredentialRotation(
            new FinishCredentialRotation(rotation.subaccountId(), rotation.started().credentialSid()))
        .map(finished -> FlowResult.of(200, new JsonObject().put("success", true)
            .put("message", "Rotated credentials: " + moved.total + " of " + moved.total
                + " phone numbers moved, the old credential is removed")
            .put("data", moved.data().put("finished", true)
                .put("username", finished.username())
                .put("credentialSid", finished.credentialSid())
                .put("deletedCredentialSid", finished.deletedCredentialSid())
                .put("verification", verification(verified)))));
  }

  /**
   * The verification pass in short: counts, and the numbers it had to sync again, found missing from Retell or
   * could not verify.
   */
  private static JsonObject verification(FanOutReport verified) {
    JsonObject v = new JsonObject().put("total", verified.total).put("verified", verified.successCount)
        .put("resynced", verified.count(RESYNCED)).put("notInRetell", verified.count(NOT_IN_RETELL))
        .put("failCount", verified.failCount);
    return verified.overflowed() ? v.put("resultsOmitted", verified.omitted()) : v.put("results", verified.results());
  }

  /** Both credentials stay: 207 when some numbers failed (or could not be verified), 502 when all did. */
  private static FlowResult unfinished(int status, FanOutReport report, CredentialRotationStarted started, String why) {
    return FlowResult.of(status, new JsonObject().put("success", false)
        .put("message", "Rotation not finished: " + why + "; both credentials stay valid, re-run to retry")
        .put("data", report.data().put("finished", false)
            .put("username", started.username())
            .put("credentialSid", started.credentialSid())
            .put("previousCredentialSid", started.previousCredentialSid())));
  }
}
