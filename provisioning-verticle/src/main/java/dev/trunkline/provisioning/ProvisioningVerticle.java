package dev.trunkline.provisioning;

import dev.trunkline.contract.Addresses;
import dev.trunkline.contract.Bus;
import dev.trunkline.contract.BusRequest;
import dev.trunkline.contract.Identifiers;
import dev.trunkline.contract.Json;
import dev.trunkline.contract.NodeDeaths;
import dev.trunkline.contract.ProvisioningMessages.Audit;
import dev.trunkline.contract.ProvisioningMessages.Cancel;
import dev.trunkline.contract.ProvisioningMessages.ConnectRetell;
import dev.trunkline.contract.ProvisioningMessages.ConnectTwilio;
import dev.trunkline.contract.ProvisioningMessages.DriftPolicy;
import dev.trunkline.contract.ProvisioningMessages.DriftStatus;
import dev.trunkline.contract.ProvisioningMessages.Fix;
import dev.trunkline.contract.ProvisioningMessages.FlowReply;
import dev.trunkline.contract.ProvisioningMessages.ImportNumber;
import dev.trunkline.contract.ProvisioningMessages.ListNumbers;
import dev.trunkline.contract.ProvisioningMessages.PurchaseNumber;
import dev.trunkline.contract.ProvisioningMessages.RemoveNumber;
import dev.trunkline.contract.ProvisioningMessages.RotateCredentials;
import dev.trunkline.contract.ProvisioningMessages.SearchNumbers;
import dev.trunkline.contract.ProvisioningMessages.SetupTrunk;
import dev.trunkline.contract.ProvisioningMessages.Teardown;
import dev.trunkline.contract.ProvisioningMessages.CancelOperation;
import dev.trunkline.contract.ProvisioningMessages.GetOperation;
import dev.trunkline.contract.ProvisioningMessages.ListOperations;
import dev.trunkline.contract.ProvisioningMessages.RunOperation;
import dev.trunkline.contract.ServiceException;
import dev.trunkline.contract.StoreMessages;
import dev.trunkline.contract.TenantRef;
import dev.trunkline.contract.health.Checks;
import dev.trunkline.contract.health.EventLoopHeartbeat;
import dev.trunkline.contract.health.HealthCheckProvider;
import dev.trunkline.contract.health.HealthCheckRegistry;
import dev.trunkline.contract.health.NodeHealth;
import dev.trunkline.contract.ClientFailures;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trunkline's flows as bus services ({@link Addresses.Provisioning}): the REST gateway and sibling verticles call
 * the same addresses and get the same answers. Each consumer checks its request ({@link Requests}), runs one flow
 * and replies with the flow's {@link FlowReply}; a request that cannot run fails with the REST API's status and code.
 * The flows call the store, Twilio and Retell services over the bus and hold the guards the low-level addresses
 * lack: the Twilio service's tenant lock (taken there), credential leases ({@link CredentialLeases}), the purchase's
 * idempotency claim, verification by read-back, and the per-tenant bound on fan-outs ({@link FanOutSlots}).
 *
 * <p>Audits, fixes and rotations publish each number's result and a completion on the tenant's events address
 * ({@link ProgressEvents}), and stop starting numbers when cancelled ({@code cancel}) or when the caller's time
 * ({@code x-trunkline-timeout-ms}) is nearly up, so a long fan-out answers with what it did.
 */
public class ProvisioningVerticle extends VerticleBase implements HealthCheckProvider {
  private static final Logger LOG = LoggerFactory.getLogger(ProvisioningVerticle.class);
  private ProvisioningConfig config;
  private CredentialLeases leases;
  private FixCredentialsFlow fix;
  private AuditFlow audit;
  private CredentialRotationFlow rotation;
  private FanOutSlots fanOuts;
  private final RunningFlows running = new RunningFlows();
  private NodeDeaths deaths;
  private DriftWatch drift;
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private EventLoopHeartbeat heartbeat;
  /** How long a stopping node waits at most for the flows it runs. */
  private static final long MAX_DRAIN_MS = 10_000;
  private int inFlight;
  /** This instance's running operations, stopped (and recorded as failed) when it stops. */
  private final Map<String, AtomicBoolean> operations = new java.util.concurrent.ConcurrentHashMap<>();
  private boolean stopping;

