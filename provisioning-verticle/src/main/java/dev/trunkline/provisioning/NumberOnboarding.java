package dev.trunkline.provisioning;

import dev.trunkline.contract.ClientFailures;
import dev.trunkline.contract.RetellMessages.ImportNumber;
import dev.trunkline.contract.RetellMessages.SipTarget;
import dev.trunkline.contract.RetellMessages.SyncNumber;
import dev.trunkline.contract.ServiceException;
import dev.trunkline.contract.StoreMessages.PhoneNumber;
import dev.trunkline.contract.StoreMessages.RetellStatus;
import dev.trunkline.contract.TwilioMessages.TrunkNumber;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The second half of a purchase or an import, once the number is on the tenant's trunk: import it into
 * Retell with the trunk's termination URI and SIP credentials, then record it. A failed Retell import does
 * not undo the purchase (money is not thrown away): the number is recorded NOT_IMPORTED and the reply says
 * so with 207; the fix flow imports it later.
 */
final class NumberOnboarding {
  private static final Logger LOG = LoggerFactory.getLogger(NumberOnboarding.class);

  private NumberOnboarding() {}

  static Future<FlowResult> importAndRecord(ServiceCalls up, String subaccountId, TenantSecrets tenant,
      TrunkNumber number, String verb) {
    return importAndRecord(up, subaccountId, tenant, number, verb, false);
  }

  /**
   * @param resumed an earlier attempt of the same request may have imported the number already (a purchase
   *     resumed after its first gateway died): Retell refuses a second import, so the number is synced instead
   *     (its trunk settings set and verified, imported only if Retell does not have it)
   */
  static Future<FlowResult> importAndRecord(ServiceCalls up, String subaccountId, TenantSecrets tenant,
      TrunkNumber number, String verb, boolean resumed) {
    // The handed-out credential: the rotation's new one while a rotation is open (TenantSecrets).
    SipTarget target = tenant.target();
    // Sent again on a survivor when a Retell node dies with it unanswered: a second import of a number the dead
    // node imported converges on an update (ConvergingImport), a sync is idempotent.
    Future<?> inRetell = resumed
        ? up.resent(() -> up.retell().sync(new SyncNumber(tenant.retellKey(), number.phoneNumber(), target, true,
            null)))
        : up.resent(() -> up.retell().importNumber(new ImportNumber(tenant.retellKey(), number.phoneNumber(), target,
            null)));
    return tenant.retellWrite(inRetell)
        .map(imported -> (ServiceException) null)
        .recover(err -> Future.succeededFuture(ClientFailures.sanitize(err)))
        .compose(importError -> {
          long now = System.currentTimeMillis();
          PhoneNumber record = new PhoneNumber(subaccountId, number.phoneNumber(), number.sid(),
              number.trunkSid(), importError == null ? RetellStatus.IMPORTED : RetellStatus.NOT_IMPORTED,
              importError == null ? null : importError.code(), now, now);
          return up.store().saveNumber(record)
              .map(saved -> reply(up.requestId(), record, importError, verb));
        });
  }

  private static FlowResult reply(String requestId, PhoneNumber record, ServiceException importError, String verb) {
    JsonObject data = new JsonObject()
        .put("phoneNumber", record.phoneNumber())
        .put("twilioSid", record.twilioSid())
        .put("trunkSid", record.trunkSid())
        .put("retellStatus", record.retellStatus().name());
    if (importError == null) {
      return FlowResult.success(201, verb + " " + record.phoneNumber() + " and imported it into Retell", data);
    }
    LOG.warn("request {}: {} {} but the Retell import failed: {}", requestId, verb, record.phoneNumber(),
        importError.code());
    data.put("retellError", importError.toSummary());
    return FlowResult.of(207, new JsonObject().put("success", false)
        .put("message", verb + " " + record.phoneNumber() + " and attached it to the trunk, but the Retell"
            + " import failed; the number is kept and recorded as NOT_IMPORTED. POST"
            + " /twilio/fix-retell-credentials imports it.")
        .put("data", data));
  }
}
