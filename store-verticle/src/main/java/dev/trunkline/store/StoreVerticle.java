package dev.trunkline.store;

import dev.trunkline.contract.Addresses.Store;
import dev.trunkline.contract.Bus;
import dev.trunkline.contract.ServiceException;
import dev.trunkline.contract.StoreMessages;
import dev.trunkline.contract.StoreMessages.PingReply;
import dev.trunkline.contract.StoreMessages.RekeyVault;
import dev.trunkline.contract.StoreMessages.RekeyReport;
import dev.trunkline.contract.TenantNumber;
import dev.trunkline.contract.TenantRef;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import dev.trunkline.contract.health.Checks;
import dev.trunkline.contract.health.EventLoopHeartbeat;
import dev.trunkline.contract.health.HealthCheckProvider;
import dev.trunkline.contract.health.HealthCheckRegistry;
import dev.trunkline.contract.health.NodeHealth;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.ext.healthchecks.Status;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.MongoClient;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store service: every address of {@link Store} over MongoDB ({@code mongo.uri}) or, when no URI is
 * configured, over the embedded MongoDB-compatible server with its data under {@code dataDir}.
 *
 * <p>Start fails with a message that says what is wrong when {@code vault.keys} is absent or malformed, the
 * database cannot be reached, or an index cannot be created (for instance duplicates in an adopted database).
 * At most {@code store.maxInFlight} requests are handled at once per instance; more are answered 503 at once.
 * See {@code docs/event-bus.md} and {@code docs/store.md}.
 */
public class StoreVerticle extends VerticleBase implements HealthCheckProvider {
  private static final Logger LOG = LoggerFactory.getLogger(StoreVerticle.class);

  private final Clock clock;
  private final List<MessageConsumer<Object>> consumers = new ArrayList<>();
  private EventLoopHeartbeat heartbeat;
  private StoreConfig cfg;
  private EmbeddedMongo embedded;
  private MongoClient mongo;
  private int inFlight;
  /** The database lease that makes a vault re-key one at a time across store nodes. */
  static final String REKEY_LOCK = "store.admin.rotate-keys";
  private static final long ROTATION_LEASE_MS = 60_000;

  private boolean rekeying;
  private Long sweepTimer;

  public StoreVerticle() {
    this(Clock.systemUTC());
  }

  /** With a clock of the caller's choosing (tests move time to expire idempotency records). */
  public StoreVerticle(Clock clock) {
    this.clock = clock;
  }

  @Override
  public Future<?> start() {
    try {
      cfg = StoreConfig.from(config());
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(new IllegalStateException("store configuration: " + e.getMessage()));
    }
    Future<String> uri = cfg.embedded()
        ? EmbeddedMongo.acquire(vertx, cfg.dataDir()).map(server -> {
            embedded = server;
            return server.connectionString();
          })
        : Future.succeededFuture(cfg.mongoUri());
    return uri
        .compose(connectionString -> {
          mongo = MongoClient.create(vertx, clientConfig(connectionString));
          // A first round trip, so an unreachable database is reported as such (the URI is not repeated: it
          // may hold credentials).
          return mongo.runCommand("ping", new JsonObject().put("ping", 1)).recover(err -> Future.failedFuture(
              new IllegalStateException("cannot reach the " + backend() + " database within "
                  + cfg.mongoTimeoutMs() + " ms (" + err.getClass().getSimpleName() + ")")));
        })
        .compose(v -> Indexes.ensure(mongo))
        .compose(v -> registerConsumers())
        .onSuccess(v -> {
          heartbeat = EventLoopHeartbeat.start(vertx);
          NodeHealth.of(vertx).add(this, this);
        })
        .onSuccess(v -> {
          LOG.info("store ready: backend {}, database {}, active key id {}, {} key ids readable, legacy key {}, "
                  + "plain-text adoption {}", backend(), cfg.database(), cfg.keyring().activeKid(),
              cfg.keyring().kids().size(), cfg.legacyEncryptionKey() == null ? "not configured" : "configured",
              cfg.adoptLegacyPlaintext() ? "on" : "off");
          if (cfg.adoptLegacyPlaintext()) {
            // Whoever can write to the database can plant a secret while this is on: keep it on for the adoption only.
            LOG.warn("vault.adoptLegacyPlaintext is on: a plain string in a secret field is trusted as the tenant's "
                + "secret and re-encrypted when read. Turn it off once rotate-keys reports failed 0.");
          }
        })
        .recover(err -> release().transform(ignored -> Future.failedFuture(
            err instanceof IllegalStateException ? err
                : new IllegalStateException("store start failed: " + err.getMessage(), err))));
  }

