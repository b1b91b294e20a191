package dev.trunkline.twilio;

import dev.trunkline.contract.ServiceException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.Lock;
import java.util.function.Supplier;

/**
 * Serialises every operation that changes a tenant's Twilio resources, across the cluster: two setups (or a
 * setup and a purchase) for one tenant never interleave, so they never both create a trunk. The lock is
 * released whatever the work's outcome, including an exception thrown while starting it.
 */
public final class TenantLock {
  public static final String PREFIX = "trunkline.tenant.";

  private final Vertx vertx;
  private final long timeoutMs;

  public TenantLock(Vertx vertx, long timeoutMs) {
    this.vertx = vertx;
    this.timeoutMs = timeoutMs;
  }

  public <T> Future<T> withLock(String subaccountId, Supplier<Future<T>> work) {
    return vertx.sharedData().getLockWithTimeout(PREFIX + subaccountId.toLowerCase(java.util.Locale.ROOT), timeoutMs)
        .recover(err -> Future.failedFuture(ServiceException.conflict("TENANT_BUSY",
            "another operation on this tenant's trunk did not finish within " + timeoutMs + " ms; retry later")))
        .compose(lock -> run(lock, work));
  }

  private static <T> Future<T> run(Lock lock, Supplier<Future<T>> work) {
    Future<T> result;
    try {
      result = work.get();
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    return result.andThen(ar -> lock.release());
  }
}
