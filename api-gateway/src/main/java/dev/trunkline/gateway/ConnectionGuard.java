package dev.trunkline.gateway;

import dev.trunkline.gateway.GatewayConfig.ConnectionLimits;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.util.Iterator;
import java.util.LinkedHashMap;

/**
 * Bounds what connections may hold, for one gateway instance (its share of the node's cap): a new connection
 * must send a complete request head within {@code requestHeadTimeoutMs}, a body must be complete within
 * {@code requestBodyTimeoutMs} of its head, and a connection with no request in flight is closed
 * {@code idleTimeoutMs} after its last response (which also bounds a client that never reads that response).
 *
 * <p>Vert.x's own idle timeout is not used: it closes a connection that is quiet because the gateway is still
 * working on its request (a long fix fan-out), which is not the client's fault. These timers run only while the
 * gateway waits for the client.
 *
 * <p>At the cap a new connection takes the place of the connection that has waited longest for its client (no
 * request in flight, or a request whose head or body is still arriving): those are what a flood of idle or
 * trickling connections is made of, and a real client sends its request within milliseconds of connecting, so
 * the node keeps answering. Only when every connection has a request the gateway is working on is the new one
 * closed at once. Everything here runs on the instance's event loop: no locks.
 */
final class ConnectionGuard {
  /** How many of the longest-waiting connections are looked at for one to close; bounds the work per accept. */
  static final int EVICTION_SCAN = 64;

  private final Vertx vertx;
  private final ConnectionLimits limits;
  private final int capacity;
  private final FrontDoorMetrics metrics;
  /** Oldest state change first: a connection is moved to the end whenever it starts or finishes a request. */
  private final LinkedHashMap<HttpConnection, Tracked> open = new LinkedHashMap<>();

  ConnectionGuard(Vertx vertx, ConnectionLimits limits, int instances, FrontDoorMetrics metrics) {
    this.vertx = vertx;
    this.limits = limits;
    this.capacity = Math.max(1, (limits.maxConnections() + instances - 1) / Math.max(1, instances));
    this.metrics = metrics;
  }

  /** The server's connection handler. */
  void accept(HttpConnection connection) {
    if (open.size() >= capacity && !evictOne()) {
      metrics.connectionClosed("refused");
      connection.close();
      return;
    }
    Tracked tracked = new Tracked(connection);
    open.put(connection, tracked);
    connection.closeHandler(v -> {
      Tracked gone = open.remove(connection);
      if (gone != null) {
        gone.cancelTimer();
      }
    });
    tracked.awaitRequest(limits.requestHeadTimeoutMs(), "head_timeout");
  }

  /** The router's first handler: the request's head is in. */
  void track(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    Tracked tracked = open.get(request.connection());
    if (tracked != null) {
      tracked.started(request);
      ctx.addEndHandler(ar -> tracked.finished(request));
    }
    ctx.next();
  }

  int openConnections() {
    return open.size();
  }

  private boolean evictOne() {
    Iterator<Tracked> oldestFirst = open.values().iterator();
    for (int i = 0; i < EVICTION_SCAN && oldestFirst.hasNext(); i++) {
      Tracked candidate = oldestFirst.next();
      if (candidate.waitingForClient()) {
        oldestFirst.remove();
        candidate.close("evicted");
        return true;
      }
    }
    return false;
  }

  private final class Tracked {
    private final HttpConnection connection;
    private HttpServerRequest current;
    private long timer = -1;

    Tracked(HttpConnection connection) {
      this.connection = connection;
    }

    void awaitRequest(long timeoutMs, String reason) {
      current = null;
      moveToNewest();
      restartTimer(timeoutMs, () -> close(reason));
    }

    void started(HttpServerRequest request) {
      current = request;
      moveToNewest();
      restartTimer(limits.requestBodyTimeoutMs(), () -> {
        if (current == request && !request.isEnded()) {
          close("body_timeout");
        }
      });
    }

    void finished(HttpServerRequest request) {
      // Pipelined requests: only the one in flight moves the connection back to waiting.
      if (current == request && open.get(connection) == this) {
        awaitRequest(limits.idleTimeoutMs(), "idle");
      }
    }

    /** No request in flight, or one whose head or body the client is still sending. */
    boolean waitingForClient() {
      return current == null || !current.isEnded();
    }

    void close(String reason) {
      cancelTimer();
      open.remove(connection);
      metrics.connectionClosed(reason);
      connection.close();
    }

    void cancelTimer() {
      if (timer >= 0) {
        vertx.cancelTimer(timer);
        timer = -1;
      }
    }

    private void restartTimer(long delayMs, Runnable action) {
      cancelTimer();
      timer = vertx.setTimer(delayMs, id -> {
        timer = -1;
        action.run();
      });
    }

    private void moveToNewest() {
      if (open.remove(connection) != null) {
        open.put(connection, this);
      }
    }
  }
}
