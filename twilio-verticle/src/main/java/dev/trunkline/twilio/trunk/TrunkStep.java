package dev.trunkline.twilio.trunk;

import dev.trunkline.contract.StoreMessages.Trunk;
import dev.trunkline.twilio.client.Resources;
import dev.trunkline.twilio.client.TwilioApi;
import dev.trunkline.twilio.client.TwilioApiException;
import io.vertx.core.Future;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Setup steps 1 and 2: the tenant's trunk (by stored SID, else by exact friendly name, else created under a
 * free domain name) and its termination domain.
 */
final class TrunkStep {
  private static final Logger LOG = LoggerFactory.getLogger(TrunkStep.class);
  /** Twilio's "domain name already in use" error. */
  static final int DOMAIN_TAKEN = 21248;
  static final int DOMAIN_ATTEMPTS = 5;

  private final TwilioApi api;
  private final TrunkNames names;

  TrunkStep(TwilioApi api, TrunkNames names) {
    this.api = api;
    this.names = names;
  }

  Future<Void> ensure(SetupRun run) {
    return findOrCreateTrunk(run).compose(v -> ensureDomain(run));
  }

  // ---- 1. the trunk: by stored SID, else by exact friendly name, else created ----

  private Future<Void> findOrCreateTrunk(SetupRun run) {
    Future<Resources.Trunk> found = run.stored.trunkSid() == null
        ? Future.succeededFuture(null)
        : api.fetchTrunk(run.auth(), run.stored.trunkSid()).recover(TrunkSetup.notFoundAs(null));
    return found
        .compose(trunk -> trunk != null ? Future.succeededFuture(trunk) : findTrunkByName(run))
        .compose(trunk -> trunk != null ? Future.succeededFuture(trunk) : createTrunk(run, 0))
        .compose(trunk -> {
          run.trunk = trunk;
          return run.save(Trunk.builder()
              .trunkSid(trunk.sid())
              .friendlyName(trunk.friendlyName())
              .domainName(blankToNull(trunk.domainName()))
              .terminationUri(blankToNull(trunk.domainName())));
        });
  }

  private Future<Resources.Trunk> findTrunkByName(SetupRun run) {
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

  private Future<Resources.Trunk> createTrunk(SetupRun run, int attempt) {
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

  private Future<Void> ensureDomain(SetupRun run) {
    if (!isBlank(run.trunk.domainName())) {
      return Future.succeededFuture();
    }
    return setDomain(run, 0).compose(trunk -> {
      run.trunk = trunk;
      run.repaired.add("domainName");
      return run.save(Trunk.builder().domainName(trunk.domainName()).terminationUri(trunk.domainName()));
    });
  }

  private Future<Resources.Trunk> setDomain(SetupRun run, int attempt) {
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

  private static boolean isBlank(String s) {
    return s == null || s.isBlank();
  }

  private static String blankToNull(String s) {
    return isBlank(s) ? null : s;
  }
}