  @Override
  public Future<?> start() {
    config = ProvisioningConfig.from(config());
    leases = new CredentialLeases(vertx, config.credentialLeaseTtlMs(), config.busTimeoutMs());
    fix = new FixCredentialsFlow(vertx, config, leases);
    audit = new AuditFlow(vertx, config);
    rotation = new CredentialRotationFlow(vertx, config, leases);
    fanOuts = FanOutSlots.forNode(vertx);
    deaths = new NodeDeaths(vertx);

    serve(Addresses.Provisioning.CONNECT_TWILIO, ConnectTwilio.class, this::connectTwilio);
    serve(Addresses.Provisioning.CONNECT_RETELL, ConnectRetell.class, this::connectRetell);
    serve(Addresses.Provisioning.SETUP, SetupTrunk.class, this::setup);
    serve(Addresses.Provisioning.TRUNK_STATUS, TenantRef.class, this::trunkStatus);
    serve(Addresses.Provisioning.SEARCH, SearchNumbers.class, this::search);
    serve(Addresses.Provisioning.PURCHASE, PurchaseNumber.class, this::purchase);
    serve(Addresses.Provisioning.IMPORT, ImportNumber.class, this::importNumber);
    serve(Addresses.Provisioning.LIST, ListNumbers.class, this::list);
    serve(Addresses.Provisioning.REMOVE, RemoveNumber.class, this::remove);
    serve(Addresses.Provisioning.AUDIT, Audit.class, this::audit);
    serve(Addresses.Provisioning.FIX, Fix.class, this::fix);
    serve(Addresses.Provisioning.ROTATE, RotateCredentials.class, this::rotate);
    serve(Addresses.Provisioning.TEARDOWN, Teardown.class, this::teardown);
    serve(Addresses.Provisioning.DRIFT_STATUS, DriftStatus.class, this::driftStatus);
    serve(Addresses.Provisioning.DRIFT_POLICY, DriftPolicy.class, this::driftPolicy);
    serve(Addresses.Provisioning.OPERATION_RUN, RunOperation.class, this::runOperation);
    serve(Addresses.Provisioning.OPERATION_GET, GetOperation.class, this::getOperation);
    serve(Addresses.Provisioning.OPERATION_LIST, ListOperations.class, this::listOperations);
    serve(Addresses.Provisioning.OPERATION_CANCEL, CancelOperation.class, this::cancelOperation);
    consumers.add(vertx.eventBus().<Object>consumer(Addresses.Provisioning.CANCEL, message -> {
      if (message.body() instanceof JsonObject json) {
        Cancel cancel = Json.fromJson(json, Cancel.class);
        String tenant = cancel.subaccountId() == null ? null : cancel.subaccountId().toLowerCase();
        running.cancel(tenant, cancel.requestId());
      }
    }));
    return Future.all(consumers.stream().map(MessageConsumer::completion).toList())
        .compose(v -> deaths.registered())
        .onSuccess(v -> {
          heartbeat = EventLoopHeartbeat.start(vertx);
          NodeHealth.of(vertx).add(this, this);
          if (config.drift().enabled()) {
            drift = new DriftWatch(vertx, config, fix, deaths);
            drift.start();
          }
        });
  }

  /** {@code provisioning}: every flow address of this instance has its consumer registered. */
  @Override
  public void registerReadinessChecks(HealthCheckRegistry readiness) {
    readiness.register("provisioning", Checks.consumersRegistered(consumers));
  }

  @Override
  public void registerLivenessChecks(HealthCheckRegistry liveness) {
    liveness.register("provisioning", heartbeat.check());
  }

  private <Q> void serve(String address, Class<Q> type, Function<BusRequest<Q>, Future<FlowResult>> flow) {
    consumers.add(Bus.consumer(vertx, address, type, request -> {
      inFlight++;
      Future<FlowResult> result;
      try {
        result = flow.apply(request);
      } catch (RuntimeException e) {
        result = Future.failedFuture(e);
      }
      return result.andThen(ar -> inFlight--).map(FlowResult::toReply);
    }));
  }

