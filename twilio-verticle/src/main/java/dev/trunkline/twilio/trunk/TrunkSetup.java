package dev.trunkline.twilio.trunk;

import dev.trunkline.contract.CredentialPurpose;
import dev.trunkline.contract.Identifiers;
import dev.trunkline.contract.Secret;
import dev.trunkline.contract.ServiceException;
import dev.trunkline.contract.StoreMessages.PasswordState;
import dev.trunkline.contract.StoreMessages.PendingSip;
import dev.trunkline.contract.StoreMessages.PromoteSip;
import dev.trunkline.contract.StoreMessages.PutPendingSip;
import dev.trunkline.contract.StoreMessages.PutTrunk;
import dev.trunkline.contract.StoreMessages.SipCredentials;
import dev.trunkline.contract.StoreMessages.Trunk;
import dev.trunkline.contract.TenantRef;
import dev.trunkline.contract.TwilioMessages.EnsureTrunk;
import dev.trunkline.contract.TwilioMessages.TrunkInfo;
import dev.trunkline.twilio.TwilioTenant;
import dev.trunkline.twilio.TwilioConfig;
import dev.trunkline.twilio.client.Resources.Credential;
import dev.trunkline.twilio.client.Resources.CredentialList;
import dev.trunkline.twilio.client.Resources;
import dev.trunkline.twilio.client.TwilioApi;
import dev.trunkline.twilio.client.TwilioApiException;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The setup flow of DESIGN.md: find or create the tenant's trunk, then repair what is missing and keep what
 * exists (credential list, its association with the trunk, the credential and its password, the origination
 * URL, the termination domain). The caller holds the tenant's lock.
 *
 * <p>Every step first reads Twilio, writes only what is missing, and stores each SID as soon as it is known,
 * so a crash after any step converges on the next run and a run on a complete trunk makes no Twilio writes.
 * Passwords are written ahead: a new one is stored as pending before Twilio hears of it and promoted after,
 * and a pending one found on a later run is applied again rather than replaced.
 */
public final class TrunkSetup {
  private static final Logger LOG = LoggerFactory.getLogger(TrunkSetup.class);
  /** Twilio's "domain name already in use" error. */
  static final int DOMAIN_TAKEN = 21248;
  static final int DOMAIN_ATTEMPTS = 5;

  private final TwilioApi api;
  private final TwilioConfig config;
  private final TrunkNames names;
  private final PasswordGenerator passwords;

  public TrunkSetup(TwilioApi api, TwilioConfig config, PasswordGenerator passwords) {
    this.api = api;
    this.config = config;
    this.names = new TrunkNames(config.friendlyNamePrefix());
    this.passwords = passwords;
  }

  public Future<TrunkInfo> ensure(TwilioTenant tenant, EnsureTrunk request) {
    Run run = new Run(tenant);
    return saveRegulatorySids(run, request)
        .compose(v -> findOrCreateTrunk(run))
        .compose(v -> ensureDomain(run))
        .compose(v -> ensureCredentialList(run))
        .compose(v -> ensureAssociation(run))
        .compose(v -> ensureCredential(run))
        .compose(v -> ensureOriginationUrl(run))
        .map(v -> {
          if (!run.repaired.isEmpty()) {
            LOG.info("request {}: trunk {} of tenant {} set up ({})", tenant.requestId(), run.trunk.sid(),
                tenant.subaccountId(), String.join(", ", run.repaired));
          }
          return run.info();
        });
  }

