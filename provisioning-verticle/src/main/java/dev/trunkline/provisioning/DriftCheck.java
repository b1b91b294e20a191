package dev.trunkline.provisioning;

import dev.trunkline.contract.ClientFailures;
import dev.trunkline.contract.LogContext;
import dev.trunkline.contract.ProvisioningMessages.DriftEvent;
import dev.trunkline.contract.StoreMessages.DriftNumber;
import dev.trunkline.contract.StoreMessages.RecordDriftCheck;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One number's turn in the drift sweep: inspect it in Retell against the tenant's trunk (as the audit does),
 * remember the outcome in the store, and when it drifted log it, count it and publish it; under the "repair"
 * policy run the fix flow for just that number (the same verified fix as the endpoint), unless earlier repairs of
 * it failed and its back-off has not passed: then it is reported, not hammered.
 */
final class DriftCheck {
  private static final Logger LOG = LoggerFactory.getLogger(DriftCheck.class);

  /** What a tenant's page of numbers is checked against, reloaded per page. */
  record Tenant(String subaccountId, AuditFlow.Target target, String policy) {
    boolean repairs() {
      return "repair".equals(policy);
    }
  }

  /**
   * What one turn found ({@code found}: the inspection's status, or ERROR) and did ({@code repair}: null, REPAIRED or
   * REPAIR_FAILED).
   */
  record Outcome(String found, String repair) {
    /** The number's status after the turn: a repaired number is OK. */
    String statusNow() {
      return "REPAIRED".equals(repair) ? "OK" : found;
    }
  }

  private final FixCredentialsFlow fix;
  private final DriftEvents events;
  private final DriftMetrics metrics;
  private final long perNumberTimeoutMs;
  private final long repairBackoffMs;

  DriftCheck(FixCredentialsFlow fix, DriftEvents events, DriftMetrics metrics, long perNumberTimeoutMs,
      long repairBackoffMs) {
    this.fix = fix;
    this.events = events;
    this.metrics = metrics;
    this.perNumberTimeoutMs = perNumberTimeoutMs;
    this.repairBackoffMs = repairBackoffMs;
  }

  /** Checks (and maybe repairs) one number; never fails (ERROR instead). */
  Future<Outcome> run(ServiceCalls up, Tenant tenant, String phoneNumber) {
    return AuditFlow.inspect(up, tenant.target(), phoneNumber, perNumberTimeoutMs)
        .map(i -> i.status().name())
        .otherwise(err -> {
          LOG.info("drift check subaccount {} number {}: Retell could not be asked ({})", tenant.subaccountId(),
              phoneNumber, ClientFailures.sanitize(err).code());
          return "ERROR";
        })
        .compose(status -> record(up, tenant, phoneNumber, status, null))
        .compose(number -> drifted(number) ? onDrift(up, tenant, number)
            : Future.succeededFuture(new Outcome(number.status(), null)))
        .otherwise(err -> {
          LOG.warn("drift check subaccount {} number {} failed: {}", tenant.subaccountId(), phoneNumber,
              ClientFailures.sanitize(err).code());
          return new Outcome("ERROR", null);
        });
  }

  /**
   * The rarer check, once per tenant per sweep: the trunk and its credential list at Twilio, as
   * {@code GET /twilio/trunk} reports them. Reported (logged, counted, published), never repaired: setup repairs a
   * trunk, and it takes the tenant lock. A failure to ask is logged and left to the next sweep.
   */
  Future<Void> trunk(ServiceCalls up, Tenant tenant) {
    return up.twilio().trunkStatus(new dev.trunkline.contract.TenantRef(tenant.subaccountId()))
        .onSuccess(status -> {
          java.util.List<String> problems = new java.util.ArrayList<>(status.problems() == null
              ? java.util.List.of() : status.problems());
          if (!status.exists()) {
            problems.add(0, "trunk missing at Twilio");
          }
          if (problems.isEmpty()) {
            return;
          }
          metrics.found("TRUNK");
          LogContext.run(up.requestId(), tenant.subaccountId(), "drift", () -> LOG.warn(
              "drift found: subaccount {} trunk at Twilio: {}", tenant.subaccountId(), problems));
          events.trunk(tenant.subaccountId(), tenant.policy(), problems);
        })
        .otherwise(err -> {
          LOG.info("drift check subaccount {}: the trunk at Twilio could not be inspected ({})",
              tenant.subaccountId(), ClientFailures.sanitize(err).code());
          return null;
        })
        .mapEmpty();
  }

