package dev.trunkline.twilio.trunk;

import dev.trunkline.contract.StoreMessages.Trunk;
import dev.trunkline.twilio.client.Resources.CredentialList;
import dev.trunkline.twilio.client.TwilioApi;
import io.vertx.core.Future;
import java.util.Optional;

/** Setup steps 3 and 4: the tenant's credential list and its association with the trunk. */
final class CredentialListStep {
  private final TwilioApi api;
  private final TrunkNames names;

  CredentialListStep(TwilioApi api, TrunkNames names) {
    this.api = api;
    this.names = names;
  }

  Future<Void> ensure(SetupRun run) {
    return ensureCredentialList(run).compose(v -> ensureAssociation(run));
  }

  // ---- 3. the credential list: stored, else the trunk's own, else by exact name, else created ----

  private Future<Void> ensureCredentialList(SetupRun run) {
    Future<CredentialList> stored = run.stored.credentialListSid() == null
        ? Future.succeededFuture(null)
        : api.fetchCredentialList(run.auth(), run.stored.credentialListSid()).recover(TrunkSetup.notFoundAs(null));
    return stored
        .compose(list -> list != null ? Future.succeededFuture(list) : discoverCredentialList(run))
        .compose(list -> list != null ? Future.succeededFuture(list) : api.createCredentialList(run.auth(),
            names.credentialListName(run.tenant.subaccountId())).map(created -> {
              run.repaired.add("credentialList");
              return created;
            }))
        .compose(list -> {
          run.credentialListSid = list.sid();
          return run.save(Trunk.builder().credentialListSid(list.sid()));
        });
  }

  private Future<CredentialList> discoverCredentialList(SetupRun run) {
    String name = names.credentialListName(run.tenant.subaccountId());
    return run.trunkLists(api).compose(onTrunk -> {
      Optional<CredentialList> mine = onTrunk.stream().filter(l -> name.equals(l.friendlyName())).findFirst();
      if (mine.isPresent() || !onTrunk.isEmpty()) {
        // A list already on the tenant's own trunk is the tenant's (a legacy trunk names it its own way).
        return Future.succeededFuture(mine.orElse(onTrunk.get(0)));
      }
      // Made by a run that stopped before associating it: found by its exact name, never by prefix.
      return api.listCredentialLists(run.auth())
          .map(all -> all.stream().filter(l -> name.equals(l.friendlyName())).findFirst().orElse(null));
    });
  }


  // ---- 4. the list's association with the trunk ----

  private Future<Void> ensureAssociation(SetupRun run) {
    return run.trunkLists(api).compose(lists -> {
      if (lists.stream().anyMatch(l -> run.credentialListSid.equals(l.sid()))) {
        return Future.succeededFuture();
      }
      return api.associateCredentialList(run.auth(), run.trunk.sid(), run.credentialListSid)
          .onSuccess(v -> run.repaired.add("credentialListAssociation"));
    });
  }
}
