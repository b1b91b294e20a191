package dev.trunkline.retell;

import dev.trunkline.contract.Addresses;
import dev.trunkline.contract.Bus;
import dev.trunkline.contract.BusRequest;
import dev.trunkline.contract.RetellMessages.ImportNumber;
import dev.trunkline.contract.RetellMessages.InspectNumber;
import dev.trunkline.contract.RetellMessages.ListNumbers;
import dev.trunkline.contract.RetellMessages.KeyedNumber;
import dev.trunkline.contract.RetellMessages.SyncNumber;
import dev.trunkline.contract.RetellMessages.VerifyKey;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import dev.trunkline.contract.health.Checks;
import dev.trunkline.contract.health.EventLoopHeartbeat;
import dev.trunkline.contract.health.HealthCheckProvider;
import dev.trunkline.contract.health.HealthCheckRegistry;
import dev.trunkline.contract.health.NodeHealth;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves every address of {@link Addresses.Retell}. Deploy as many instances (on as many nodes) as needed:
 * an instance keeps no tenant state, the HTTP connection pool and the per-key rate limit are shared by the
 * instances of one Vert.x instance.
 */
public class RetellVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(RetellVerticle.class);
  /** Instances of one Vert.x share one pool under this name, so maxPoolSize bounds the node, not the instance. */
  static final String CLIENT_NAME = "trunkline-retell";

  private final Function<RetellHttp, RetellApi> clientFactory;
  private WebClient webClient;
  private RateLimiter limiter;
  private EventLoopHeartbeat heartbeat;

  public RetellVerticle() {
    this(RetellApi::new);
  }

  /** How long a stopping node waits at most for the requests it is handling. */
  private static final long MAX_DRAIN_MS = 10_000;
  private List<MessageConsumer<Object>> consumers = List.of();
  private int inFlight;
  private long drainMs;

  /** For tests: the same verticle around a different client (e.g. one that sends wrong field names). */
  RetellVerticle(Function<RetellHttp, RetellApi> clientFactory) {
    this.clientFactory = clientFactory;
  }

  @Override
  public Future<?> start() {
    RetellConfig config;
    try {
      config = RetellConfig.from(config());
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    webClient = WebClient.create(vertx,
        new WebClientOptions()
            .setShared(true)
            .setName(CLIENT_NAME)
            .setUserAgent("trunkline-retell")
            .setKeepAlive(true)
            // A redirect would carry "Authorization: Bearer <key>" to wherever Location points: never followed,
            // a 3xx is an upstream failure (UpstreamFailures).
            .setFollowRedirects(false)
            .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, config.requestTimeoutMs())),
        new PoolOptions()
            .setHttp1MaxSize(config.maxPoolSize())
            .setHttp2MaxSize(config.maxPoolSize())
            .setMaxWaitQueueSize(config.maxPoolWaitQueue()));
    limiter = new RateLimiter(vertx, config);
    RetellService service = new RetellService(config,
        clientFactory.apply(new RetellHttp(vertx, webClient, limiter, config)));

    drainMs = Math.min(MAX_DRAIN_MS, config.requestTimeoutMs() * (config.maxRetries() + 1L));
    consumers = List.of(
        serve(Addresses.Retell.KEY_VERIFY, VerifyKey.class,
            req -> service.verifyKey(req.body(), req.requestId(), req.tenant(), req.deadlineMillis())),
        serve(Addresses.Retell.NUMBER_IMPORT, ImportNumber.class,
            req -> service.importNumber(req.body(), req.requestId(), req.tenant(), req.deadlineMillis())),
        serve(Addresses.Retell.NUMBER_GET, KeyedNumber.class,
            req -> service.getNumber(req.body(), req.requestId(), req.tenant(), req.deadlineMillis())),
        serve(Addresses.Retell.NUMBER_LIST, ListNumbers.class,
            req -> service.listNumbers(req.body(), req.requestId(), req.tenant(), req.deadlineMillis())),
        serve(Addresses.Retell.NUMBER_DELETE, KeyedNumber.class,
            req -> service.deleteNumber(req.body(), req.requestId(), req.tenant(), req.deadlineMillis())),
        serve(Addresses.Retell.NUMBER_SYNC, SyncNumber.class,
            req -> service.syncNumber(req.body(), req.requestId(), req.tenant(), req.deadlineMillis())),
        serve(Addresses.Retell.NUMBER_INSPECT, InspectNumber.class,
            req -> service.inspectNumber(req.body(), req.requestId(), req.tenant(), req.deadlineMillis())));
    return Future.all(consumers.stream().map(MessageConsumer::completion).toList())
        .onSuccess(v -> {
          heartbeat = EventLoopHeartbeat.start(vertx);
          NodeHealth.of(vertx).add(this, health(consumers));
        })
        .onSuccess(v -> LOG.info("retell verticle serving {} addresses, {}", consumers.size(), config));
  }

  /**
   * {@code retell}: every address of this instance has its consumer registered. Retell has no circuit breaker in
   * front of it to report: its rate limits are per key and answered per request (429 with a retry time).
   */
  private HealthCheckProvider health(List<MessageConsumer<Object>> consumers) {
    EventLoopHeartbeat beat = heartbeat;
    return new HealthCheckProvider() {
      @Override
      public void registerReadinessChecks(HealthCheckRegistry readiness) {
        readiness.register("retell", Checks.consumersRegistered(consumers));
      }

      @Override
      public void registerLivenessChecks(HealthCheckRegistry liveness) {
        liveness.register("retell", beat.check());
      }
    };
  }

  /**
   * Counts the requests being handled, for a graceful stop: a stopping node answers what it holds before its
   * client closes ({@link Bus#drain}).
   */
  private <Q, R> MessageConsumer<Object> serve(String address, Class<Q> type,
      Function<BusRequest<Q>, Future<R>> handler) {
    return Bus.consumer(vertx, address, type, request -> {
      inFlight++;
      Future<R> result;
      try {
        result = handler.apply(request);
      } catch (RuntimeException e) {
        result = Future.failedFuture(e);
      }
      return result.andThen(ar -> inFlight--);
    });
  }

  @Override
  public Future<?> stop() {
    NodeHealth.of(vertx).remove(this);
    if (heartbeat != null) {
      heartbeat.stop();
    }
    return Bus.drain(vertx, consumers, () -> inFlight, drainMs).andThen(ar -> {
      if (limiter != null) {
        limiter.close();
      }
      if (webClient != null) {
        webClient.close();
      }
    });
  }
}
