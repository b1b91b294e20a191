package dev.trunkline.gateway;

import dev.trunkline.contract.Bus;
import dev.trunkline.contract.ServiceException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.function.BooleanSupplier;

/**
 * The gateway's side of the event bus for one HTTP request: every call carries that request's id and an
 * explicit timeout.
 *
 * <p>A service that answers 401 or 403 is reporting that an upstream (Twilio, Retell) refused a
 * credential. Passed through, that would read as "your token is bad" to the API client, so it becomes a 502
 * here; flows that verify credentials turn it into their own 422 first.
 */
final class Upstream {
  private final Vertx vertx;
  private final long timeoutMs;
  private final String requestId;
  private final String tenant;
  private final BooleanSupplier clientGone;

  Upstream(Vertx vertx, long timeoutMs, String requestId) {
    this(vertx, timeoutMs, requestId, null, () -> false);
  }

  /**
   * @param tenant the tenant this HTTP request acts for (sent as a bus header: services share upstream budgets
   *     fairly between tenants), or null
   * @param clientGone true once the HTTP client has disconnected: nobody will read this request's answer
   */
  Upstream(Vertx vertx, long timeoutMs, String requestId, String tenant, BooleanSupplier clientGone) {
    this.vertx = vertx;
    this.timeoutMs = timeoutMs;
    this.requestId = requestId;
    this.tenant = tenant;
    this.clientGone = clientGone;
  }

  String requestId() {
    return requestId;
  }

  /** Whether the client that asked has gone away; long fan-outs stop starting new work then. */
  boolean clientGone() {
    return clientGone.getAsBoolean();
  }

  <R> Future<R> call(String address, Object body, Class<R> replyType) {
    return call(address, body, replyType, timeoutMs);
  }

  <R> Future<R> call(String address, Object body, Class<R> replyType, long timeout) {
    return Bus.request(vertx, address, body, replyType, timeout, requestId, tenant)
        .recover(err -> Future.failedFuture(refusedCredentialAsBadGateway(ServiceException.from(err))));
  }

  /** Like {@link #call} but a 404 is an empty result. */
  <R> Future<R> callOrNull(String address, Object body, Class<R> replyType) {
    return this.<R>call(address, body, replyType)
        .recover(err -> err instanceof ServiceException se && se.status() == 404
            ? Future.succeededFuture(null) : Future.failedFuture(err));
  }

  /** The timeout of each {@link #call} without one of its own. */
  long timeoutMs() {
    return timeoutMs;
  }

  private static ServiceException refusedCredentialAsBadGateway(ServiceException e) {
    if (e.status() == 401 || e.status() == 403) {
      return new ServiceException(502, e.code(), e.getMessage(), e.details());
    }
    return e;
  }
}
