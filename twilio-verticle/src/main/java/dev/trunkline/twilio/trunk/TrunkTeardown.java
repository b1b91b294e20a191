package dev.trunkline.twilio.trunk;

import dev.trunkline.contract.ServiceException;
import dev.trunkline.contract.StoreMessages.Trunk;
import dev.trunkline.contract.TenantRef;
import dev.trunkline.contract.TwilioMessages.TeardownResult;
import dev.trunkline.twilio.TwilioTenant;
import dev.trunkline.twilio.TwilioConfig;
import dev.trunkline.twilio.client.TwilioApi;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes a tenant's trunk once no number is left on it (409 otherwise: numbers are money and calls, they are
 * removed or released explicitly first), then the credential list Trunkline created for it (only one whose name
 * carries the tenant's full id; a legacy list is left alone), then the stored trunk state. Idempotent: a trunk
 * or list already gone counts as deleted. The caller holds the tenant's lock.
 */
public final class TrunkTeardown {
  private static final Logger LOG = LoggerFactory.getLogger(TrunkTeardown.class);

  private final TwilioApi api;
  private final TrunkNames names;

  public TrunkTeardown(TwilioApi api, TwilioConfig config) {
    this.api = api;
    this.names = new TrunkNames(config.friendlyNamePrefix());
  }

  public Future<TeardownResult> teardown(TwilioTenant tenant) {
    Trunk trunk = tenant.trunk();
    if (trunk.trunkSid() == null) {
      return Future.succeededFuture(new TeardownResult(null, false, List.of()));
    }
    List<String> removed = new ArrayList<>();
    return api.listTrunkPhoneNumbers(tenant.auth(), trunk.trunkSid())
        .recover(TrunkSetup.notFoundAs(List.of()))
        .compose(numbers -> {
          if (!numbers.isEmpty()) {
            return Future.failedFuture(new ServiceException(409, "TRUNK_HAS_NUMBERS",
                numbers.size() + " phone number(s) are still on the trunk: remove or release them first",
                new JsonObject().put("numberCount", numbers.size())));
          }
          return api.deleteTrunk(tenant.auth(), trunk.trunkSid()).recover(TrunkSetup.notFoundAs(null));
        })
        .compose(v -> {
          removed.add("trunk");
          return deleteOwnCredentialList(tenant, trunk, removed);
        })
        .compose(v -> tenant.store().deleteTrunk(new TenantRef(tenant.subaccountId())))
        .map(v -> {
          LOG.info("request {}: tenant {} trunk {} torn down ({})", tenant.requestId(), tenant.subaccountId(),
              trunk.trunkSid(), String.join(", ", removed));
          return new TeardownResult(trunk.trunkSid(), true, List.copyOf(removed));
        });
  }

  private Future<Void> deleteOwnCredentialList(TwilioTenant tenant, Trunk trunk, List<String> removed) {
    if (trunk.credentialListSid() == null) {
      return Future.succeededFuture();
    }
    String ownName = names.credentialListName(tenant.subaccountId());
    return api.fetchCredentialList(tenant.auth(), trunk.credentialListSid())
        .recover(TrunkSetup.notFoundAs(null))
        .compose(list -> {
          if (list == null || !ownName.equals(list.friendlyName())) {
            return Future.succeededFuture();
          }
          return api.deleteCredentialList(tenant.auth(), list.sid()).recover(TrunkSetup.notFoundAs(null))
              .onSuccess(v -> removed.add("credentialList"));
        });
  }
}
