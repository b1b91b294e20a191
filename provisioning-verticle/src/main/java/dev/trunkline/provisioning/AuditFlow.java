package dev.trunkline.provisioning;

import dev.trunkline.contract.RetellMessages.Inspection;
import dev.trunkline.contract.RetellMessages.InspectionStatus;
import dev.trunkline.contract.RetellMessages.InspectNumber;
import dev.trunkline.contract.Secret;
import dev.trunkline.contract.StoreMessages.Connector;
import dev.trunkline.contract.StoreMessages.PhoneNumber;
import dev.trunkline.contract.StoreMessages.Trunk;
import dev.trunkline.contract.TenantRef;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/**
 * Read-only audit: asks Retell, per number and with bounded concurrency, whether the number's
 * {@code sip_outbound_trunk_config} matches the tenant's trunk (during a rotation: the rotation's new
 * username). It needs no SIP password, so it reads the secret-free connector rather than the credentials.
 */
final class AuditFlow {
  private final Vertx vertx;
  private final ProvisioningConfig config;

  AuditFlow(Vertx vertx, ProvisioningConfig config) {
    this.vertx = vertx;
    this.config = config;
  }

  /**
   * What a tenant's numbers must show in Retell, with the key to ask: 404 when the tenant is unknown, 409
   * SETUP_REQUIRED without a trunk. The audit and the drift watch ({@link DriftWatch}) check against the same.
   */
  record Target(Trunk trunk, String expectedUsername, String rotatingTo, Secret key) {}

  static Future<Target> target(ServiceCalls up, String subaccountId) {
    return up.store().connector(new TenantRef(subaccountId))
        .recover(err -> TenantSecrets.notFound(err)
            ? TenantSecrets.<Connector>knownButNotSetUp(up, subaccountId, err) : Future.failedFuture(err))
        .compose(connector -> {
          Trunk trunk = connector.trunk();
          if (trunk == null || trunk.username() == null || trunk.terminationUri() == null) {
            return Future.failedFuture(TenantSecrets.setupRequired(
                "run POST /twilio/setup first: this subaccount has no trunk yet"));
          }
          // While a rotation is open (its new credential exists at Twilio) numbers belong on the new username:
          // that is what fix, purchase and import hand out and what the rotation must see before it finishes.
          String rotatingTo = TenantSecrets.openRotationUsername(connector.pending());
          String expected = rotatingTo != null ? rotatingTo : trunk.username();
          return TenantSecrets.retellKey(up, subaccountId)
              .map(key -> new Target(trunk, expected, rotatingTo, key));
        });
  }

  /** One number's Retell settings against the target, read-only, within the per-number timeout. */
  static Future<Inspection> inspect(ServiceCalls up, Target target, String phoneNumber, long timeoutMs) {
    InspectNumber request = new InspectNumber(target.key(), phoneNumber, target.trunk().terminationUri(),
        target.expectedUsername());
    return up.resent(() -> up.retell().inspect(request, timeoutMs));
  }

  Future<FlowResult> run(ServiceCalls up, ProgressEvents events, String subaccountId, String phoneNumber) {
    return target(up, subaccountId).compose(t -> audit(up, subaccountId, phoneNumber, t.trunk(),
        t.expectedUsername(), t.rotatingTo(), t.key(), events));
  }

  private Future<FlowResult> audit(ServiceCalls up, String subaccountId, String phoneNumber, Trunk trunk,
      String expectedUsername, String rotatingTo, Secret key, ProgressEvents events) {
    Future<BoundedFanOut.PageSource<PhoneNumber>> source = phoneNumber == null
        ? Future.succeededFuture(NumberPages.all(up, subaccountId, config.listPageSize()))
        : NumberPages.one(up, subaccountId, phoneNumber);
    FanOutReport report = events.report().tally("ok", r -> "OK".equals(r.getString("status")));
    return source.compose(numbers -> BoundedFanOut.each(vertx, numbers, config.fixConcurrency(),
            config.perNumberTimeoutMs(), n -> inspect(up, trunk.terminationUri(), expectedUsername, key, n),
            (n, err) -> FanOutReport.failure(n.phoneNumber(), err).put("status", "ERROR"),
            up::abandoned, events.numbers(report), events.gate()))
        .map(started -> {
          long okCount = report.count("ok");
          long problemCount = report.successCount - okCount;
          JsonObject data = report.data()
              .put("okCount", okCount)
              .put("problemCount", problemCount)
              .put("expected", new JsonObject().put("auth_username", expectedUsername)
                  .put("termination_uri", trunk.terminationUri()));
          if (rotatingTo != null) {
            data.put("rotation", new JsonObject().put("inProgress", true).put("username", rotatingTo)
                .put("previousUsername", trunk.username()));
          }
          String message = "Audited " + report.successCount + " of " + report.total + " phone numbers: "
              + okCount + " ok, " + problemCount + " with wrong or missing credentials";
          return FlowResult.of(report.status(), new JsonObject().put("success", report.allSucceeded())
              .put("message", message).put("data", data));
        });
  }

  private Future<JsonObject> inspect(ServiceCalls up, String terminationUri, String expectedUsername, Secret key,
      PhoneNumber number) {
    InspectNumber request = new InspectNumber(key, number.phoneNumber(), terminationUri, expectedUsername);
    return up.resent(() -> up.retell().inspect(request, config.perNumberTimeoutMs()))
        .map(i -> new JsonObject()
            .put("phoneNumber", number.phoneNumber())
            .put("success", true)
            .put("status", i.status().name())
            .put("ok", i.status() == InspectionStatus.OK)
            .put("auth_username", i.authUsername())
            .put("termination_uri", i.terminationUri())
            .put("transport", i.transport()));
  }
}