  /** The tenant's regulatory SIDs (used when buying numbers) are stored with the trunk. */
  private Future<Void> saveRegulatorySids(Run run, EnsureTrunk request) {
    if (request == null) {
      return Future.succeededFuture();
    }
    Trunk.Builder patch = Trunk.builder();
    boolean changed = false;
    if (request.addressSid() != null) {
      Identifiers.require("addressSid", request.addressSid(), Identifiers.ADDRESS_SID, "AD followed by 32 hex characters");
      changed |= !request.addressSid().equals(run.stored.addressSid());
      patch.addressSid(request.addressSid());
    }
    if (request.emergencyAddressSid() != null) {
      Identifiers.require("emergencyAddressSid", request.emergencyAddressSid(), Identifiers.ADDRESS_SID,
          "AD followed by 32 hex characters");
      changed |= !request.emergencyAddressSid().equals(run.stored.emergencyAddressSid());
      patch.emergencyAddressSid(request.emergencyAddressSid());
    }
    if (request.bundleSid() != null) {
      Identifiers.require("bundleSid", request.bundleSid(), Identifiers.BUNDLE_SID, "BU followed by 32 hex characters");
      changed |= !request.bundleSid().equals(run.stored.bundleSid());
      patch.bundleSid(request.bundleSid());
    }
    return changed ? putTrunk(run, patch.build()) : Future.succeededFuture();
  }

  // ---- 1. the trunk: by stored SID, else by exact friendly name, else created ----

  private Future<Void> findOrCreateTrunk(Run run) {
    Future<Resources.Trunk> found = run.stored.trunkSid() == null
        ? Future.succeededFuture(null)
        : api.fetchTrunk(run.auth(), run.stored.trunkSid()).recover(notFoundAs(null));
    return found
        .compose(trunk -> trunk != null ? Future.succeededFuture(trunk) : findTrunkByName(run))
        .compose(trunk -> trunk != null ? Future.succeededFuture(trunk) : createTrunk(run, 0))
        .compose(trunk -> {
          run.trunk = trunk;
          return save(run, Trunk.builder()
              .trunkSid(trunk.sid())
              .friendlyName(trunk.friendlyName())
              .domainName(blankToNull(trunk.domainName()))
              .terminationUri(blankToNull(trunk.domainName())));
        });
  }

  private Future<Resources.Trunk> findTrunkByName(Run run) {
    String name = names.trunkFriendlyName(run.tenant.subaccountId());
    return api.listTrunks(run.auth()).map(trunks -> {
      List<Resources.Trunk> mine = trunks.stream().filter(t -> name.equals(t.friendlyName()))
          .sorted(Comparator.comparing((Resources.Trunk t) -> Objects.toString(t.dateCreated(), ""))
              .thenComparing(Resources.Trunk::sid))
          .toList();
      if (mine.size() > 1) {
        // Left by a tool without a lock; adopt the oldest, delete nothing.
        LOG.warn("tenant {} has {} trunks named {}; adopting {}", run.tenant.subaccountId(), mine.size(), name,
            mine.get(0).sid());
      }
      if (!mine.isEmpty() && run.stored.trunkSid() != null) {
        run.repaired.add("trunkSid");
      }
      return mine.isEmpty() ? null : mine.get(0);
    });
  }

  private Future<Resources.Trunk> createTrunk(Run run, int attempt) {
    String domain = names.domainName(run.tenant.subaccountId(), attempt);
    return api.createTrunk(run.auth(), names.trunkFriendlyName(run.tenant.subaccountId()), domain)
        .map(trunk -> {
          run.created = true;
          run.repaired.add("trunk");
          return trunk;
        })
        .recover(err -> domainTaken(err) && attempt + 1 < DOMAIN_ATTEMPTS
            ? createTrunk(run, attempt + 1)
            : Future.failedFuture(err));
  }

  // ---- 2. the termination domain ----

  private Future<Void> ensureDomain(Run run) {
    if (!isBlank(run.trunk.domainName())) {
      return Future.succeededFuture();
    }
    return setDomain(run, 0).compose(trunk -> {
      run.trunk = trunk;
      run.repaired.add("domainName");
      return save(run, Trunk.builder().domainName(trunk.domainName()).terminationUri(trunk.domainName()));
    });
  }

  private Future<Resources.Trunk> setDomain(Run run, int attempt) {
    String domain = names.domainName(run.tenant.subaccountId(), attempt);
    return api.updateTrunkDomainName(run.auth(), run.trunk.sid(), domain)
        .recover(err -> domainTaken(err) && attempt + 1 < DOMAIN_ATTEMPTS
            ? setDomain(run, attempt + 1)
            : Future.failedFuture(err));
  }

