package dev.trunkline.twilio;

import dev.trunkline.contract.Addresses;
import dev.trunkline.contract.Bus;
import dev.trunkline.contract.BusCaller;
import dev.trunkline.contract.BusRequest;
import dev.trunkline.contract.Identifiers;
import dev.trunkline.contract.ServiceException;
import dev.trunkline.contract.StoreClient;
import dev.trunkline.contract.TenantRef;
import dev.trunkline.contract.TwilioMessages.AccountInfo;
import dev.trunkline.contract.TwilioMessages.EnsureTrunk;
import dev.trunkline.contract.TwilioMessages.FinishCredentialRotation;
import dev.trunkline.contract.TenantNumber;
import dev.trunkline.contract.TwilioMessages.SearchNumbers;
import dev.trunkline.contract.TwilioMessages.VerifyAccount;
import dev.trunkline.twilio.client.TwilioApi;
import dev.trunkline.twilio.client.TwilioApiException;
import dev.trunkline.twilio.client.TwilioAuth;
import dev.trunkline.twilio.client.TwilioHttp;
import dev.trunkline.twilio.numbers.NumberService;
import dev.trunkline.twilio.trunk.CredentialRotation;
import dev.trunkline.twilio.trunk.PasswordGenerator;
import dev.trunkline.twilio.trunk.TrunkInspector;
import dev.trunkline.twilio.trunk.TrunkSetup;
import dev.trunkline.twilio.trunk.TrunkTeardown;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import dev.trunkline.contract.health.Checks;
import dev.trunkline.contract.health.EventLoopHeartbeat;
import dev.trunkline.contract.health.HealthCheckProvider;
import dev.trunkline.contract.health.HealthCheckRegistry;
import dev.trunkline.contract.health.NodeHealth;
import io.vertx.core.eventbus.MessageConsumer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Serves every address of {@link Addresses.Twilio}. A request names the tenant; the verticle reads the tenant's
 * Twilio account and trunk state from the store, calls Twilio, and writes the trunk state back through the store
 * (it never touches MongoDB). Everything that changes a tenant's Twilio resources runs under the tenant's
 * cluster-wide lock, and reads the tenant's state only once it holds it.
 */
public class TwilioVerticle extends VerticleBase implements HealthCheckProvider {
  private final TwilioHttp.Observer observer;
  private TwilioHttp http;
  private final List<MessageConsumer<Object>> consumers = new ArrayList<>();
  private EventLoopHeartbeat heartbeat;
  private int maxInFlight;
  private int inFlight;
  /** How long a stopping node waits at most for the requests it is handling. */
  private static final long MAX_DRAIN_MS = 10_000;

  public TwilioVerticle() {
    this(TwilioHttp.Observer.NONE);
  }

  /** With an observer of every Twilio attempt (metrics; tests use it to see every status Twilio answered). */
  public TwilioVerticle(TwilioHttp.Observer observer) {
    this.observer = observer;
  }

  @Override
  public Future<?> start() {
    TwilioConfig config;
    try {
      config = TwilioConfig.from(config());
    } catch (IllegalArgumentException | ClassCastException e) {
      return Future.failedFuture(e);
    }
    maxInFlight = config.maxInFlight();
    http = new TwilioHttp(vertx, config, observer);
    TwilioApi api = new TwilioApi(http);
    TenantLock lock = new TenantLock(vertx, config.lockTimeoutMs(), config.lockLeaseMs(), config.busTimeoutMs());
    PasswordGenerator passwords = new PasswordGenerator();
    TrunkSetup setup = new TrunkSetup(api, config, passwords);
    CredentialRotation rotation = new CredentialRotation(api, passwords);
    TrunkInspector inspector = new TrunkInspector(api, config);
    TrunkTeardown teardown = new TrunkTeardown(api, config);
    NumberService numbers = new NumberService(api);
    Tenants tenants = new Tenants(vertx, config.busTimeoutMs(), lock);

    serve(Addresses.Twilio.ACCOUNT_VERIFY, VerifyAccount.class, r -> verify(api, r.body()));
    serve(Addresses.Twilio.TRUNK_ENSURE, EnsureTrunk.class,
        r -> tenants.locked(r, r.body().subaccountId(), t -> setup.ensure(t, r.body())));
    serve(Addresses.Twilio.TRUNK_STATUS, TenantRef.class,
        r -> tenants.unlocked(r, r.body().subaccountId(), inspector::status));
    serve(Addresses.Twilio.TRUNK_TEARDOWN, TenantRef.class,
        r -> tenants.locked(r, r.body().subaccountId(), teardown::teardown));
    serve(Addresses.Twilio.CREDENTIAL_ROTATE_BEGIN, TenantRef.class,
        r -> tenants.locked(r, r.body().subaccountId(), rotation::begin));
    serve(Addresses.Twilio.CREDENTIAL_ROTATE_FINISH, FinishCredentialRotation.class,
        r -> tenants.locked(r, r.body().subaccountId(), t -> rotation.finish(t, r.body())));
    serve(Addresses.Twilio.NUMBERS_SEARCH, SearchNumbers.class,
        r -> tenants.unlocked(r, r.body().subaccountId(), t -> numbers.search(t, r.body())));
    serve(Addresses.Twilio.NUMBERS_PURCHASE, TenantNumber.class,
        r -> tenants.locked(r, r.body().subaccountId(), t -> numbers.purchase(t, r.body())));
    serve(Addresses.Twilio.NUMBERS_IMPORT, TenantNumber.class,
        r -> tenants.locked(r, r.body().subaccountId(), t -> numbers.importNumber(t, r.body())));
    serve(Addresses.Twilio.NUMBERS_LIST, TenantRef.class,
        r -> tenants.unlocked(r, r.body().subaccountId(), numbers::list));
    serve(Addresses.Twilio.NUMBERS_REMOVE, TenantNumber.class,
        r -> tenants.locked(r, r.body().subaccountId(), t -> numbers.remove(t, r.body())));
    serve(Addresses.Twilio.NUMBERS_RELEASE, TenantNumber.class,
        r -> tenants.locked(r, r.body().subaccountId(), t -> numbers.release(t, r.body())));

    return Future.all(consumers.stream().map(MessageConsumer::completion).toList())
        .onSuccess(v -> {
          heartbeat = EventLoopHeartbeat.start(vertx);
          NodeHealth.of(vertx).add(this, this);
        });
  }

