package dev.trunkline.contract;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cluster members leaving, as the launcher reports them ({@code trunkline.cluster.v1.member-left}, published on
 * this JVM only), and what a caller does about them: a request in flight to a node that died is never answered, so
 * it would wait out its whole timeout and be reported failed although a surviving node could have done it.
 * {@link #resent} sends such a request again once a member leaves; only for work that is idempotent (a number's
 * sync or inspection, a read, a purchase under its Idempotency-Key), so a duplicate is harmless and the first
 * answer wins.
 *
 * <p>A stopping node loses requests too, not only a dead one: Vert.x's clustered event bus drops a message that
 * reaches a node just after its consumer there was unregistered, without a "no handlers" reply (ClusteredEventBus
 * ignores it for a message from the wire), so a request routed by a view of the cluster a moment old is answered by
 * nobody. The stopping node leaves the cluster seconds later, and that departure resends it.
 *
 * <p>One instance per verticle instance, used on its context only: no locking.
 */
public final class NodeDeaths {
  private static final Logger LOG = LoggerFactory.getLogger(NodeDeaths.class);
  /** Resends of one request at most: one per departure, and one more when a resend fails the same way. */
  static final int MAX_RESENDS = 3;

  /**
   * How long after a departure to resend: the event bus needs a moment to drop the dead node's consumers, or the
   * resend could be routed to it again.
   */
  static final long RESEND_DELAY_MS = 500;

  /**
   * In a cluster, a 503 or 504 sooner than this, before any departure, is a node that is stopping (its consumers
   * gone, its bus closing) rather than a timeout running out: resent too, since no configured timeout is that short.
   */
  public static final long STOPPING_NODE_MS = 1_000;

  private final Vertx vertx;
  private final long resendDelayMs;
  private final boolean clustered;
  /** Whether a 503 or 504 is resent too (see {@link #onDeparturesOnly}). */
  private final boolean resendFailures;
  private final MessageConsumer<Object> consumer;
  /** The requests waiting for an answer: at most the fan-outs' windows, each removed when it is answered. */
  private final Set<Resend<?>> unanswered = new HashSet<>();
  private long departures;

  public NodeDeaths(Vertx vertx) {
    this(vertx, RESEND_DELAY_MS, vertx.isClustered());
  }

  public NodeDeaths(Vertx vertx, long resendDelayMs) {
    this(vertx, resendDelayMs, vertx.isClustered());
  }

  /**
   * @param clustered whether an immediate refusal may be a stopping node (in one JVM "nobody answered" is the
   *     truth, and is not resent without a departure)
   */
  public NodeDeaths(Vertx vertx, long resendDelayMs, boolean clustered) {
    this(vertx, resendDelayMs, clustered, true);
  }

  /**
   * Resends what is unanswered when a member leaves, and nothing else: for a caller whose requests start flows that
   * resend their own steps (the gateway's to provisioning). Resending such a request when it fails 503 or 504 after
   * a departure would repeat the whole flow with the resends inside it, for every resend of its own.
   */
  public static NodeDeaths onDeparturesOnly(Vertx vertx) {
    return new NodeDeaths(vertx, RESEND_DELAY_MS, vertx.isClustered(), false);
  }

  private NodeDeaths(Vertx vertx, long resendDelayMs, boolean clustered, boolean resendFailures) {
    this.resendFailures = resendFailures;
    this.vertx = vertx;
    this.resendDelayMs = resendDelayMs;
    this.clustered = clustered;
    this.consumer = vertx.eventBus().localConsumer(Addresses.Cluster.MEMBER_LEFT, message -> {
      departures++;
      if (!unanswered.isEmpty()) {
        LOG.info("a cluster member left: {} unanswered fan-out requests resent in {} ms", unanswered.size(),
            resendDelayMs);
      }
      for (Resend<?> waiting : List.copyOf(unanswered)) {
        waiting.scheduleResend();
      }
    });
  }

  public Future<Void> registered() {
    return consumer.completion();
  }

  public long departures() {
    return departures;
  }

  /**
   * Runs {@code attempt} and, when a cluster member leaves while it is unanswered, runs it again on the nodes that
   * remain. A resend whose first attempt failed because nobody answered (503, 504) after a departure is made too.
   * Completes with the first success, or with the last failure when no attempt succeeded.
   */
  public <T> Future<T> resent(Supplier<Future<T>> attempt) {
    return new Resend<>(attempt).start();
  }

  private final class Resend<T> {
    private final Supplier<Future<T>> attempt;
    private final Promise<T> result = Promise.promise();
    private final long departuresAtStart = departures;
    private int resends;
    private int running;
    private boolean scheduled;

    Resend(Supplier<Future<T>> attempt) {
      this.attempt = attempt;
    }

    Future<T> start() {
      unanswered.add(this);
      result.future().onComplete(ar -> unanswered.remove(this));
      send();
      return result.future();
    }

    private void send() {
      running++;
      long sentAt = System.nanoTime();
      Future<T> sent;
      try {
        sent = attempt.get();
      } catch (RuntimeException e) {
        sent = Future.failedFuture(e);
      }
      sent.onComplete(ar -> {
        running--;
        if (ar.succeeded()) {
          result.tryComplete(ar.result());
        } else if (running == 0 && !scheduled) {
          boolean departed = departures > departuresAtStart;
          boolean early = clustered && System.nanoTime() - sentAt < TimeUnit.MILLISECONDS.toNanos(STOPPING_NODE_MS);
          if (resendFailures && unanswered(ar.cause()) && (departed || early) && resends < MAX_RESENDS) {
            scheduleResend();
          } else {
            result.tryFail(ar.cause());
          }
        }
      });
    }

    void scheduleResend() {
      if (result.future().isComplete() || scheduled || resends >= MAX_RESENDS) {
        return;
      }
      scheduled = true;
      resends++;
      vertx.setTimer(resendDelayMs, t -> {
        scheduled = false;
        if (!result.future().isComplete()) {
          send();
        }
      });
    }
  }

  /** Nobody answered: no consumer left (503) or no reply in time (504), what a dead node leaves behind. */
  private static boolean unanswered(Throwable err) {
    return err instanceof ServiceException se && (se.status() == 503 || se.status() == 504);
  }
}
