package dev.trunkline.contract.health;

import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.ext.healthchecks.Status;
import java.util.concurrent.TimeUnit;

/**
 * A verticle's liveness: a timer on its event loop stamps the time every {@value #PERIOD_MS} ms, and the check
 * answers at once from the stamp; a loop that has run no task for {@value #STALE_MS} ms (blocked, or starved) is
 * not alive, which a restart can cure. The probe itself never waits on the loop, so a busy node (a connection
 * flood) still answers it quickly.
 */
public final class EventLoopHeartbeat {
  public static final long PERIOD_MS = 1_000;
  public static final long STALE_MS = 10_000;

  private final Vertx vertx;
  private final long timer;
  private volatile long lastNanos = System.nanoTime();

  private EventLoopHeartbeat(Vertx vertx) {
    this.vertx = vertx;
    this.timer = vertx.setPeriodic(PERIOD_MS, id -> lastNanos = System.nanoTime());
  }

  /** Starts beating on the calling verticle's event loop (call it from {@code start()}). */
  public static EventLoopHeartbeat start(Vertx vertx) {
    return new EventLoopHeartbeat(vertx);
  }

  public Handler<Promise<Status>> check() {
    return promise -> {
      long silentMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastNanos);
      promise.complete(silentMs <= STALE_MS ? Status.OK()
          : Checks.down("the event loop has run no task for " + silentMs + " ms"));
    };
  }

  public void stop() {
    vertx.cancelTimer(timer);
  }
}
