package dev.trunkline.provisioning;

import dev.trunkline.contract.Addresses.Store;
import dev.trunkline.contract.Bus;
import dev.trunkline.contract.BusCaller;
import dev.trunkline.contract.NodeDeaths;
import dev.trunkline.contract.RetellClient;
import dev.trunkline.contract.ServiceException;
import dev.trunkline.contract.StoreClient;
import dev.trunkline.contract.TwilioClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * A flow's side of the event bus for one provisioning request: every call carries that request's id, its tenant
 * and an explicit timeout, and goes through the typed callers {@link #store()}, {@link #twilio()} and
 * {@link #retell()}.
 *
 * <p>A service that answers 401 or 403 is reporting that an upstream (Twilio, Retell) refused a
 * credential. Passed through, that would read as "your token is bad" to an HTTP client, so it becomes a 502
 * here; flows that verify credentials turn it into their own 422 first.
 */
final class ServiceCalls implements BusCaller {
  /**
   * Store requests whose repetition changes nothing (reads, and the number record's upsert and delete): sent again
   * on a surviving store node when a member leaves with one unanswered, so a store node's death costs only the
   * requests that are not ({@link #resent}). A claim of an Idempotency-Key is not among them: a second claim
   * would find the first one's and answer 409.
   */
  private static final Set<String> RESENDABLE = Set.of(Store.PING, Store.CONNECTOR_GET, Store.TWILIO_ACCOUNT_GET,
      Store.RETELL_KEY_GET, Store.SIP_GET, Store.NUMBER_GET, Store.NUMBER_LIST, Store.NUMBER_SAVE,
      Store.NUMBER_DELETE);

  private final Vertx vertx;
  private final long timeoutMs;
  private final String requestId;
  private final String tenant;
  private final BooleanSupplier abandoned;
  private final NodeDeaths deaths;
  private final StoreClient store = new StoreClient(this);
  private final TwilioClient twilio = new TwilioClient(this);
  private final RetellClient retell = new RetellClient(this);


  /**
   * @param tenant the tenant this request acts for (sent as a bus header: services share upstream budgets
   *     fairly between tenants), or null
   * @param abandoned true once the request was cancelled or its caller's time is nearly up: a fan-out starts
   *     nothing more
   * @param deaths the cluster's departures, for {@link #resent}; null sends every request once
   */
  ServiceCalls(Vertx vertx, long timeoutMs, String requestId, String tenant, BooleanSupplier abandoned,
      NodeDeaths deaths) {
    this.vertx = vertx;
    this.timeoutMs = timeoutMs;
    this.requestId = requestId;
    this.tenant = tenant;
    this.abandoned = abandoned;
    this.deaths = deaths;
  }

  /**
   * An idempotent request (a number's sync or inspection) sent again when a cluster member leaves while it is
   * unanswered, so a fan-out's numbers on a node that died are done by a survivor ({@link NodeDeaths}).
   */
  <T> Future<T> resent(Supplier<Future<T>> attempt) {
    return deaths == null ? attempt.get() : deaths.resent(attempt);
  }

  String requestId() {
    return requestId;
  }

  Vertx vertx() {
    return vertx;
  }

  /** Whether the caller cancelled or is about to stop waiting; long fan-outs stop starting new work then. */
  boolean abandoned() {
    return abandoned.getAsBoolean();
  }

  StoreClient store() {
    return store;
  }

  TwilioClient twilio() {
    return twilio;
  }

  RetellClient retell() {
    return retell;
  }

  @Override
  public <R> Future<R> request(String address, Object body, Class<R> replyType, long timeout) {
    Supplier<Future<R>> send = () -> Bus.request(vertx, address, body, replyType, timeout, requestId, tenant)
        .recover(err -> Future.failedFuture(refusedCredentialAsBadGateway(ServiceException.from(err))));
    return RESENDABLE.contains(address) ? resent(send) : send.get();
  }

  /** A call's result with a 404 read as "none": null. */
  static <R> Future<R> orNull(Future<R> call) {
    return call.recover(err -> err instanceof ServiceException se && se.status() == 404
        ? Future.succeededFuture(null) : Future.failedFuture(err));
  }

  /** The timeout of each call that names none. */
  @Override
  public long timeoutMs() {
    return timeoutMs;
  }

  private static ServiceException refusedCredentialAsBadGateway(ServiceException e) {
    if (e.status() == 401 || e.status() == 403) {
      return new ServiceException(502, e.code(), e.getMessage(), e.details());
    }
    return e;
  }
}