  /**
   * Graceful: stops taking requests (the cluster routes them to the other store nodes), answers those it holds
   * (at most {@code mongo.timeoutMs}), then closes its client ({@link Bus#drain}).
   */
  @Override
  public Future<?> stop() {
    List<MessageConsumer<Object>> serving = List.copyOf(consumers);
    consumers.clear();
    return Bus.drain(vertx, serving, () -> inFlight, cfg == null ? 0 : cfg.mongoTimeoutMs())
        .transform(v -> release());
  }

  /**
   * {@code store}: the database answers a ping (and says which backend it is; the reason never repeats the URI,
   * which may hold credentials), and the store's bus consumers are registered.
   */
  @Override
  public void registerReadinessChecks(HealthCheckRegistry readiness) {
    MongoClient client = mongo;
    String backend = backend();
    readiness.register("store", promise -> client.runCommand("ping", new JsonObject().put("ping", 1))
        .onComplete(ar -> promise.tryComplete(ar.succeeded()
            ? Status.OK(new JsonObject().put("backend", backend))
            : Status.KO(new JsonObject().put("backend", backend).put("reason", "the " + backend
                + " database does not answer a ping (" + ar.cause().getClass().getSimpleName() + ")")))));
    readiness.register("store", Checks.consumersRegistered(consumers));
  }

  @Override
  public void registerLivenessChecks(HealthCheckRegistry liveness) {
    liveness.register("store", heartbeat.check());
  }

  /**
   * The embedded engine ignores TTL indexes, whether it runs inside this node or as a {@code store-server} of its
   * own (reached through {@code mongo.uri}, so this node cannot tell it from a MongoDB): expired idempotency records
   * are deleted here on every backend. On a MongoDB the TTL monitor has usually deleted them already. Several store
   * nodes on one database may sweep at once: the delete names only records already expired, which every reader
   * treats as absent, so who deletes one first does not matter.
   */
  private void sweep(IdempotencyService idempotency) {
    if (mongo == null) {
      return;
    }
    idempotency.deleteExpired()
        .onSuccess(n -> {
          if (n > 0) {
            LOG.info("deleted {} expired idempotency records", n);
          }
        })
        .onFailure(err -> LOG.warn("deleting expired idempotency records failed: {}", err.toString()));
  }

  private void sweepOperations(OperationService operations) {
    if (mongo == null) {
      return;
    }
    operations.deleteExpired()
        .onSuccess(n -> {
          if (n > 0) {
            LOG.info("deleted {} expired operations with their results", n);
          }
        })
        .onFailure(err -> LOG.warn("deleting expired operations failed: {}", err.toString()));
  }

  private Future<Void> release() {
    NodeHealth.of(vertx).remove(this);
    if (heartbeat != null) {
      heartbeat.stop();
      heartbeat = null;
    }
    if (sweepTimer != null) {
      vertx.cancelTimer(sweepTimer);
      sweepTimer = null;
    }
    List<Future<Void>> unregistered = consumers.stream().map(MessageConsumer::unregister).toList();
    consumers.clear();
    return Future.join(unregistered)
        .transform(v -> mongo == null ? Future.<Void>succeededFuture() : mongo.close())
        .transform(v -> embedded == null ? Future.<Void>succeededFuture() : embedded.release())
        .andThen(v -> {
          mongo = null;
          embedded = null;
        })
        .mapEmpty();
  }

  private JsonObject clientConfig(String connectionString) {
    long timeout = cfg.mongoTimeoutMs();
    return new JsonObject()
        .put("connection_string", connectionString)
        .put("db_name", cfg.database())
        .put("maxPoolSize", cfg.maxPoolSize())
        .put("minPoolSize", 0)
        .put("serverSelectionTimeoutMS", timeout)
        .put("connectTimeoutMS", timeout)
        .put("socketTimeoutMS", timeout)
        .put("waitQueueTimeoutMS", timeout);
  }