  /**
   * Graceful: stops taking requests (the cluster routes them to the other provisioning nodes) and finishes the
   * flows it runs, at most {@link #MAX_DRAIN_MS} ({@link Bus#drain}): a purchase cut in the middle would leave
   * its Idempotency-Key claimed until the claim's lease runs out. Its operations start no new numbers, let those in
   * flight finish and are recorded failed with what they did (OPERATION_INTERRUPTED), so a reader need not wait for
   * the lease to run out; a node that dies without stopping leaves that to the lease.
   */
  @Override
  public Future<?> stop() {
    NodeHealth.of(vertx).remove(this);
    if (heartbeat != null) {
      heartbeat.stop();
    }
    // Running operations start no new numbers; each records itself as interrupted once its numbers in flight end.
    stopping = true;
    operations.values().forEach(cancelled -> cancelled.set(true));
    if (!operations.isEmpty()) {
      LOG.info("stopping: {} running operations start no new numbers and will be recorded as interrupted",
          operations.size());
    }
    Future<?> sweep = drift == null ? Future.succeededFuture() : drift.stop();
    return sweep.eventually(() -> Bus.drain(vertx, consumers, () -> inFlight, MAX_DRAIN_MS))
        .eventually(this::operationsRecorded);
  }

  /** Waits until this instance's operations have recorded their end, at most one number's time and a write. */
  private Future<Void> operationsRecorded() {
    long limit = config.perNumberTimeoutMs() + config.busTimeoutMs();
    long started = System.currentTimeMillis();
    Promise<Void> done = Promise.promise();
    long timer = vertx.setPeriodic(50, t -> {
      if (operations.isEmpty() || System.currentTimeMillis() - started > limit) {
        done.tryComplete();
      }
    });
    return done.future().andThen(v -> vertx.cancelTimer(timer));
  }

  // ---- one handler per address ----------------------------------------------------------------------

  private Future<FlowResult> connectTwilio(BusRequest<ConnectTwilio> r) {
    String tenant = Requests.tenant(r.body().subaccountId());
    String accountSid = Requests.required("accountSid", r.body().accountSid(), Identifiers.ACCOUNT_SID,
        "a Twilio Account SID (AC followed by 32 hex characters)");
    return ConnectorFlows.connectTwilio(up(r, tenant), tenant, accountSid,
        Requests.secret("authToken", r.body().authToken(), "a Twilio auth token"));
  }

  private Future<FlowResult> connectRetell(BusRequest<ConnectRetell> r) {
    String tenant = Requests.tenant(r.body().subaccountId());
    return ConnectorFlows.connectRetell(up(r, tenant), tenant,
        Requests.secret("apiKey", r.body().apiKey(), "a Retell API key"));
  }

  private Future<FlowResult> setup(BusRequest<SetupTrunk> r) {
    String tenant = Requests.tenant(r.body().subaccountId());
    String address = "an Address SID (AD followed by 32 hex characters)";
    Requests.optional("addressSid", r.body().addressSid(), Identifiers.ADDRESS_SID, address);
    Requests.optional("emergencyAddressSid", r.body().emergencyAddressSid(), Identifiers.ADDRESS_SID, address);
    Requests.optional("bundleSid", r.body().bundleSid(), Identifiers.BUNDLE_SID,
        "a Bundle SID (BU followed by 32 hex characters)");
    return ConnectorFlows.setup(up(r, tenant), tenant, r.body());
  }

  private Future<FlowResult> trunkStatus(BusRequest<TenantRef> r) {
    String tenant = Requests.tenant(r.body().subaccountId());
    return ConnectorFlows.trunkStatus(up(r, tenant), tenant);
  }

  private Future<FlowResult> search(BusRequest<SearchNumbers> r) {
    SearchNumbers q = r.body();
    String tenant = Requests.tenant(q.subaccountId());
    Requests.optional("countryCode", q.countryCode(), Identifiers.COUNTRY_CODE, "an ISO 3166 alpha-2 country code");
    Requests.optional("areaCode", q.areaCode(), Identifiers.AREA_CODE, "a North American area code: 3 digits, the first 2 to 9");
    Requests.optional("contains", q.contains(), Identifiers.CONTAINS, "2 to 16 digits, letters or *");
    Requests.optional("type", q.type(), Identifiers.NUMBER_TYPE, "local, mobile or tollFree");
    Requests.range("limit", q.limit(), 1, 50);
    JsonObject query = new JsonObject().put("countryCode", q.countryCode()).put("areaCode", q.areaCode())
        .put("contains", q.contains()).put("type", q.type()).put("limit", q.limit());
    query.getMap().values().removeIf(v -> v == null);
    return NumberFlows.search(up(r, tenant), tenant, query);
  }

  private Future<FlowResult> purchase(BusRequest<PurchaseNumber> r) {
    String tenant = Requests.tenant(r.body().subaccountId());
    String phoneNumber = Requests.phoneNumber(r.body().phoneNumber());
    String key = Requests.required("idempotencyKey", r.body().idempotencyKey(), Identifiers.IDEMPOTENCY_KEY,
        "1 to 255 visible ASCII characters");
    return PurchaseFlow.run(up(r, tenant), leases, tenant, key, phoneNumber);
  }

