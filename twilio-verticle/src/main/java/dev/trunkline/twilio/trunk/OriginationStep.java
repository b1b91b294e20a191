package dev.trunkline.twilio.trunk;

import dev.trunkline.contract.StoreMessages.Trunk;
import dev.trunkline.twilio.client.Resources;
import dev.trunkline.twilio.client.TwilioApi;
import io.vertx.core.Future;
import java.util.Optional;

/** Setup step 6: the trunk's origination URL to Retell. */
final class OriginationStep {
  private final TwilioApi api;
  private final TrunkNames names;
  private final String sipUrl;

  OriginationStep(TwilioApi api, TrunkNames names, String sipUrl) {
    this.api = api;
    this.names = names;
    this.sipUrl = sipUrl;
  }

  Future<Void> ensure(SetupRun run) {
    return ensureOriginationUrl(run);
  }

  // ---- 6. the origination URL to Retell: kept, else Retell's one converged in place, else created ----

  private Future<Void> ensureOriginationUrl(SetupRun run) {
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
        return run.save(Trunk.builder().originationUrlSid(u.sid()));
      });
    });
  }

  /**
   * Retell's URL with another transport (or none, which is UDP): updated in place, not replaced, so the trunk
   * never has two ways to Retell and the stored SID stays right; enabled in the same write.
   */
  private Future<Resources.OriginationUrl> convergeOriginationUrl(SetupRun run, Resources.OriginationUrl existing,
      String sipUrl) {
    return api.updateOriginationSipUrl(run.auth(), run.trunk.sid(), existing.sid(), sipUrl).onSuccess(u -> {
      run.repaired.add("originationUrlTransport");
      if (!existing.enabled()) {
        run.repaired.add("originationUrlEnabled");
      }
    });
  }
}
