package dev.trunkline.twilio.trunk;

import dev.trunkline.contract.StoreMessages.PasswordState;
import dev.trunkline.contract.StoreMessages.Trunk;
import dev.trunkline.contract.TwilioMessages.TrunkStatus;
import dev.trunkline.twilio.TwilioTenant;
import dev.trunkline.twilio.TwilioConfig;
import dev.trunkline.twilio.client.Resources;
import dev.trunkline.twilio.client.Resources.Credential;
import dev.trunkline.twilio.client.Resources.CredentialList;
import dev.trunkline.twilio.client.Resources.OriginationUrl;
import dev.trunkline.twilio.client.Resources.PhoneNumber;
import dev.trunkline.twilio.client.TwilioApi;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Read-only: compares the stored trunk with Twilio and lists what setup would have to repair. Makes no
 * writes anywhere, so it needs no lock.
 */
public final class TrunkInspector {
  private final TwilioApi api;
  private final TwilioConfig config;

  public TrunkInspector(TwilioApi api, TwilioConfig config) {
    this.api = api;
    this.config = config;
  }

  public Future<TrunkStatus> status(TwilioTenant tenant) {
    Trunk stored = tenant.trunk();
    PasswordState state = tenant.connector().passwordState();
    boolean passwordKnown = state == PasswordState.KNOWN;
    if (stored.trunkSid() == null) {
      return Future.succeededFuture(new TrunkStatus(tenant.subaccountId(), false, null, null, null, null,
          stored.username(), false, passwordKnown, null, 0, List.of("trunk not set up")));
    }
    return api.fetchTrunk(tenant.auth(), stored.trunkSid())
        .map(Optional::of)
        .recover(TrunkSetup.notFoundAs(Optional.empty()))
        .compose(found -> {
          if (found.isEmpty()) {
            return Future.succeededFuture(new TrunkStatus(tenant.subaccountId(), false, stored.trunkSid(),
                stored.friendlyName(), stored.domainName(), stored.terminationUri(), stored.username(), false,
                passwordKnown, null, 0, List.of("trunk " + stored.trunkSid() + " no longer exists in Twilio")));
          }
          return inspect(tenant, stored, found.get(), state);
        });
  }

  private Future<TrunkStatus> inspect(TwilioTenant tenant, Trunk stored, Resources.Trunk trunk,
      PasswordState state) {
    Future<List<CredentialList>> lists = api.listTrunkCredentialLists(tenant.auth(), trunk.sid());
    Future<List<Credential>> credentials = stored.credentialListSid() == null
        ? Future.succeededFuture(List.of())
        : api.listCredentials(tenant.auth(), stored.credentialListSid()).recover(TrunkSetup.notFoundAs(List.of()));
    Future<List<OriginationUrl>> urls = api.listOriginationUrls(tenant.auth(), trunk.sid());
    Future<List<PhoneNumber>> numbers = api.listTrunkPhoneNumbers(tenant.auth(), trunk.sid());
    return Future.all(lists, credentials, urls, numbers).map(all -> {
      List<String> problems = new ArrayList<>();
      if (trunk.domainName() == null || trunk.domainName().isBlank()) {
        problems.add("termination domain missing");
      }
      if (stored.credentialListSid() == null) {
        problems.add("credential list missing");
      } else if (lists.result().stream().noneMatch(l -> stored.credentialListSid().equals(l.sid()))) {
        problems.add("credential list not associated with the trunk");
      }
      Optional<Credential> credential = credentials.result().stream()
          .filter(c -> c.sid().equals(stored.credentialSid())).findFirst();
      if (credential.isEmpty()) {
        problems.add("credential missing");
      } else if (stored.username() != null && !stored.username().equals(credential.get().username())) {
        problems.add("stored username differs from the credential's");
      }
      switch (state) {
        case NONE, UNKNOWN -> problems.add("SIP password unknown: run setup to set a new one");
        case PENDING -> problems.add("a SIP password change is pending: run setup (or finish the rotation)");
        case KNOWN -> { }
      }
      String wanted = config.originationSipUrl();
      Optional<OriginationUrl> origination = RetellOrigination.find(urls.result(), wanted);
      if (origination.isEmpty()) {
        problems.add("origination URL " + wanted + " missing");
      } else {
        if (!RetellOrigination.isExactly(origination.get(), wanted)) {
          problems.add("origination URL " + origination.get().sipUrl() + " should be " + wanted);
        }
        if (!origination.get().enabled()) {
          problems.add("origination URL " + origination.get().sipUrl() + " disabled");
        }
      }
      return new TrunkStatus(tenant.subaccountId(), true, trunk.sid(), trunk.friendlyName(), trunk.domainName(),
          trunk.domainName(), credential.map(Credential::username).orElse(stored.username()), credential.isPresent(),
          state == PasswordState.KNOWN, origination.map(OriginationUrl::sipUrl).orElse(null),
          numbers.result().size(), List.copyOf(problems));
    });
  }
}
