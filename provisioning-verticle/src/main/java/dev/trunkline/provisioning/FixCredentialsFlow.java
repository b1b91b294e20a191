package dev.trunkline.provisioning;

import dev.trunkline.contract.ClientFailures;
import dev.trunkline.contract.LogContext;
import dev.trunkline.contract.RetellMessages.InspectionStatus;
import dev.trunkline.contract.RetellMessages.InspectNumber;
import dev.trunkline.contract.RetellMessages.SipTarget;
import dev.trunkline.contract.RetellMessages.SyncNumber;
import dev.trunkline.contract.RetellMessages.SyncOutcome;
import dev.trunkline.contract.StoreMessages.PhoneNumber;
import dev.trunkline.contract.StoreMessages.RetellStatus;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Repairs the Retell SIP credentials of a tenant's numbers (DESIGN.md "Fix credentials", the origin
 * document's endpoint made honest): one Retell sync per number, bounded concurrency, per-number results in
 * input order, and a status that says what happened (200 / 207 / 502).
 */
final class FixCredentialsFlow {
  private static final Logger LOG = LoggerFactory.getLogger(FixCredentialsFlow.class);
  private static final String WOULD_CHANGE = "wouldChange";

  private final Vertx vertx;
  private final ProvisioningConfig config;
  private final FixMetrics metrics = FixMetrics.forVertxRegistry();
  private final CredentialLeases leases;

  FixCredentialsFlow(Vertx vertx, ProvisioningConfig config, CredentialLeases leases) {
    this.vertx = vertx;
    this.config = config;
    this.leases = leases;
  }

  /**
   * @param phoneNumber just this number, or every number when null
   * @param importMissing import numbers Retell does not know instead of failing them
   * @param dryRun inspect only and report what a fix would change
   */
  Future<FlowResult> run(ServiceCalls up, ProgressEvents events, String subaccountId, String phoneNumber,
      boolean importMissing, boolean dryRun) {
    long started = System.nanoTime();
    // A dry run writes nothing; a fix holds a credential lease while it writes (a rotation waits for it).
    return dryRun ? TenantSecrets.load(up, subaccountId).compose(tenant -> fix(up, events, subaccountId,
            phoneNumber, importMissing, true, tenant, started))
        : TenantSecrets.withLease(up, leases, subaccountId, tenant -> fix(up, events,
            subaccountId, phoneNumber, importMissing, false, tenant, started));
  }

  private Future<FlowResult> fix(ServiceCalls up, ProgressEvents events, String subaccountId, String phoneNumber,
      boolean importMissing, boolean dryRun, TenantSecrets tenant, long started) {
    // Counts, and the results the answer may carry; every result goes to the events (and the operation's record).
    FanOutReport report = events.report().tally(WOULD_CHANGE, r -> r.getBoolean("wouldChange", false));
    return source(up, subaccountId, phoneNumber)
        .compose(numbers -> BoundedFanOut.each(vertx, numbers, config.fixConcurrency(),
            config.perNumberTimeoutMs(),
            n -> dryRun ? inspect(up, tenant, n) : sync(up, tenant, n, importMissing),
            (n, err) -> {
              metrics.failed(err, dryRun);
              return FanOutReport.failure(n.phoneNumber(), err);
            },
            up::abandoned, events.numbers(report), events.gate()))
        .map(count -> {
          if (up.abandoned()) {
            // Nobody reads this answer; a retry of the client re-runs the (idempotent) fix from the start.
            LogContext.run(up.requestId(), subaccountId, "fixRetellCredentials", () -> LOG.warn(
                "request {} fix-retell-credentials subaccount {}: the caller cancelled or stopped waiting; stopped after {} "
                    + "numbers ({} ok), the rest were not started", up.requestId(), subaccountId, report.total,
                report.successCount));
          }
          metrics.run(report.status(), started);
          LogContext.run(up.requestId(), subaccountId, "fixRetellCredentials", () -> LOG.info(
              "request {} fix-retell-credentials subaccount {}: {} of {} ok{}", up.requestId(), subaccountId,
              report.successCount, report.total, dryRun ? " (dry run)" : ""));
          String message = dryRun
              ? "Dry run: " + report.count(WOULD_CHANGE) + " of " + report.total + " phone numbers need fixing"
              : "Fixed credentials for " + report.successCount + " of " + report.total + " phone numbers";
          JsonObject body = new JsonObject()
              .put("success", report.allSucceeded())
              .put("message", message)
              .put("data", report.data().put("dryRun", dryRun));
          return FlowResult.of(report.status(), body);
        });
  }

  private Future<BoundedFanOut.PageSource<PhoneNumber>> source(ServiceCalls up, String subaccountId,
      String phoneNumber) {
    return phoneNumber == null
        ? Future.succeededFuture(NumberPages.all(up, subaccountId, config.listPageSize()))
        : NumberPages.one(up, subaccountId, phoneNumber);
  }

  private Future<JsonObject> sync(ServiceCalls up, TenantSecrets tenant, PhoneNumber number,
      boolean importMissing) {
    SipTarget target = tenant.target();
    // A number recorded NOT_IMPORTED is known to be missing in Retell: importing it is the fix.
    boolean importIfMissing = importMissing || number.retellStatus() == RetellStatus.NOT_IMPORTED;
    SyncNumber request = new SyncNumber(tenant.retellKey(), number.phoneNumber(), target, importIfMissing,
        null);
    return up.resent(() -> tenant.retellWrite(up.retell().sync(request, config.perNumberTimeoutMs())))
        .onSuccess(result -> metrics.number(result.outcome().name(), false))
        .compose(result -> recordImported(up, number).map(v -> new JsonObject()
            .put("phoneNumber", number.phoneNumber())
            .put("success", true)
            .put("auth_username", result.authUsername())
            .put("message", result.outcome() == SyncOutcome.IMPORTED
                ? "Imported into Retell with credentials" : "Credentials updated successfully")));
  }

  /** A number that was NOT_IMPORTED is now in Retell; the record says so (best effort). */
  private Future<Void> recordImported(ServiceCalls up, PhoneNumber number) {
    if (number.retellStatus() == RetellStatus.IMPORTED) {
      return Future.succeededFuture();
    }
    PhoneNumber updated = new PhoneNumber(number.subaccountId(), number.phoneNumber(), number.twilioSid(),
        number.trunkSid(), RetellStatus.IMPORTED, null, number.createdAt(), System.currentTimeMillis());
    return up.store().saveNumber(updated)
        .<Void>mapEmpty()
        .recover(err -> {
          LOG.warn("request {} could not record {} as imported: {}", up.requestId(), number.phoneNumber(),
              ClientFailures.sanitize(err).code());
          return Future.succeededFuture();
        });
  }

  private Future<JsonObject> inspect(ServiceCalls up, TenantSecrets tenant, PhoneNumber number) {
    InspectNumber request = new InspectNumber(tenant.retellKey(), number.phoneNumber(),
        tenant.sip().terminationUri(), tenant.username());
    return up.resent(() -> up.retell().inspect(request, config.perNumberTimeoutMs()))
        .map(inspection -> {
          metrics.number("inspected", true);
          boolean needsFix = inspection.status() != InspectionStatus.OK;
          return new JsonObject()
              .put("phoneNumber", number.phoneNumber())
              .put("success", true)
              .put("auth_username", inspection.authUsername())
              .put("status", inspection.status().name())
              .put("wouldChange", needsFix)
              .put("message", needsFix ? "Would update credentials (" + inspection.status() + ")"
                  : "Credentials already correct");
        });
  }
}
