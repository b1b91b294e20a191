package dev.trunkline.provisioning;

import dev.trunkline.contract.ServiceException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * At most {@code gateway.maxFanOutsPerTenant} audits, fixes and rotations of one tenant run at once on a node
 * (every gateway instance of the JVM shares the count). Each fan-out keeps up to {@code fixConcurrency} Retell
 * calls waiting in the key's rate limit; a tenant that started fan-out after fan-out would otherwise fill its
 * share of the limit's queue and see its own numbers refused, and hold the shared key's budget for minutes.
 * One over the bound is refused at once with 429 {@code TOO_MANY_FAN_OUTS} and a {@code Retry-After}, before
 * anything is read or written. The map holds only tenants with a fan-out running.
 */
final class FanOutSlots implements Shareable {
  private static final String SHARED_KEY = "gateway.fanOutSlots";
  private static final long RETRY_AFTER_SECONDS = 5;

  private final ConcurrentHashMap<String, Integer> running = new ConcurrentHashMap<>();

  /** The node's slots, created by the first gateway instance that asks. */
  static FanOutSlots forNode(Vertx vertx) {
    LocalMap<String, FanOutSlots> map = vertx.sharedData().getLocalMap("trunkline.gateway");
    FanOutSlots fresh = new FanOutSlots();
    FanOutSlots existing = map.putIfAbsent(SHARED_KEY, fresh);
    return existing == null ? fresh : existing;
  }

  /** Runs {@code fanOut} in one of the tenant's slots, freed when it completes; 429 when none is free. */
  Future<FlowResult> run(String tenant, int maxPerTenant, Supplier<Future<FlowResult>> fanOut) {
    boolean[] taken = {false};
    running.compute(tenant, (t, n) -> {
      int now = n == null ? 0 : n;
      if (now >= maxPerTenant) {
        return now;
      }
      taken[0] = true;
      return now + 1;
    });
    if (!taken[0]) {
      return Future.failedFuture(new ServiceException(429, "TOO_MANY_FAN_OUTS",
          maxPerTenant + " audits, fixes or rotations of this tenant are already running; retry when one ends",
          new JsonObject().put("retryAfterSeconds", RETRY_AFTER_SECONDS).put("limit", maxPerTenant)));
    }
    Future<FlowResult> result;
    try {
      result = fanOut.get();
    } catch (RuntimeException e) {
      release(tenant);
      throw e;
    }
    return result.andThen(ar -> release(tenant));
  }

  int running(String tenant) {
    return running.getOrDefault(tenant, 0);
  }

  private void release(String tenant) {
    running.computeIfPresent(tenant, (t, n) -> n <= 1 ? null : n - 1);
  }
}
