package dev.trunkline.simulators;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
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
  /** Open connections, touched only on this verticle's event loop. */
  private final Set<HttpConnection> connections = new HashSet<>();
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
        .connectionHandler(this::track)
        .requestHandler(routerFactory.apply(vertx))
        .listen(options.port(), options.host())
        .onSuccess(listening -> server = listening);
  }

  private void track(HttpConnection connection) {
    connections.add(connection);
    connection.closeHandler(closed -> connections.remove(connection));
  }

  /**
   * Closes the listener and then every open connection, and completes only when they are all closed. Undeploying
   * alone completes once the listener is gone, while a client's kept-alive connection can still be served a
   * request; a test that closes a simulator to play an outage must see the outage at once.
   */
  @Override
  public Future<?> stop() {
    return server.close().transform(closedListener -> {
      List<Future<Void>> closing = new ArrayList<>();
      for (HttpConnection connection : List.copyOf(connections)) {
        closing.add(connection.close().recover(failure -> Future.succeededFuture()));
      }
      return Future.join(closing);
    });
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