  private String backend() {
    return cfg.embedded() ? "embedded" : "mongodb";
  }

  private Future<Void> registerConsumers() {
    SecretStore secrets = new SecretStore(mongo, new Vault(cfg.keyring()),
        new LegacyKey(vertx, cfg.legacyEncryptionKey()), cfg.adoptLegacyPlaintext());
    ConnectorStore connectors = new ConnectorStore(mongo, clock);
    TwilioAdoption adoption = new TwilioAdoption(connectors, secrets);
    ConnectorService connector = new ConnectorService(connectors, secrets, adoption);
    SipCredentialService sip = new SipCredentialService(connectors, secrets);
    PhoneNumberService numbers = new PhoneNumberService(mongo, clock);
    IdempotencyService idempotency = new IdempotencyService(mongo, clock, cfg.idempotencyTtl(), cfg.idempotencyLease());
    OperationService operations = new OperationService(mongo, clock);
    // Operations expire here on every backend: their results are separate documents a TTL index would orphan.
    sweepTimer = vertx.setPeriodic(cfg.idempotencySweep().toMillis(), id -> {
      sweep(idempotency);
      sweepOperations(operations);
    });
    VaultRekey rekey = new VaultRekey(connectors, secrets, adoption, cfg.rekeyLogEvery());

    serve(Store.PING, JsonObject.class, ignored -> ping());
    serve(Store.CONNECTOR_GET, TenantRef.class, connector::get);
    serve(Store.TWILIO_ACCOUNT_PUT, StoreMessages.PutTwilioAccount.class, connector::putTwilioAccount);
    serve(Store.TWILIO_ACCOUNT_GET, TenantRef.class, connector::getTwilioAccount);
    serve(Store.RETELL_KEY_PUT, StoreMessages.PutRetellKey.class, connector::putRetellKey);
    serve(Store.RETELL_KEY_GET, TenantRef.class, connector::getRetellKey);
    serve(Store.TRUNK_PUT, StoreMessages.PutTrunk.class, connector::putTrunk);
    serve(Store.TRUNK_DELETE, TenantRef.class, connector::deleteTrunk);
    serve(Store.SIP_PENDING_PUT, StoreMessages.PutPendingSip.class, sip::putPending);
    serve(Store.SIP_PROMOTE, StoreMessages.PromoteSip.class, sip::promote);
    serve(Store.SIP_GET, TenantRef.class, sip::get);
    serve(Store.NUMBER_SAVE, StoreMessages.PhoneNumber.class, numbers::save);
    serve(Store.NUMBER_GET, TenantNumber.class, numbers::get);
    serve(Store.NUMBER_LIST, StoreMessages.ListNumbers.class, numbers::list);
    serve(Store.NUMBER_DELETE, TenantNumber.class, numbers::delete);
    serve(Store.IDEMPOTENCY_CLAIM, StoreMessages.ClaimIdempotency.class, idempotency::claim);
    serve(Store.IDEMPOTENCY_COMPLETE, StoreMessages.CompleteIdempotency.class, idempotency::complete);
    serve(Store.IDEMPOTENCY_RELEASE, StoreMessages.ReleaseIdempotency.class, idempotency::release);
    LockService locks = new LockService(mongo, clock);
    serve(Store.LOCK_ACQUIRE, StoreMessages.AcquireLock.class, locks::acquire);
    serve(Store.LOCK_RENEW, StoreMessages.RenewLock.class, locks::renew);
    serve(Store.LOCK_RELEASE, StoreMessages.ReleaseLock.class, locks::release);
    serve(Store.OPERATION_CREATE, StoreMessages.CreateOperation.class, operations::create);
    serve(Store.OPERATION_PROGRESS, StoreMessages.RecordProgress.class, operations::progress);
    serve(Store.OPERATION_FINISH, StoreMessages.FinishOperation.class, operations::finish);
    serve(Store.OPERATION_GET, StoreMessages.OperationPage.class, operations::get);
    serve(Store.OPERATION_LIST, StoreMessages.ListOperations.class, operations::list);
    serve(Store.OPERATION_CANCEL, StoreMessages.OperationRef.class, operations::cancel);
    serve(Store.ADMIN_ROTATE_KEYS, RekeyVault.class, request -> rekey(rekey, locks, request));
    DriftService drift = new DriftService(mongo, clock);
    serve(Store.DRIFT_TENANTS, StoreMessages.ListDriftTenants.class, drift::tenants);
    serve(Store.DRIFT_NUMBER_RECORD, StoreMessages.RecordDriftCheck.class, drift::record);
    serve(Store.DRIFT_NUMBERS_LIST, StoreMessages.ListDriftNumbers.class, drift::notOk);
    serve(Store.DRIFT_TENANT_GET, TenantRef.class, drift::tenant);
    serve(Store.DRIFT_TENANT_PUT, StoreMessages.PutDriftTenant.class, drift::putTenant);
    serve(Store.DRIFT_SWEEP_GET, JsonObject.class, ignored -> drift.sweep());
    serve(Store.DRIFT_SWEEP_PUT, StoreMessages.DriftSweep.class, drift::putSweep);
    return Future.all(consumers.stream().map(MessageConsumer::completion).toList()).mapEmpty();
  }