  private Future<FlowResult> importNumber(BusRequest<ImportNumber> r) {
    String tenant = Requests.tenant(r.body().subaccountId());
    return NumberFlows.importExisting(up(r, tenant), leases, tenant, Requests.phoneNumber(r.body().phoneNumber()));
  }

  private Future<FlowResult> list(BusRequest<ListNumbers> r) {
    String tenant = Requests.tenant(r.body().subaccountId());
    Requests.range("limit", r.body().limit(), 1, 200);
    Requests.optionalPhoneNumber("after", r.body().after());
    JsonObject query = new JsonObject();
    if (r.body().limit() != null) {
      query.put("limit", r.body().limit());
    }
    if (r.body().after() != null) {
      query.put("after", r.body().after());
    }
    return NumberFlows.list(up(r, tenant), tenant, query);
  }

  private Future<FlowResult> remove(BusRequest<RemoveNumber> r) {
    String tenant = Requests.tenant(r.body().subaccountId());
    return NumberFlows.remove(up(r, tenant), tenant, Requests.phoneNumber(r.body().phoneNumber()),
        r.body().release());
  }

  private Future<FlowResult> audit(BusRequest<Audit> r) {
    String tenant = Requests.tenant(r.body().subaccountId());
    String phoneNumber = Requests.optionalPhoneNumber("phoneNumber", r.body().phoneNumber());
    return fanOut(r, tenant, "audit", (up, events) -> audit.run(up, events, tenant, phoneNumber));
  }

  private Future<FlowResult> fix(BusRequest<Fix> r) {
    String tenant = Requests.tenant(r.body().subaccountId());
    String phoneNumber = Requests.optionalPhoneNumber("phoneNumber", r.body().phoneNumber());
    return fanOut(r, tenant, "fix", (up, events) -> fix.run(up, events, tenant, phoneNumber,
        r.body().importMissing(), r.body().dryRun()));
  }

  private Future<FlowResult> rotate(BusRequest<RotateCredentials> r) {
    String tenant = Requests.tenant(r.body().subaccountId());
    return fanOut(r, tenant, "rotate", (up, events) -> rotation.run(up, events, tenant));
  }

  private Future<FlowResult> teardown(BusRequest<Teardown> r) {
    String tenant = Requests.tenant(r.body().subaccountId());
    return ConnectorFlows.teardown(up(r, tenant), tenant);
  }

  private Future<FlowResult> driftStatus(BusRequest<DriftStatus> r) {
    String tenant = Requests.tenant(r.body().subaccountId());
    Requests.range("limit", r.body().limit(), 1, 200);
    Requests.optionalPhoneNumber("after", r.body().after());
    return DriftFlows.status(up(r, tenant), tenant, r.body().limit() == null ? 50 : r.body().limit(),
        r.body().after());
  }

  private Future<FlowResult> driftPolicy(BusRequest<DriftPolicy> r) {
    String tenant = Requests.tenant(r.body().subaccountId());
    String policy = Requests.required("policy", r.body().policy(), DriftFlows.POLICY, "\"report\" or \"repair\"");
    return DriftFlows.policy(up(r, tenant), tenant, policy);
  }

  // ---- long operations (docs/api.md "Long operations") ----------------------------------------------

