package dev.trunkline.gateway;

import dev.trunkline.contract.health.EventLoopHeartbeat;
import dev.trunkline.contract.health.NodeHealth;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API of Trunkline. Deployed with several instances (one per event loop) that all listen on the
 * same port; Vert.x spreads connections across them. Each instance has its own router and clients; the
 * per-tenant rate limits are shared by the instances of a node.
 *
 * <p>Sharing needs a concrete port: with port 0 every instance binds a random port of its own. After it
 * listens, the actual port is published in the local map {@code trunkline.gateway} under
 * {@code http.port}, so a launcher or test that asked for port 0 can find it.
 *
 * <p>Each instance guards its share of the node's connections ({@link ConnectionGuard}): idle and slowly sent
 * connections are closed after bounded times and their number is capped, so they cannot exhaust file descriptors.
 */
public class GatewayVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(GatewayVerticle.class);
  public static final String PORT_MAP = "trunkline.gateway";
  public static final String PORT_KEY = "http.port";

  private HttpServer server;
  private EventLoopHeartbeat heartbeat;

  @Override
  public Future<?> start() {
    GatewayConfig config = GatewayConfig.from(config());
    if (config.jwtSecret() == null && config.rs256PublicKeys().isEmpty()) {
      LOG.warn("no JWT secret or RS256 key configured: every tenant route will answer 401");
    }
    // Readiness on this node now includes "the store answers the gateway" (and this instance's event loop runs).
    heartbeat = EventLoopHeartbeat.start(vertx);
    NodeHealth.of(vertx).add(this, new HealthRoutes(vertx, config.readyTimeoutMs(), heartbeat));
    ConnectionGuard guard = new ConnectionGuard(vertx, config.connections(), context.getInstanceCount(),
        FrontDoorMetrics.forVertxRegistry());
    return vertx.fileSystem().readFile("openapi.yaml")
        .compose(openApi -> ApiContract.load(vertx, openApi).map(contract -> new ApiRoutes(vertx, config, openApi,
            contract)))
        .compose(routes -> {
          server = vertx.createHttpServer(new HttpServerOptions()
              .setHost(config.host())
              .setMaxHeaderSize(16 * 1024)
              .setCompressionSupported(true)
              // HTTP/1.1 only: the API sits behind a TLS proxy (docs/security.md), and h2c would multiplex
              // requests on one connection past the per-connection bounds of the guard.
              .setHttp2ClearTextEnabled(false));
          Router router = routes.router();
          // Before every other handler, so the guard sees each request's head as soon as it is parsed.
          router.route().order(-1).handler(guard::track);
          router.route().order(-2).handler(this::closeWhenStopping);
          return server.connectionHandler(guard::accept).requestHandler(router).listen(config.port());
        })
        // A gateway that did not start is never stopped: take its checks back here.
        .onFailure(err -> {
          NodeHealth.of(vertx).remove(this);
          heartbeat.stop();
        })
        .onSuccess(s -> {
          vertx.sharedData().getLocalMap(PORT_MAP).put(PORT_KEY, s.actualPort());
          LOG.info("gateway listening on {}:{}", config.host(), s.actualPort());
        });
  }

  /**
   * Once the node is stopping, each answer asks its client to close the connection (HTTP/1.1 {@code Connection:
   * close}): during the node's handover the gateway still answers, and its clients stop keeping idle connections to
   * it. When it then closes its connections, none is idle with a client about to send on it (that request would get
   * no answer at all).
   */
  private void closeWhenStopping(RoutingContext ctx) {
    if (NodeHealth.stopping(vertx)) {
      ctx.response().putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
    }
    ctx.next();
  }

  /**
   * Graceful: stops accepting, lets in-flight requests finish for up to {@code http.shutdownTimeoutMs} (default
   * 10 s), then closes what is left.
   */
  @Override
  public Future<?> stop() {
    NodeHealth.of(vertx).remove(this);
    if (heartbeat != null) {
      heartbeat.stop();
    }
    long graceMs = GatewayConfig.SHUTDOWN_TIMEOUT_MS.get(config());
    return server == null ? Future.succeededFuture()
        : server.shutdown(graceMs, TimeUnit.MILLISECONDS);
  }
}
