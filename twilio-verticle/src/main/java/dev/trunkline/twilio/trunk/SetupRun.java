package dev.trunkline.twilio.trunk;

import dev.trunkline.contract.StoreMessages.PromoteSip;
import dev.trunkline.contract.StoreMessages.PutTrunk;
import dev.trunkline.contract.StoreMessages.Trunk;
import dev.trunkline.contract.TwilioMessages.TrunkInfo;
import dev.trunkline.twilio.TwilioTenant;
import dev.trunkline.twilio.client.Resources;
import dev.trunkline.twilio.client.Resources.Credential;
import dev.trunkline.twilio.client.Resources.CredentialList;
import dev.trunkline.twilio.client.TwilioApi;
import dev.trunkline.twilio.client.TwilioAuth;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;

/**
 * The state of one setup run, which the steps fill in as they go, and its writes to the store. Used on one event
 * loop only.
 */
final class SetupRun {
  final TwilioTenant tenant;
  /** The trunk as the store has it, updated with each write of this run. */
  Trunk stored;
  Resources.Trunk trunk;
  List<CredentialList> trunkLists;
  String credentialListSid;
  Credential credential;
  String originationUrl;
  boolean created;
  /** What this run found missing or wrong and put right, for the log line. */
  final List<String> repaired = new ArrayList<>();

  SetupRun(TwilioTenant tenant) {
    this.tenant = tenant;
    this.stored = tenant.trunk();
  }

  TwilioAuth auth() {
    return tenant.auth();
  }

  /** The credential lists on the trunk, listed once per run. */
  Future<List<CredentialList>> trunkLists(TwilioApi api) {
    if (trunkLists != null) {
      return Future.succeededFuture(trunkLists);
    }
    return api.listTrunkCredentialLists(auth(), trunk.sid()).map(lists -> {
      trunkLists = lists;
      return lists;
    });
  }

  /**
   * Stores the fields of {@code patch} that differ from what the store already has (and from what this run
   * already wrote), so a run on a complete trunk writes nothing. The SIP username is never written here: the
   * store records it when the credential's password is promoted, together with the password.
   */
  Future<Void> save(Trunk.Builder patch) {
    Trunk delta = patch.build().minus(stored);
    if (delta.equals(Trunk.EMPTY)) {
      return Future.succeededFuture();
    }
    return putTrunk(delta).onSuccess(v -> stored = delta.over(stored));
  }

  Future<Void> putTrunk(Trunk fields) {
    return tenant.store().putTrunk(new PutTrunk(tenant.subaccountId(), fields, null)).mapEmpty();
  }

  Future<Void> promote(String username, String credentialSid) {
    return tenant.store().promoteSip(new PromoteSip(tenant.subaccountId(), username, credentialSid)).mapEmpty();
  }

  TrunkInfo info() {
    return new TrunkInfo(tenant.subaccountId(), trunk.sid(), trunk.friendlyName(), trunk.domainName(),
        trunk.domainName(), credential.username(), credentialListSid, credential.sid(), originationUrl, created,
        List.copyOf(repaired));
  }
}
