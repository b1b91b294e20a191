package dev.trunkline.app;

import dev.trunkline.contract.health.NodeHealth;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.CheckResult;

/**
 * {@code GET /health/live} and {@code GET /health/ready} for a node without the gateway role (which has no API
 * port): the node's checks ({@link NodeHealth}) on {@code health.host}:{@code health.port}, in the format and with
 * the status codes the gateway uses. Nothing else is served there.
 */
final class HealthServer {
  private final HttpServer server;

  private HealthServer(HttpServer server) {
    this.server = server;
  }

  /** {@code host:port} the server binds, from the configuration. */
  static String address(JsonObject config) {
    return NodeOptions.HEALTH_HOST.get(config) + ":" + NodeOptions.HEALTH_PORT.get(config);
  }

  static Future<HealthServer> start(Vertx vertx, JsonObject config) {
    NodeHealth health = NodeHealth.of(vertx);
    HttpServer server = vertx.createHttpServer(new HttpServerOptions()
        .setHost(NodeOptions.HEALTH_HOST.get(config))
        // A probe is one short request: an idle connection is closed soon, so probes cannot pile connections up.
        .setIdleTimeout(10));
    return server.requestHandler(request -> handle(health, request))
        .listen(NodeOptions.HEALTH_PORT.get(config))
        .map(HealthServer::new);
  }

  private static void handle(NodeHealth health, HttpServerRequest request) {
    if (request.method() != HttpMethod.GET) {
      request.response().setStatusCode(405).putHeader("Allow", "GET").end();
      return;
    }
    Future<CheckResult> result = switch (request.path()) {
      case "/health/live" -> health.live();
      case "/health/ready" -> health.ready();
      default -> null;
    };
    if (result == null) {
      request.response().setStatusCode(404).end();
      return;
    }
    result.onComplete(ar -> {
      JsonObject body = ar.succeeded() ? NodeHealth.body(ar.result()) : new JsonObject().put("status", "DOWN");
      request.response().setStatusCode("UP".equals(body.getString("status")) ? 200 : 503)
          .putHeader("Content-Type", "application/json").putHeader("Cache-Control", "no-store").end(body.encode());
    });
  }

  int port() {
    return server.actualPort();
  }

  Future<Void> close() {
    return server.close();
  }
}