  /**
   * Registers one address: bounded concurrency, and every failure turned into a {@link ServiceException}
   * (database errors mapped by {@link MongoFailures}, vault errors logged with tenant and field, no secret).
   */
  private <Q, R> void serve(String address, Class<Q> type, Function<Q, Future<R>> handler) {
    consumers.add(Bus.consumer(vertx, address, type, request -> {
      if (inFlight >= cfg.maxInFlight()) {
        return Future.failedFuture(ServiceException.unavailable("STORE_BUSY",
            "the store is handling " + inFlight + " requests; retry shortly"));
      }
      inFlight++;
      Future<R> result;
      try {
        result = handler.apply(request.body());
      } catch (RuntimeException e) {
        result = Future.failedFuture(e);
      }
      return result
          .recover(err -> {
            if (err instanceof VaultException) {
              LOG.warn("request {} on {}: {}", request.requestId(), address, err.getMessage());
            }
            return Future.failedFuture(MongoFailures.toServiceFailure(err, address));
          })
          .andThen(ar -> inFlight--);
    }));
  }

  private Future<PingReply> ping() {
    return mongo.runCommand("ping", new JsonObject().put("ping", 1))
        .map(reply -> new PingReply(true, backend()));
  }

  /**
   * One vault re-key at a time across every store node on the database: a local flag answers a second request to this
   * node at once, and a lease in the database ({@link LockService}, renewed while the re-key runs, released after)
   * answers one sent to another store node. A node that dies mid-re-key leaves the lease to expire.
   */
  private Future<RekeyReport> rekey(VaultRekey rekey, LockService locks, RekeyVault request) {
    int batchSize = request == null || request.batchSize() == null ? cfg.rekeyBatchSize() : request.batchSize();
    if (batchSize < 1 || batchSize > 1000) {
      throw ServiceException.badRequest("INVALID_BATCH_SIZE", "batchSize must be from 1 to 1000");
    }
    if (rekeying) {
      throw rekeyRunning();
    }
    rekeying = true;
    String owner = "rotate-keys/" + UUID.randomUUID();
    return locks.acquire(new StoreMessages.AcquireLock(REKEY_LOCK, owner, ROTATION_LEASE_MS))
        .compose(lock -> {
          if (!lock.held()) {
            return Future.<RekeyReport>failedFuture(rekeyRunning());
          }
          long renewal = vertx.setPeriodic(ROTATION_LEASE_MS / 3, t -> locks.renew(
              new StoreMessages.RenewLock(REKEY_LOCK, owner, ROTATION_LEASE_MS)));
          // The guard is let go before the answer leaves: a re-key asked for right after this one's answer runs.
          // A release that fails does not hide the re-key's outcome (the lease then expires on its own).
          return rekey.run(batchSize).transform(ar -> {
            vertx.cancelTimer(renewal);
            return locks.release(new StoreMessages.ReleaseLock(REKEY_LOCK, owner))
                .transform(released -> ar.succeeded()
                    ? Future.succeededFuture(ar.result()) : Future.<RekeyReport>failedFuture(ar.cause()));
          });
        })
        .andThen(ar -> rekeying = false);
  }

  private static ServiceException rekeyRunning() {
    return ServiceException.conflict("ROTATION_RUNNING", "a key rotation is already running");
  }
}