  private static boolean domainTaken(Throwable err) {
    return err instanceof TwilioApiException e && (e.hasCode(DOMAIN_TAKEN)
        || (e.httpStatus() == 409 && e.twilioCode() == null));
  }

  // ---- 3. the credential list: stored, else the trunk's own, else by exact name, else created ----

  private Future<Void> ensureCredentialList(Run run) {
    Future<CredentialList> stored = run.stored.credentialListSid() == null
        ? Future.succeededFuture(null)
        : api.fetchCredentialList(run.auth(), run.stored.credentialListSid()).recover(notFoundAs(null));
    return stored
        .compose(list -> list != null ? Future.succeededFuture(list) : discoverCredentialList(run))
        .compose(list -> list != null ? Future.succeededFuture(list) : api.createCredentialList(run.auth(),
            names.credentialListName(run.tenant.subaccountId())).map(created -> {
              run.repaired.add("credentialList");
              return created;
            }))
        .compose(list -> {
          run.credentialListSid = list.sid();
          return save(run, Trunk.builder().credentialListSid(list.sid()));
        });
  }

  private Future<CredentialList> discoverCredentialList(Run run) {
    String name = names.credentialListName(run.tenant.subaccountId());
    return trunkLists(run).compose(onTrunk -> {
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

  private Future<List<CredentialList>> trunkLists(Run run) {
    if (run.trunkLists != null) {
      return Future.succeededFuture(run.trunkLists);
    }
    return api.listTrunkCredentialLists(run.auth(), run.trunk.sid()).map(lists -> {
      run.trunkLists = lists;
      return lists;
    });
  }

  // ---- 4. the list's association with the trunk ----

  private Future<Void> ensureAssociation(Run run) {
    return trunkLists(run).compose(lists -> {
      if (lists.stream().anyMatch(l -> run.credentialListSid.equals(l.sid()))) {
        return Future.succeededFuture();
      }
      return api.associateCredentialList(run.auth(), run.trunk.sid(), run.credentialListSid)
          .onSuccess(v -> run.repaired.add("credentialListAssociation"));
    });
  }

  // ---- 5. the credential and its password ----

  private Future<Void> ensureCredential(Run run) {
    Future<SipCredentials> sip = run.tenant.connector().passwordState() == PasswordState.NONE
        && run.stored.username() == null
        ? Future.succeededFuture(null)
        : run.tenant.store().sipCredentials(new TenantRef(run.tenant.subaccountId()))
            .recover(err -> err instanceof ServiceException se && se.status() == 404
                ? Future.succeededFuture(null) : Future.failedFuture(err));
    return sip.compose(credentials -> api.listCredentials(run.auth(), run.credentialListSid)
        .compose(existing -> decideCredential(run, credentials, existing)));
  }

  private Future<Void> decideCredential(Run run, SipCredentials sip, List<Credential> existing) {
    boolean rotating = sip != null && sip.pending() != null
        && sip.pending().purpose() == CredentialPurpose.ROTATION;
    PendingSip pending = sip == null || sip.pending() == null || rotating ? null : sip.pending();
    Credential credential = pick(run, existing, pending);

    if (credential == null) {
      return rotating ? rotationInTheWay() : createCredential(run, pending);
    }
    run.credential = credential;
    if (pending != null && credential.username().equals(pending.username())) {
      // Written ahead on an earlier run that stopped before promoting it: Twilio may or may not have it yet.
      return applyPassword(run, credential, pending.password(), false);
    }
    boolean passwordKnown = sip != null && sip.password() != null && !sip.password().isBlank()
        && credential.username().equals(sip.username());
    if (passwordKnown) {
      return save(run, Trunk.builder().credentialSid(credential.sid()));
    }
    if (rotating) {
      return rotationInTheWay();
    }
    // A legacy record (username, no password), or a credential adopted from the trunk: keep the credential
    // and its username, give it a new password.
    return applyPassword(run, credential, passwords.next(), true);
  }

  /**
   * The store holds one pending password; a rotation's is in it. Writing a setup password ahead would lose
   * the rotation's, which the caller may already be handing to Retell.
   */
  private static Future<Void> rotationInTheWay() {
    return Future.failedFuture(ServiceException.conflict("ROTATION_IN_PROGRESS",
        "a credential rotation is open for this tenant: finish it before setup can set a new password"));
  }

  /** The credential to keep: the stored one, the one with the stored or pending username, else the first. */
  private static Credential pick(Run run, List<Credential> existing, PendingSip pending) {
    Function<java.util.function.Predicate<Credential>, Credential> find =
        p -> existing.stream().filter(p).findFirst().orElse(null);
    Credential c = null;
    if (run.stored.credentialSid() != null) {
      c = find.apply(x -> run.stored.credentialSid().equals(x.sid()));
    }
    if (c == null && run.stored.username() != null) {
      c = find.apply(x -> run.stored.username().equals(x.username()));
    }
    if (c == null && pending != null) {
      c = find.apply(x -> pending.username().equals(x.username()));
    }
    if (c == null && !existing.isEmpty()) {
      c = existing.get(0);
    }
    return c;
  }

  private Future<Void> createCredential(Run run, PendingSip pending) {
    String username;
    Secret password;
    Future<Void> writeAhead;
    if (pending != null) {
      // A password written ahead whose credential never reached Twilio: create it with that password.
      username = pending.username();
      password = pending.password();
      writeAhead = Future.succeededFuture();
    } else {
      username = run.stored.username() != null
          ? run.stored.username()
          : UsernameRule.forTrunk(run.trunk.friendlyName(), names.prefix(), run.tenant.subaccountId());
      password = passwords.next();
      writeAhead = run.tenant.store().putPendingSip(new PutPendingSip(run.tenant.subaccountId(), username, password,
          CredentialPurpose.SETUP, null)).mapEmpty();
    }
    return writeAhead
        .compose(v -> api.createCredential(run.auth(), run.credentialListSid, username, password))
        .compose(created -> {
          run.credential = created;
          run.repaired.add("credential");
          return save(run, Trunk.builder().credentialSid(created.sid()));
        })
        .compose(v -> promote(run, username, run.credential.sid()));
  }

  private Future<Void> applyPassword(Run run, Credential credential, Secret password, boolean writeAhead) {
    Future<Void> ahead = writeAhead
        ? run.tenant.store().putPendingSip(new PutPendingSip(run.tenant.subaccountId(), credential.username(),
            password, CredentialPurpose.SETUP, credential.sid())).<Void>mapEmpty()
        : Future.succeededFuture();
    return ahead
        .compose(v -> api.updateCredentialPassword(run.auth(), run.credentialListSid, credential.sid(), password))
        .compose(updated -> {
          run.repaired.add("password");
          return save(run, Trunk.builder().credentialSid(credential.sid()));
        })
        .compose(v -> promote(run, credential.username(), credential.sid()));
  }

  // ---- 6. the origination URL to Retell: kept, else Retell's one converged in place, else created ----

  private Future<Void> ensureOriginationUrl(Run run) {
    String sipUrl = config.originationSipUrl();
    return api.listOriginationUrls(run.auth(), run.trunk.sid()).compose(urls -> {
      Optional<Resources.OriginationUrl> found = RetellOrigination.find(urls, sipUrl);
      Future<Resources.OriginationUrl> url;
      if (found.isEmpty()) {
        url = api.createOriginationUrl(run.auth(), run.trunk.sid(), names.originationUrlName(
            run.tenant.subaccountId()), sipUrl, 1, 1).onSuccess(u -> run.repaired.add("originationUrl"));
      } else if (!RetellOrigination.isExactly(found.get(), sipUrl)) {
        url = convergeOriginationUrl(run, found.get(), sipUrl);
      } else if (!found.get().enabled()) {
        url = api.enableOriginationUrl(run.auth(), run.trunk.sid(), found.get().sid())
            .onSuccess(u -> run.repaired.add("originationUrlEnabled"));
      } else {
        url = Future.succeededFuture(found.get());
      }
      return url.compose(u -> {
        run.originationUrl = u.sipUrl() == null ? sipUrl : u.sipUrl();
        return save(run, Trunk.builder().originationUrlSid(u.sid()));
      });
    });
  }

  /**
   * Retell's URL with another transport (or none, which is UDP): updated in place, not replaced, so the trunk
   * never has two ways to Retell and the stored SID stays right; enabled in the same write.
   */
  private Future<Resources.OriginationUrl> convergeOriginationUrl(Run run, Resources.OriginationUrl existing,
      String sipUrl) {
    return api.updateOriginationSipUrl(run.auth(), run.trunk.sid(), existing.sid(), sipUrl).onSuccess(u -> {
      run.repaired.add("originationUrlTransport");
      if (!existing.enabled()) {
        run.repaired.add("originationUrlEnabled");
      }
    });
  }

  // ---- helpers ----

  /**
   * Stores the fields of {@code patch} that differ from what the store already has (and from what this run
   * already wrote), so a run on a complete trunk writes nothing. The SIP username is never written here: the
   * store records it when the credential's password is promoted, together with the password.
   */
  private Future<Void> save(Run run, Trunk.Builder patch) {
    Trunk wanted = patch.build();
    Trunk known = run.stored;
    Trunk.Builder changes = Trunk.builder();
    boolean changed = false;
    if (differs(wanted.trunkSid(), known.trunkSid())) { changes.trunkSid(wanted.trunkSid()); changed = true; }
    if (differs(wanted.friendlyName(), known.friendlyName())) {
      changes.friendlyName(wanted.friendlyName()); changed = true;
    }
    if (differs(wanted.domainName(), known.domainName())) { changes.domainName(wanted.domainName()); changed = true; }
    if (differs(wanted.terminationUri(), known.terminationUri())) {
      changes.terminationUri(wanted.terminationUri()); changed = true;
    }
    if (differs(wanted.credentialListSid(), known.credentialListSid())) {
      changes.credentialListSid(wanted.credentialListSid()); changed = true;
    }
    if (differs(wanted.credentialSid(), known.credentialSid())) {
      changes.credentialSid(wanted.credentialSid()); changed = true;
    }
    if (differs(wanted.originationUrlSid(), known.originationUrlSid())) {
      changes.originationUrlSid(wanted.originationUrlSid()); changed = true;
    }
    if (!changed) {
      return Future.succeededFuture();
    }
    Trunk delta = changes.build();
    return putTrunk(run, delta).onSuccess(v -> run.stored = delta.over(run.stored));
  }

  private static Future<Void> putTrunk(Run run, Trunk fields) {
    return run.tenant.store().putTrunk(new PutTrunk(run.tenant.subaccountId(), fields, null)).mapEmpty();
  }

  private static Future<Void> promote(Run run, String username, String credentialSid) {
    return run.tenant.store().promoteSip(new PromoteSip(run.tenant.subaccountId(), username, credentialSid))
        .mapEmpty();
  }

  private static boolean differs(String wanted, String known) {
    return wanted != null && !wanted.equals(known);
  }


  static <T> Function<Throwable, Future<T>> notFoundAs(T value) {
    return err -> err instanceof TwilioApiException e && e.isNotFound()
        ? Future.succeededFuture(value) : Future.failedFuture(err);
  }

  private static boolean isBlank(String s) {
    return s == null || s.isBlank();
  }

  private static String blankToNull(String s) {
    return isBlank(s) ? null : s;
  }

  /** The state of one setup run. Used on one event loop only. */
  private static final class Run {
    final TwilioTenant tenant;
    Trunk stored;
    Resources.Trunk trunk;
    List<CredentialList> trunkLists;
    String credentialListSid;
    Credential credential;
    String originationUrl;
    boolean created;
    final List<String> repaired = new ArrayList<>();

    Run(TwilioTenant tenant) {
      this.tenant = tenant;
      this.stored = tenant.trunk();
    }

    dev.trunkline.twilio.client.TwilioAuth auth() {
      return tenant.auth();
    }

    TrunkInfo info() {
      return new TrunkInfo(tenant.subaccountId(), trunk.sid(), trunk.friendlyName(), trunk.domainName(),
          trunk.domainName(), credential.username(), credentialListSid, credential.sid(), originationUrl, created,
          List.copyOf(repaired));
    }
  }
}
