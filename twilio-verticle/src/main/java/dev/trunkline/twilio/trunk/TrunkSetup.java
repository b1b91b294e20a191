package dev.trunkline.twilio.trunk;

import dev.trunkline.contract.Identifiers;
import dev.trunkline.contract.StoreMessages.Trunk;
import dev.trunkline.contract.TwilioMessages.EnsureTrunk;
import dev.trunkline.contract.TwilioMessages.TrunkInfo;
import dev.trunkline.twilio.TwilioConfig;
import dev.trunkline.twilio.TwilioTenant;
import dev.trunkline.twilio.client.TwilioApi;
import dev.trunkline.twilio.client.TwilioApiException;
import io.vertx.core.Future;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The setup flow of DESIGN.md: find or create the tenant's trunk, then repair what is missing and keep what
 * exists (credential list, its association with the trunk, the credential and its password, the origination
 * URL, the termination domain). The caller holds the tenant's lock.
 *
 * <p>Every step first reads Twilio, writes only what is missing, and stores each SID as soon as it is known
 * ({@link SetupRun#save}), so a crash after any step converges on the next run and a run on a complete trunk
 * makes no Twilio writes. The steps, in order: {@link TrunkStep} (trunk and domain), {@link CredentialListStep}
 * (list and association), {@link CredentialStep} (credential and password, written ahead) and
 * {@link OriginationStep} (the origination URL to Retell).
 */
public final class TrunkSetup {
  private static final Logger LOG = LoggerFactory.getLogger(TrunkSetup.class);

  private final TrunkStep trunk;
  private final CredentialListStep credentialList;
  private final CredentialStep credential;
  private final OriginationStep origination;

  public TrunkSetup(TwilioApi api, TwilioConfig config, PasswordGenerator passwords) {
    TrunkNames names = new TrunkNames(config.friendlyNamePrefix());
    this.trunk = new TrunkStep(api, names);
    this.credentialList = new CredentialListStep(api, names);
    this.credential = new CredentialStep(api, names, passwords);
    this.origination = new OriginationStep(api, names, config.originationSipUrl());
  }

  public Future<TrunkInfo> ensure(TwilioTenant tenant, EnsureTrunk request) {
    SetupRun run = new SetupRun(tenant);
    return saveRegulatorySids(run, request)
        .compose(v -> trunk.ensure(run))
        .compose(v -> credentialList.ensure(run))
        .compose(v -> credential.ensure(run))
        .compose(v -> origination.ensure(run))
        .map(v -> {
          if (!run.repaired.isEmpty()) {
            LOG.info("request {}: trunk {} of tenant {} set up ({})", tenant.requestId(), run.trunk.sid(),
                tenant.subaccountId(), String.join(", ", run.repaired));
          }
          return run.info();
        });
  }

  /** The tenant's regulatory SIDs (used when buying numbers) are stored with the trunk. */
  private Future<Void> saveRegulatorySids(SetupRun run, EnsureTrunk request) {
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
    return changed ? run.putTrunk(patch.build()) : Future.succeededFuture();
  }

  /** A Twilio 404 read as {@code value}: the resource is already gone, or was never made. */
  static <T> Function<Throwable, Future<T>> notFoundAs(T value) {
    return err -> err instanceof TwilioApiException e && e.isNotFound()
        ? Future.succeededFuture(value) : Future.failedFuture(err);
  }
}