  /**
   * {@code twilio}: every address of this instance has its consumer registered. There is no circuit breaker in
   * front of Twilio to report: each request is retried within its own deadline (docs/twilio.md).
   */
  @Override
  public void registerReadinessChecks(HealthCheckRegistry readiness) {
    readiness.register("twilio", Checks.consumersRegistered(consumers));
  }

  @Override
  public void registerLivenessChecks(HealthCheckRegistry liveness) {
    liveness.register("twilio", heartbeat.check());
  }

  /**
   * Graceful: stops taking requests (the cluster routes them to the other Twilio nodes), answers those it holds,
   * at most {@link #MAX_DRAIN_MS}, then closes its client ({@link Bus#drain}).
   */
  @Override
  public Future<?> stop() {
    NodeHealth.of(vertx).remove(this);
    if (heartbeat != null) {
      heartbeat.stop();
    }
    return Bus.drain(vertx, consumers, () -> inFlight, MAX_DRAIN_MS).andThen(ar -> {
      if (http != null) {
        http.close();
      }
    });
  }

  private <Q, R> void serve(String address, Class<Q> type, Function<BusRequest<Q>, Future<R>> handler) {
    consumers.add(Bus.consumer(vertx, address, type, request -> {
      if (inFlight >= maxInFlight) {
        return Future.failedFuture(ServiceException.unavailable("TWILIO_BUSY",
            "the Twilio service is handling " + inFlight + " requests; retry shortly"));
      }
      inFlight++;
      Future<R> result;
      try {
        result = handler.apply(request).recover(TwilioFailures::recover);
      } catch (RuntimeException e) {
        result = TwilioFailures.recover(e);
      }
      // The counter is only touched on this verticle's event loop (consumer and completion alike).
      return result.andThen(ar -> inFlight--);
    }));
  }

  /** Checks credentials before they are stored: a rejection here is the caller's mistake, so a 400. */
  private static Future<AccountInfo> verify(TwilioApi api, VerifyAccount request) {
    Identifiers.require("accountSid", request.accountSid(), Identifiers.ACCOUNT_SID, "AC followed by 32 hex characters");
    if (request.authToken() == null || request.authToken().isBlank()) {
      throw ServiceException.badRequest("INVALID_AUTH_TOKEN", "authToken is required");
    }
    return api.fetchAccount(new TwilioAuth(request.accountSid(), request.authToken()))
        .map(account -> new AccountInfo(account.sid(), account.friendlyName(), account.status()))
        .recover(err -> {
          if (err instanceof TwilioApiException e && e.kind() == TwilioApiException.Kind.HTTP
              && (e.httpStatus() == 401 || e.httpStatus() == 404 || e.hasCode(TwilioFailures.AUTHENTICATE))) {
            return Future.failedFuture(ServiceException.badRequest("TWILIO_CREDENTIALS_INVALID",
                "Twilio rejected this Account SID and auth token"));
          }
          return Future.failedFuture(err);
        });
  }

  /** Loads a tenant for a request, under its lock when the request changes anything. */
  private record Tenants(Vertx vertx, long busTimeoutMs, TenantLock lock) {
    <R> Future<R> locked(BusRequest<?> request, String subaccountId, Function<TwilioTenant, Future<R>> work) {
      Identifiers.requireSubaccountId(subaccountId);
      return lock.withLock(subaccountId, () -> unlocked(request, subaccountId, work));
    }

    <R> Future<R> unlocked(BusRequest<?> request, String subaccountId, Function<TwilioTenant, Future<R>> work) {
      // No tenant header, as ever from this service: the store reads the tenant from each body's subaccountId.
      StoreClient store = new StoreClient(BusCaller.of(vertx, busTimeoutMs, request.requestId(), null));
      return TwilioTenant.load(store, subaccountId, request.requestId(), request.deadlineMillis())
          .compose(work::apply);
    }
  }
}