  /**
   * An audit, fix or rotation as a durable operation: recorded in the store (or the tenant's running one of that
   * kind joined), run here with its results written as they come, answered with the final report when it is done
   * within {@code waitMs}, else 202 with the operation. The flow runs on after the answer: its caller's deadline
   * does not stop it, only a cancel does.
   */
  private Future<FlowResult> runOperation(BusRequest<RunOperation> r) {
    String tenant = Requests.tenant(r.body().subaccountId());
    JsonObject params = r.body().request() == null ? new JsonObject() : new JsonObject(r.body().request());
    String kind = kind(r.body().kind(), params);
    FanOutFlow flow = operationFlow(tenant, kind, params);
    String operationId = UUID.randomUUID().toString();
    ServiceCalls up = up(r, tenant);
    StoreMessages.CreateOperation create = new StoreMessages.CreateOperation(tenant, kind, operationId, operationId,
        params.getMap(), r.body().idempotencyKey(), config.operationLeaseMs());
    return up.store().createOperation(create).compose(created -> {
      JsonObject op = new JsonObject(created.operation());
      if (!created.created()) {
        return Future.succeededFuture(OperationReplies.joined(tenant, op));
      }
      Promise<FlowResult> answer = Promise.promise();
      long wait = Math.max(0, r.body().waitMs());
      long timer = vertx.setTimer(Math.max(1, wait), t -> answer.tryComplete(OperationReplies.accepted(tenant, op)));
      // A synchronous caller that hangs up cancels by its request id, as before operations.
      String caller = wait > 0 && !operationId.equals(r.requestId()) ? r.requestId() : null;
      // The answer holds the results only for a synchronous caller, and at most replyMaxResults of them: with more,
      // that caller is answered 202 too, and reads them from the store a page at a time like everyone else.
      int keep = wait > 0 ? config.replyMaxResults() : 0;
      Runnable tooMany = () -> answer.tryComplete(OperationReplies.tooManyResults(tenant, op,
          config.replyMaxResults()));
      runRecorded(tenant, kind, operationId, caller, r.requestId(), flow, keep, tooMany).onComplete(ar -> {
        vertx.cancelTimer(timer);
        if (ar.succeeded()) {
          answer.tryComplete(ar.result().withHeader("Location", OperationReplies.location(tenant, operationId)));
        } else {
          answer.tryFail(ar.cause());
        }
      });
      return answer.future();
    });
  }

  /**
   * A dry-run fix runs as its own kind, {@code fix-dry-run}: it changes nothing, so it has its own slot (one at a
   * time per tenant) and neither blocks a real fix nor joins one (whose answer would not be the dry run's).
   */
  private static String kind(String asked, JsonObject params) {
    return "fix".equals(asked) && params.getBoolean("dryRun", false) ? "fix-dry-run" : asked;
  }

  /** The flow of that kind with its checked parameters (the same checks as the synchronous addresses). */
  private FanOutFlow operationFlow(String tenant, String kind, JsonObject params) {
    String phoneNumber = Requests.optionalPhoneNumber("phoneNumber", params.getString("phoneNumber"));
    return switch (kind == null ? "" : kind) {
      case "audit" -> (up, events) -> audit.run(up, events, tenant, phoneNumber);
      case "fix" -> (up, events) -> fix.run(up, events, tenant, phoneNumber,
          params.getBoolean("importMissing", false), false);
      case "fix-dry-run" -> (up, events) -> fix.run(up, events, tenant, phoneNumber,
          params.getBoolean("importMissing", false), true);
      case "rotate" -> (up, events) -> rotation.run(up, events, tenant);
      default -> throw ServiceException.badRequest("INVALID_KIND", "kind must be audit, fix, fix-dry-run or rotate");
    };
  }

  /**
   * Runs an operation's flow with its results recorded, then records its end: the report without its results
   * (those are in the store, paged), and the state. A flow cancelled by a DELETE ends {@code cancelled}; one that
   * could not run, {@code failed} with its error.
   */
  private Future<FlowResult> runRecorded(String tenant, String kind, String operationId, String caller,
      String requestId, FanOutFlow flow, int keep, Runnable tooMany) {
    AtomicBoolean cancelled = running.start(operationId, tenant);
    if (caller != null) {
      running.alias(caller, tenant, cancelled);
    }
    // The flow's calls carry the request id of the request that started it, so its logs read as before.
    ServiceCalls up = new ServiceCalls(vertx, config.busTimeoutMs(), requestId, tenant, cancelled::get, deaths);
    OperationRecorder recorder = new OperationRecorder(vertx, up.store(), operationId, config.operationLeaseMs(),
        cancelled);
    // A dry run's events and results are the fix flow's (flow and phase "fix"), as they were before it had a kind.
    String flowName = "fix-dry-run".equals(kind) ? "fix" : kind;
    ProgressEvents events = new ProgressEvents(vertx, operationId, tenant, flowName, recorder, keep, tooMany);
    operations.put(operationId, cancelled);
    return fanOuts.run(tenant, config.maxFanOutsPerTenant(), () -> flow.run(up, events))
        .transform(ar -> recorder.close().transform(v -> {
          running.end(operationId);
          if (caller != null) {
            running.end(caller);
          }
          operations.remove(operationId);
          FlowResult result = ar.succeeded() ? ar.result() : null;
          StoreMessages.FinishOperation finish = OperationReplies.finish(operationId, result, ar.cause(),
              cancelled.get(), stopping, recorder.unrecorded(), config.operationRetentionMs());
          return up.store().finishOperation(finish)
              .onFailure(err -> LOG.warn("operation {}: recording its end failed ({}); its lease will expire",
                  operationId, ClientFailures.sanitize(err).code()))
              .transform(v2 -> ar.succeeded() ? Future.succeededFuture(ar.result())
                  : Future.<FlowResult>failedFuture(ar.cause()));
        }))
        .andThen(ar -> {
          if (ar.succeeded()) {
            events.completed(ar.result().toReply());
          } else {
            events.failed(ar.cause());
          }
        });
  }

