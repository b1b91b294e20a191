package dev.trunkline.provisioning;

import dev.trunkline.contract.Json;
import dev.trunkline.contract.ProvisioningMessages.SetupTrunk;
import dev.trunkline.contract.RetellMessages.VerifyKey;
import dev.trunkline.contract.Secret;
import dev.trunkline.contract.ServiceException;
import dev.trunkline.contract.StoreMessages.ListNumbers;
import dev.trunkline.contract.StoreMessages.PutRetellKey;
import dev.trunkline.contract.StoreMessages.PutTwilioAccount;
import dev.trunkline.contract.StoreMessages.RetellStatus;
import dev.trunkline.contract.TenantRef;
import dev.trunkline.contract.TwilioMessages.EnsureTrunk;
import dev.trunkline.contract.TwilioMessages.VerifyAccount;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** The tenant's connections and trunk: connect Twilio and Retell, set the trunk up, show it, tear it down. */
final class ConnectorFlows {
  private ConnectorFlows() {}

  /** Verifies the account at Twilio, then stores it (encrypted by the store). The token is never echoed. */
  static Future<FlowResult> connectTwilio(ServiceCalls up, String subaccountId, String accountSid, Secret authToken) {
    return up.twilio().verifyAccount(new VerifyAccount(accountSid, authToken))
        .recover(err -> Future.failedFuture(rejectedCredential(err, "INVALID_TWILIO_CREDENTIALS",
            "Twilio refused this Account SID and auth token")))
        .compose(account -> up.store().putTwilioAccount(new PutTwilioAccount(subaccountId, accountSid, authToken))
            .map(stored -> FlowResult.success(200, "Twilio account connected", new JsonObject()
                .put("accountSid", account.accountSid() == null ? accountSid : account.accountSid())
                .put("friendlyName", account.friendlyName())
                .put("status", account.status())
                .put("twilioConnected", true))));
  }

  /** Verifies the key with a cheap Retell call, then stores it (encrypted by the store). */
  static Future<FlowResult> connectRetell(ServiceCalls up, String subaccountId, Secret apiKey) {
    return up.retell().verifyKey(new VerifyKey(apiKey))
        .recover(err -> Future.failedFuture(rejectedCredential(err, "INVALID_RETELL_KEY",
            "Retell refused this API key")))
        .compose(verified -> verified.ok()
            ? Future.succeededFuture(verified)
            : Future.failedFuture(new ServiceException(422, "INVALID_RETELL_KEY", "Retell refused this API key")))
        .compose(verified -> up.store().putRetellKey(new PutRetellKey(subaccountId, apiKey)))
        .map(stored -> FlowResult.success(200, "Retell API key stored",
            new JsonObject().put("retellKeyPresent", true)));
  }

  static Future<FlowResult> setup(ServiceCalls up, String subaccountId, SetupTrunk request) {
    EnsureTrunk ensure = new EnsureTrunk(subaccountId, request.addressSid(), request.emergencyAddressSid(),
        request.bundleSid());
    return up.twilio().ensureTrunk(ensure)
        .map(trunk -> FlowResult.success(trunk.created() ? 201 : 200,
            trunk.created() ? "Trunk created" : "Trunk ready", new JsonObject()
                .put("trunkSid", trunk.trunkSid())
                .put("friendlyName", trunk.friendlyName())
                .put("domainName", trunk.domainName())
                .put("terminationUri", trunk.terminationUri())
                .put("username", trunk.username())
                .put("originationUrl", trunk.originationUrl())
                .put("created", trunk.created())
                .put("repaired", trunk.repaired() == null ? List.of() : trunk.repaired())));
  }

  static Future<FlowResult> trunkStatus(ServiceCalls up, String subaccountId) {
    return up.twilio().trunkStatus(new TenantRef(subaccountId))
        .map(status -> FlowResult.ok(Json.toJson(status)));
  }

  /** Service route: refuses while live numbers remain, so a teardown never strands a number. */
  static Future<FlowResult> teardown(ServiceCalls up, String subaccountId) {
    return up.store().listNumbers(new ListNumbers(subaccountId, 50, null))
        .compose(page -> {
          long live = page.items() == null ? 0
              : page.items().stream().filter(n -> n.retellStatus() != RetellStatus.REMOVED).count();
          if (live > 0) {
            return Future.failedFuture(new ServiceException(409, "NUMBERS_REMAIN",
                "remove the subaccount's phone numbers before tearing down its trunk"));
          }
          return up.twilio().teardownTrunk(new TenantRef(subaccountId));
        })
        .map(result -> FlowResult.success(200, result.deleted() ? "Trunk deleted" : "No trunk to delete",
            Json.toJson(result)));
  }

  /**
   * A verify call that failed because the credential is wrong is the client's problem (422), not an
   * upstream outage; an outage stays what it is.
   */
  private static Throwable rejectedCredential(Throwable err, String code, String message) {
    ServiceException e = ServiceException.from(err);
    boolean refused = e.status() == 401 || e.status() == 403 || e.status() == 400 || e.status() == 422
        || (e.code() != null && e.code().contains("UNAUTHORIZED"));
    return refused ? new ServiceException(422, code, message) : err;
  }
}