  static boolean drifted(DriftNumber number) {
    return !"OK".equals(number.status()) && !"ERROR".equals(number.status());
  }

  private Future<Outcome> onDrift(ServiceCalls up, Tenant tenant, DriftNumber number) {
    metrics.found(number.status());
    LogContext.run(up.requestId(), tenant.subaccountId(), "drift", () -> LOG.warn(
        "drift found: subaccount {} number {} status {} (drifted since {}), policy {}", tenant.subaccountId(),
        number.phoneNumber(), number.status(), number.driftedSince(), tenant.policy()));
    events.publish(DriftEvent.FOUND, number, tenant.policy(), null);
    if (!tenant.repairs()) {
      return Future.succeededFuture(new Outcome(number.status(), null));
    }
    if (number.nextRepairAt() != null && System.currentTimeMillis() < number.nextRepairAt()) {
      metrics.repair("backing_off");
      events.publish(DriftEvent.BACKING_OFF, number, tenant.policy(), null);
      return Future.succeededFuture(new Outcome(number.status(), null));
    }
    boolean importMissing = "NOT_IN_RETELL".equals(number.status());
    // One number: its one result is the answer.
    ProgressEvents progress = new ProgressEvents(up.vertx(), up.requestId(), tenant.subaccountId(), "drift-repair",
        1);
    return fix.run(up, progress, tenant.subaccountId(), number.phoneNumber(), importMissing, false)
        .map(result -> result.status() == 200 ? null : failureCode(result.body()))
        .otherwise(err -> ClientFailures.sanitize(err).code())
        .compose(code -> {
          boolean repaired = code == null;
          metrics.repair(repaired ? "repaired" : "failed");
          // A verified fix leaves the number as the trunk needs it: OK, and its drift over.
          return record(up, tenant, number.phoneNumber(), repaired ? "OK" : number.status(),
              repaired ? "REPAIRED" : "REPAIR_FAILED")
              .map(after -> {
                LogContext.run(up.requestId(), tenant.subaccountId(), "drift", () -> LOG.info(
                    "drift {}: subaccount {} number {}{}", repaired ? "repaired" : "repair failed",
                    tenant.subaccountId(), number.phoneNumber(), repaired ? ""
                        : " (" + code + "; " + after.repairFailures() + " failures, next try after "
                            + after.nextRepairAt() + ")"));
                events.publish(repaired ? DriftEvent.REPAIRED : DriftEvent.REPAIR_FAILED, after, tenant.policy(),
                    code);
                return new Outcome(number.status(), repaired ? "REPAIRED" : "REPAIR_FAILED");
              });
        });
  }

  private Future<DriftNumber> record(ServiceCalls up, Tenant tenant, String phoneNumber, String status, String repair) {
    return up.store().recordDrift(new RecordDriftCheck(tenant.subaccountId(), phoneNumber, status, repair,
        repairBackoffMs));
  }

  /** The failed number's code from a one-number fix report. */
  private static String failureCode(JsonObject body) {
    JsonObject data = body == null ? null : body.getJsonObject("data");
    JsonArray results = data == null ? null : data.getJsonArray("results");
    JsonObject first = results == null || results.isEmpty() ? null : results.getJsonObject(0);
    JsonObject error = first == null ? null : first.getJsonObject("error");
    return error == null ? "REPAIR_FAILED" : error.getString("code", "REPAIR_FAILED");
  }
}
