package dev.trunkline.gateway;

import dev.trunkline.contract.Addresses;
import dev.trunkline.contract.RetellMessages.SipTarget;
import dev.trunkline.contract.RetellMessages.SyncNumber;
import dev.trunkline.contract.RetellMessages.SyncResult;
import dev.trunkline.contract.Secret;
import dev.trunkline.contract.ServiceException;
import dev.trunkline.contract.StoreMessages.PendingSip;
import dev.trunkline.contract.StoreMessages.PhoneNumber;
import dev.trunkline.contract.StoreMessages.SipCredentials;
import dev.trunkline.contract.TenantRef;
import dev.trunkline.contract.TwilioMessages.FinishRotation;
import dev.trunkline.contract.TwilioMessages.RotationFinished;
import dev.trunkline.contract.TwilioMessages.RotationStarted;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Zero-downtime SIP credential rotation: Twilio adds a second credential to the trunk's list (both work),
 * every number is moved to it in Retell (with verification), and only when every number succeeded is the
 * old credential removed. When some fail, both stay valid and a re-run picks the rotation up again.
 */
final class RotationFlow {
  private static final Logger LOG = LoggerFactory.getLogger(RotationFlow.class);

  private final Vertx vertx;
  private final GatewayConfig config;

  RotationFlow(Vertx vertx, GatewayConfig config) {
    this.vertx = vertx;
    this.config = config;
  }

  Future<ApiReply> run(Upstream up, String subaccountId) {
    TenantRef tenant = new TenantRef(subaccountId);
    return up.call(Addresses.Twilio.CREDENTIAL_ROTATE_BEGIN, tenant, RotationStarted.class)
        .compose(started -> up.call(Addresses.Store.SIP_GET, tenant, SipCredentials.class)
            .compose(sip -> TenantContext.retellKey(up, subaccountId)
                .compose(key -> syncAll(up, subaccountId, started, sip, key))));
  }

  private Future<ApiReply> syncAll(Upstream up, String subaccountId, RotationStarted started,
      SipCredentials sip, Secret key) {
    PendingSip pending = sip.pending();
    if (pending == null || pending.password() == null || sip.terminationUri() == null) {
      return Future.failedFuture(new ServiceException(409, "ROTATION_NOT_READY",
          "the new credential is not recorded yet; retry the rotation"));
    }
    SipTarget target = new SipTarget(sip.terminationUri(), pending.username(), pending.password(),
        sip.transport());
    return BoundedFanOut.run(vertx, NumberPages.all(up, subaccountId, config.listPageSize()),
            config.fixConcurrency(), config.perNumberTimeoutMs(),
            (PhoneNumber n) -> up.call(Addresses.Retell.NUMBER_SYNC,
                    new SyncNumber(key, n.phoneNumber(), target, false, null), SyncResult.class,
                    config.perNumberTimeoutMs())
                .map(r -> new JsonObject().put("phoneNumber", n.phoneNumber()).put("success", true)
                    .put("auth_username", r.authUsername()).put("message", "Moved to the new credential")),
            (n, err) -> FanOutReport.failure(n.phoneNumber(), err))
        .compose(results -> {
          FanOutReport report = new FanOutReport(results);
          LOG.info("request {} rotation subaccount {}: {} of {} numbers moved", up.requestId(), subaccountId,
              report.successCount, report.total);
          if (!report.allSucceeded()) {
            return Future.succeededFuture(unfinished(report, started));
          }
          return up.call(Addresses.Twilio.CREDENTIAL_ROTATE_FINISH,
                  new FinishRotation(subaccountId, started.credentialSid()), RotationFinished.class)
              .map(finished -> ApiReply.of(200, new JsonObject().put("success", true)
                  .put("message", "Rotated credentials: " + report.total + " of " + report.total
                      + " phone numbers moved, the old credential is removed")
                  .put("data", report.data().put("finished", true)
                      .put("username", finished.username())
                      .put("credentialSid", finished.credentialSid())
                      .put("deletedCredentialSid", finished.deletedCredentialSid()))));
        });
  }

  private static ApiReply unfinished(FanOutReport report, RotationStarted started) {
    return ApiReply.of(report.status(), new JsonObject().put("success", false)
        .put("message", "Rotation not finished: " + report.failCount + " of " + report.total
            + " phone numbers could not be moved; both credentials stay valid, re-run to retry")
        .put("data", report.data().put("finished", false)
            .put("username", started.username())
            .put("credentialSid", started.credentialSid())
            .put("previousCredentialSid", started.previousCredentialSid())));
  }
}
