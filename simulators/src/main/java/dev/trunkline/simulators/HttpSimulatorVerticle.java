package dev.trunkline.simulators;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * Runs a simulator's router on its own HTTP server inside a verticle, so the simulator has a proper Vert.x context
 * (one event loop) and closing it is an undeploy. Both simulators start through {@link #deploy}.
 */
final class HttpSimulatorVerticle extends VerticleBase {

  private final Function<Vertx, Router> routerFactory;
  private final SimulatorOptions options;
  private final AtomicBoolean closed = new AtomicBoolean();
  private HttpServer server;

  private HttpSimulatorVerticle(Function<Vertx, Router> routerFactory, SimulatorOptions options) {
    this.routerFactory = routerFactory;
    this.options = options;
  }

  /** Deploys the verticle and completes with it once the server listens. */
  static Future<HttpSimulatorVerticle> deploy(Vertx vertx, SimulatorOptions options, Function<Vertx, Router> router) {
    HttpSimulatorVerticle verticle = new HttpSimulatorVerticle(router, options);
    return vertx.deployVerticle(verticle).map(id -> verticle);
  }

  @Override
  public Future<?> start() {
    return vertx.createHttpServer()
        .requestHandler(routerFactory.apply(vertx))
        .listen(options.port(), options.host())
        .onSuccess(listening -> server = listening);
  }

  int port() {
    return server.actualPort();
  }

  /** "http://<host>:<port>", with 127.0.0.1 standing in for a wildcard bind address. */
  String baseUrl() {
    String host = options.host();
    boolean wildcard = host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]");
    return "http://" + (wildcard ? "127.0.0.1" : host) + ":" + port();
  }

  /** Undeploys once; later calls (a test's cleanup after an explicit close) succeed without doing anything. */
  Future<Void> close() {
    String id = deploymentID();
    if (id == null || !closed.compareAndSet(false, true)) {
      return Future.succeededFuture();
    }
    return vertx.undeploy(id);
  }
}