  private Future<FlowResult> getOperation(BusRequest<GetOperation> r) {
    String tenant = Requests.tenant(r.body().subaccountId());
    Requests.range("limit", r.body().limit(), 1, 500);
    return up(r, tenant).store().operation(new StoreMessages.OperationPage(tenant, r.body().operationId(),
        r.body().after(), r.body().limit())).map(op -> OperationReplies.view(tenant, op));
  }

  private Future<FlowResult> listOperations(BusRequest<ListOperations> r) {
    String tenant = Requests.tenant(r.body().subaccountId());
    Requests.range("limit", r.body().limit(), 1, 100);
    return up(r, tenant).store().listOperations(new StoreMessages.ListOperations(tenant, r.body().limit()))
        .map(list -> OperationReplies.list(tenant, list.items()));
  }

  /** Marks the operation cancel-requested in the store (its node reads that with its next record) and tells it now. */
  private Future<FlowResult> cancelOperation(BusRequest<CancelOperation> r) {
    String tenant = Requests.tenant(r.body().subaccountId());
    return up(r, tenant).store().cancelOperation(new StoreMessages.OperationRef(tenant, r.body().operationId()))
        .map(op -> {
          if ("running".equals(op.getString("state"))) {
            vertx.eventBus().publish(Addresses.Provisioning.CANCEL,
                Json.toJson(new Cancel(tenant, op.getString("operationId"))));
          }
          return OperationReplies.view(tenant, op.put("results", new io.vertx.core.json.JsonArray()));
        });
  }

  // ---- plumbing ------------------------------------------------------------------------------------

  @FunctionalInterface
  private interface FanOutFlow {
    Future<FlowResult> run(ServiceCalls up, ProgressEvents events);
  }

  /**
   * An audit, fix or rotation: in one of the tenant's fan-out slots, registered for cancellation, abandoned when
   * its caller's time is nearly up, and followed by a completion event whatever its outcome.
   */
  private Future<FlowResult> fanOut(BusRequest<?> r, String tenant, String flowName, FanOutFlow flow) {
    // Its reply carries at most replyMaxResults results (beyond: counts and resultsOmitted), bounding the message.
    ProgressEvents events = new ProgressEvents(vertx, r.requestId(), tenant, flowName, config.replyMaxResults());
    AtomicBoolean cancelled = running.start(r.requestId(), tenant);
    BooleanSupplier abandoned = stopWhen(cancelled, r.deadlineMillis());
    Supplier<Future<FlowResult>> work = () -> flow.run(new ServiceCalls(vertx, config.busTimeoutMs(), r.requestId(),
        tenant, abandoned, deaths), events);
    return fanOuts.run(tenant, config.maxFanOutsPerTenant(), work)
        .andThen(ar -> {
          running.end(r.requestId());
          if (ar.succeeded()) {
            events.completed(ar.result().toReply());
          } else {
            events.failed(ar.cause());
          }
        });
  }

  /**
   * Cancelled, or so near the caller's deadline that a number started now might not be answered in time: the
   * margin is one per-number timeout (and a second), but never more than a quarter of the time the caller gave.
   */
  private BooleanSupplier stopWhen(AtomicBoolean cancelled, long deadlineMillis) {
    if (deadlineMillis <= 0) {
      return cancelled::get;
    }
    long budget = Math.max(0, deadlineMillis - System.currentTimeMillis());
    long stopAt = deadlineMillis - Math.min(config.perNumberTimeoutMs() + 1000, budget / 4);
    return () -> cancelled.get() || System.currentTimeMillis() >= stopAt;
  }

  private ServiceCalls up(BusRequest<?> r, String tenant) {
    // With the cluster's departures: a single-number flow's idempotent steps are resent on a survivor too.
    return new ServiceCalls(vertx, config.busTimeoutMs(), r.requestId(), tenant, () -> false, deaths);
  }
}
