package dev.trunkline.contract;

import dev.trunkline.contract.ProvisioningMessages.Audit;
import dev.trunkline.contract.ProvisioningMessages.Cancel;
import dev.trunkline.contract.ProvisioningMessages.CompletedEvent;
import dev.trunkline.contract.ProvisioningMessages.ConnectRetell;
import dev.trunkline.contract.ProvisioningMessages.ConnectTwilio;
import dev.trunkline.contract.ProvisioningMessages.DriftPolicy;
import dev.trunkline.contract.ProvisioningMessages.DriftStatus;
import dev.trunkline.contract.ProvisioningMessages.Fix;
import dev.trunkline.contract.ProvisioningMessages.FlowReply;
import dev.trunkline.contract.ProvisioningMessages.ImportNumber;
import dev.trunkline.contract.ProvisioningMessages.ListNumbers;
import dev.trunkline.contract.ProvisioningMessages.NumberEvent;
import dev.trunkline.contract.ProvisioningMessages.PurchaseNumber;
import dev.trunkline.contract.ProvisioningMessages.RemoveNumber;
import dev.trunkline.contract.ProvisioningMessages.RotateCredentials;
import dev.trunkline.contract.ProvisioningMessages.SearchNumbers;
import dev.trunkline.contract.ProvisioningMessages.SetupTrunk;
import dev.trunkline.contract.ProvisioningMessages.Teardown;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The typed way to call the provisioning service ({@link Addresses.Provisioning}), for the gateway and for sibling
 * verticles alike: one method per flow, so the compiler checks each request's record, and each with its timeout.
 *
 * <p>Single-number and connector flows wait up to {@code timeoutMs}; audits, fixes and rotations, which go
 * through every number of a tenant at the pace its Retell budget allows, up to {@code fanOutTimeoutMs}. The service
 * hears that timeout ({@link Headers#TIMEOUT_MS}) and stops starting numbers before it runs out, so a long
 * fan-out answers with a partial report (207) rather than leaving its caller with a timeout.
 *
 * <p>{@code requestId} correlates logs and, for fan-outs, the progress events ({@link #follow}); null lets the bus
 * make one up. Every method fails with a {@link ServiceException}: the flow's own failure (the REST API's status
 * and code), 503 when no node runs the provisioning role, 504 after the timeout.
 *
 * <p>In a cluster, a request that is safe to repeat (a read, a fix or an audit, an import or a removal, a purchase
 * under its Idempotency-Key, an operation that joins the running one) is sent again when a cluster member leaves
 * while it is unanswered ({@link NodeDeaths}): the provisioning node it went to may have died, or dropped it as it
 * stopped, and would otherwise leave the caller to wait out the whole timeout.
 */
public final class ProvisioningClient {
  /** Default for single-number and connector flows: several upstream calls in a row, each with its own timeout. */
  public static final long DEFAULT_TIMEOUT_MS = 120_000;
  /** Default for audits, fixes and rotations. */
  public static final long DEFAULT_FAN_OUT_TIMEOUT_MS = 900_000;

  /** Addresses whose requests converge when repeated: resent on a member's departure. */
  private static final Set<String> RESENT_ON_DEPARTURE = Set.of(Addresses.Provisioning.LIST,
      Addresses.Provisioning.TRUNK_STATUS, Addresses.Provisioning.SEARCH, Addresses.Provisioning.DRIFT_STATUS,
      Addresses.Provisioning.OPERATION_GET, Addresses.Provisioning.OPERATION_LIST, Addresses.Provisioning.AUDIT,
      Addresses.Provisioning.FIX, Addresses.Provisioning.IMPORT, Addresses.Provisioning.REMOVE);

  private final Vertx vertx;
  private final long timeoutMs;
  private final long fanOutTimeoutMs;
  /** Null in one JVM, where nobody departs. */
  private final NodeDeaths deaths;

  public ProvisioningClient(Vertx vertx) {
    this(vertx, DEFAULT_TIMEOUT_MS, DEFAULT_FAN_OUT_TIMEOUT_MS);
  }

  public ProvisioningClient(Vertx vertx, long timeoutMs, long fanOutTimeoutMs) {
    if (timeoutMs < 1 || fanOutTimeoutMs < 1) {
      throw new IllegalArgumentException("timeouts must be positive");
    }
    this.vertx = vertx;
    this.timeoutMs = timeoutMs;
    this.fanOutTimeoutMs = fanOutTimeoutMs;
    this.deaths = vertx.isClustered() ? NodeDeaths.onDeparturesOnly(vertx) : null;
  }

  public Future<FlowReply> connectTwilio(ConnectTwilio request, String requestId) {
    return call(Addresses.Provisioning.CONNECT_TWILIO, request, request.subaccountId(), requestId, timeoutMs);
  }

  public Future<FlowReply> connectRetell(ConnectRetell request, String requestId) {
    return call(Addresses.Provisioning.CONNECT_RETELL, request, request.subaccountId(), requestId, timeoutMs);
  }

  public Future<FlowReply> setup(SetupTrunk request, String requestId) {
    return call(Addresses.Provisioning.SETUP, request, request.subaccountId(), requestId, timeoutMs);
  }

  public Future<FlowReply> trunkStatus(TenantRef request, String requestId) {
    return call(Addresses.Provisioning.TRUNK_STATUS, request, request.subaccountId(), requestId, timeoutMs);
  }

  public Future<FlowReply> search(SearchNumbers request, String requestId) {
    return call(Addresses.Provisioning.SEARCH, request, request.subaccountId(), requestId, timeoutMs);
  }

  public Future<FlowReply> purchase(PurchaseNumber request, String requestId) {
    // Without a key a second attempt could buy a second number: only a keyed purchase converges.
    return call(Addresses.Provisioning.PURCHASE, request, request.subaccountId(), requestId, timeoutMs,
        request.idempotencyKey() != null);
  }

  public Future<FlowReply> importNumber(ImportNumber request, String requestId) {
    return call(Addresses.Provisioning.IMPORT, request, request.subaccountId(), requestId, timeoutMs);
  }

  public Future<FlowReply> list(ListNumbers request, String requestId) {
    return call(Addresses.Provisioning.LIST, request, request.subaccountId(), requestId, timeoutMs);
  }

  public Future<FlowReply> remove(RemoveNumber request, String requestId) {
    return call(Addresses.Provisioning.REMOVE, request, request.subaccountId(), requestId, timeoutMs);
  }

  public Future<FlowReply> audit(Audit request, String requestId) {
    return call(Addresses.Provisioning.AUDIT, request, request.subaccountId(), requestId, fanOutTimeoutMs);
  }

  public Future<FlowReply> fix(Fix request, String requestId) {
    return call(Addresses.Provisioning.FIX, request, request.subaccountId(), requestId, fanOutTimeoutMs);
  }

  public Future<FlowReply> rotate(RotateCredentials request, String requestId) {
    return call(Addresses.Provisioning.ROTATE, request, request.subaccountId(), requestId, fanOutTimeoutMs);
  }

  public Future<FlowReply> teardown(Teardown request, String requestId) {
    return call(Addresses.Provisioning.TEARDOWN, request, request.subaccountId(), requestId, timeoutMs);
  }

  /** The tenant's drift watch: last sweep, policy, a page of the numbers not OK (docs/drift.md). */
  public Future<FlowReply> driftStatus(DriftStatus request, String requestId) {
    return call(Addresses.Provisioning.DRIFT_STATUS, request, request.subaccountId(), requestId, timeoutMs);
  }

  /** Sets the tenant's drift policy ("report" or "repair"). */
  public Future<FlowReply> driftPolicy(DriftPolicy request, String requestId) {
    return call(Addresses.Provisioning.DRIFT_POLICY, request, request.subaccountId(), requestId, timeoutMs);
  }

  /**
   * Starts (or joins) a durable audit, fix or rotation; waits up to {@code waitMs} plus the flow timeout margin.
   */
  public Future<FlowReply> runOperation(ProvisioningMessages.RunOperation request, String requestId) {
    // Resent, it starts the operation the first attempt never delivered, or joins the one the first attempt runs:
    // then its answer (the running operation) is not the caller's, and the first attempt's is awaited. A rotation is
    // left out: one that ended just before the departure would be started again.
    if (deaths == null || "rotate".equals(request.kind())) {
      return call(Addresses.Provisioning.OPERATION_RUN, request, request.subaccountId(), requestId,
          request.waitMs() + timeoutMs, false);
    }
    int[] attempts = {0};
    return deaths.resent(() -> {
      boolean resent = attempts[0]++ > 0;
      return Bus.request(vertx, Addresses.Provisioning.OPERATION_RUN, request, FlowReply.class,
              request.waitMs() + timeoutMs, requestId, request.subaccountId())
          .compose(reply -> resent && joined(reply)
              ? Future.failedFuture(ServiceException.conflict("OPERATION_RUNNING", "joined the running operation"))
              : Future.succeededFuture(reply));
    });
  }

  /** The answer that names the tenant's running operation rather than reporting a run: 200 with its state. */
  private static boolean joined(FlowReply reply) {
    return reply.status() == 200 && reply.body() != null && reply.body().get("data") instanceof Map<?, ?> data
        && data.containsKey("state");
  }

  public Future<FlowReply> operation(ProvisioningMessages.GetOperation request, String requestId) {
    return call(Addresses.Provisioning.OPERATION_GET, request, request.subaccountId(), requestId, timeoutMs);
  }

  public Future<FlowReply> operations(ProvisioningMessages.ListOperations request, String requestId) {
    return call(Addresses.Provisioning.OPERATION_LIST, request, request.subaccountId(), requestId, timeoutMs);
  }

  public Future<FlowReply> cancelOperation(ProvisioningMessages.CancelOperation request, String requestId) {
    return call(Addresses.Provisioning.OPERATION_CANCEL, request, request.subaccountId(), requestId, timeoutMs);
  }

  /** Asks the tenant's running audit, fix or rotation {@code requestId} to start no new numbers. */
  public void cancel(String subaccountId, String requestId) {
    vertx.eventBus().publish(Addresses.Provisioning.CANCEL, Json.toJson(new Cancel(subaccountId, requestId)),
        new DeliveryOptions().addHeader(Headers.REQUEST_ID, requestId).addHeader(Headers.TENANT, subaccountId));
  }

  /**
   * Follows a tenant's progress events: each number's result as it completes, then the completion. Register it
   * before sending the request whose events it wants (events are not replayed), and unregister it when done. Events
   * of every request of the tenant arrive; filter on {@code requestId}.
   */
  public static MessageConsumer<JsonObject> follow(Vertx vertx, String subaccountId, Handler<NumberEvent> onNumber,
      Handler<CompletedEvent> onCompleted) {
    return vertx.eventBus().consumer(Addresses.Events.numbers(subaccountId), message -> {
      JsonObject event = message.body();
      if (CompletedEvent.TYPE.equals(event.getString("type"))) {
        onCompleted.handle(Json.fromJson(event, CompletedEvent.class));
      } else if (NumberEvent.TYPE.equals(event.getString("type"))) {
        onNumber.handle(Json.fromJson(event, NumberEvent.class));
      }
    });
  }

  private Future<FlowReply> call(String address, Object request, String tenant, String requestId, long timeout) {
    return call(address, request, tenant, requestId, timeout, RESENT_ON_DEPARTURE.contains(address));
  }

  private Future<FlowReply> call(String address, Object request, String tenant, String requestId, long timeout,
      boolean converges) {
    Supplier<Future<FlowReply>> attempt = () -> Bus.request(vertx, address, request, FlowReply.class, timeout,
        requestId, tenant);
    return deaths != null && converges ? deaths.resent(attempt) : attempt.get();
  }
}
