package dev.trunkline.provisioning;

import dev.trunkline.contract.Json;
import dev.trunkline.contract.StoreMessages.Connector;
import dev.trunkline.contract.StoreMessages.ListDriftNumbers;
import dev.trunkline.contract.StoreMessages.PutDriftTenant;
import dev.trunkline.contract.TenantRef;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.regex.Pattern;

/**
 * What people see of the drift watch ({@link DriftWatch}): a tenant's policy, last sweep and the numbers not OK,
 * and the policy's change. The tenant must exist, as for every flow (404 otherwise; 409 SETUP_REQUIRED when it has
 * no trunk yet).
 */
final class DriftFlows {
  static final Pattern POLICY = Pattern.compile("^(report|repair)$");

  private DriftFlows() {}

  static Future<FlowResult> status(ServiceCalls up, String subaccountId, int limit, String after) {
    return known(up, subaccountId)
        .compose(v -> up.store().driftTenant(new TenantRef(subaccountId)))
        // Numbers not checked since the last sweep began are no longer the tenant's (removed since): left out.
        .compose(tenant -> up.store().driftNumbers(new ListDriftNumbers(subaccountId, limit, after,
                tenant.lastSweep() == null ? null : tenant.lastSweep().startedAt()))
            .map(page -> FlowResult.ok(new JsonObject()
                .put("policy", tenant.policy())
                .put("lastSweep", tenant.lastSweep() == null ? null : Json.toJson(tenant.lastSweep()))
                .put("numbers", new JsonArray(page.items().stream().map(Json::toJson).toList()))
                .put("next", page.next()))));
  }

  static Future<FlowResult> policy(ServiceCalls up, String subaccountId, String policy) {
    return known(up, subaccountId)
        .compose(v -> up.store().putDriftTenant(new PutDriftTenant(subaccountId, policy, null)))
        .map(tenant -> FlowResult.success(200, "Drift policy is " + tenant.policy(),
            new JsonObject().put("policy", tenant.policy())));
  }

  private static Future<Connector> known(ServiceCalls up, String subaccountId) {
    return up.store().connector(new TenantRef(subaccountId))
        .recover(err -> TenantSecrets.notFound(err)
            ? TenantSecrets.<Connector>knownButNotSetUp(up, subaccountId, err) : Future.failedFuture(err));
  }
}
