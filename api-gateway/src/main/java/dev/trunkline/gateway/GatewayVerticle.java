package dev.trunkline.gateway;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
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
 */
public class GatewayVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(GatewayVerticle.class);
  public static final String PORT_MAP = "trunkline.gateway";
  public static final String PORT_KEY = "http.port";

  private HttpServer server;

  @Override
  public Future<?> start() {
    GatewayConfig config = GatewayConfig.from(config());
    if (config.jwtSecret() == null && config.rs256PublicKeys().isEmpty()) {
      LOG.warn("no JWT secret or RS256 key configured: every tenant route will answer 401");
    }
    return vertx.fileSystem().readFile("openapi.yaml")
        .compose(openApi -> {
          server = vertx.createHttpServer(new HttpServerOptions()
              .setHost(config.host())
              .setMaxHeaderSize(16 * 1024)
              .setCompressionSupported(true));
          return server.requestHandler(new ApiRoutes(vertx, config, openApi).router()).listen(config.port());
        })
        .onSuccess(s -> {
          vertx.sharedData().getLocalMap(PORT_MAP).put(PORT_KEY, s.actualPort());
          LOG.info("gateway listening on {}:{}", config.host(), s.actualPort());
        });
  }

  /**
   * Graceful: stops accepting, lets in-flight requests finish for up to {@code http.shutdownTimeoutMs} (default
   * 10 s), then closes what is left.
   */
  @Override
  public Future<?> stop() {
    long graceMs = config().getJsonObject("http", new JsonObject())
        .getLong("shutdownTimeoutMs", 10_000L);
    return server == null ? Future.succeededFuture()
        : server.shutdown(graceMs, TimeUnit.MILLISECONDS);
  }
}
