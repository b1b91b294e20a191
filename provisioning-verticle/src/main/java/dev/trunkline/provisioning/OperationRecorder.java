package dev.trunkline.provisioning;

import dev.trunkline.contract.ClientFailures;
import dev.trunkline.contract.StoreClient;
import dev.trunkline.contract.StoreMessages.RecordProgress;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a running operation's per-number results to the store in batches (one write in flight, at most
 * {@link #BATCH} results each, every {@link #FLUSH_MS} or sooner when a batch is full), and renews its lease with
 * each write and on a heartbeat every third of the lease. The store's answer carries a DELETE's cancel request to
 * this node (the bus cancel may have reached nobody), so the flow stops starting numbers within one flush.
 *
 * <p>It is the fan-out's {@link BoundedFanOut.Gate}: while {@link #HIGH_WATER} results wait for the store, the
 * fan-out starts no number, and it resumes after each write. So the buffer holds at most {@code HIGH_WATER} plus the
 * numbers in flight, and a store slower than Retell slows the flow down instead of filling the heap. Only once the
 * flow is over does a store that keeps failing lose the rest from the record (the final report counts them).
 */
final class OperationRecorder implements BoundedFanOut.Gate {
  private static final Logger LOG = LoggerFactory.getLogger(OperationRecorder.class);
  static final int BATCH = 200;
  static final long FLUSH_MS = 500;
  /** Results waiting for the store at which the fan-out pauses: two batches. */
  static final int HIGH_WATER = 2 * BATCH;

  private final Vertx vertx;
  private final StoreClient store;
  private final String operationId;
  private final long leaseMs;
  private final AtomicBoolean cancelled;
  private final ArrayDeque<Map<String, Object>> pending = new ArrayDeque<>();
  private long recorded;
  private long unrecorded;
  private boolean writing;
  private boolean closed;
  private long lastWrite = System.currentTimeMillis();
  private final long timer;
  private Promise<Void> drained;
  private final List<Runnable> waiting = new ArrayList<>();

  OperationRecorder(Vertx vertx, StoreClient store, String operationId, long leaseMs, AtomicBoolean cancelled) {
    this.vertx = vertx;
    this.store = store;
    this.operationId = operationId;
    this.leaseMs = leaseMs;
    this.cancelled = cancelled;
    this.timer = vertx.setPeriodic(FLUSH_MS, t -> {
      // A heartbeat when nothing completed for a third of the lease: a slow number must not look like a dead node.
      boolean heartbeat = System.currentTimeMillis() - lastWrite >= leaseMs / 3;
      flush(heartbeat);
    });
  }

  /** Called on the event loop by the fan-out's listener, once per finished number. */
  void record(String phase, int index, JsonObject result) {
    pending.add(Map.of("phase", phase, "index", index, "result", result.getMap()));
    if (pending.size() >= BATCH) {
      flush(false);
    }
  }

  @Override
  public boolean open() {
    return pending.size() < HIGH_WATER;
  }

  @Override
  public void whenOpen(Runnable resume) {
    waiting.add(resume);
  }

  /** After each write, done or failed: the paused fan-out looks again (and checks whether it was cancelled). */
  private void wake() {
    if (waiting.isEmpty()) {
      return;
    }
    List<Runnable> resume = new ArrayList<>(waiting);
    waiting.clear();
    resume.forEach(Runnable::run);
  }

  long unrecorded() {
    return unrecorded;
  }

  /** Writes what is pending and stops the heartbeat; completes once everything is written (or could not be). */
  Future<Void> close() {
    vertx.cancelTimer(timer);
    closed = true;
    drained = Promise.promise();
    flush(false);
    if (!writing) {
      drained.tryComplete();
    }
    return drained.future();
  }

  private void flush(boolean heartbeat) {
    if (writing || (pending.isEmpty() && !heartbeat)) {
      if (!writing && drained != null) {
        drained.tryComplete();
      }
      return;
    }
    writing = true;
    List<Map<String, Object>> batch = new ArrayList<>(Math.min(BATCH, pending.size()));
    int ok = 0;
    for (Map<String, Object> entry : pending) {
      if (batch.size() == BATCH) {
        break;
      }
      batch.add(entry);
      if (entry.get("result") instanceof Map<?, ?> r && Boolean.TRUE.equals(r.get("success"))) {
        ok++;
      }
    }
    int succeeded = ok;
    store.recordProgress(new RecordProgress(operationId, operationId, recorded, batch, succeeded,
            batch.size() - succeeded, leaseMs))
        .onComplete(ar -> {
          writing = false;
          lastWrite = System.currentTimeMillis();
          if (ar.succeeded()) {
            for (int i = 0; i < batch.size(); i++) {
              pending.poll();
            }
            recorded += batch.size();
            if (ar.result().cancelRequested() || !ar.result().owned()) {
              cancelled.set(true);
            }
          } else {
            LOG.warn("operation {}: recording {} results failed ({}); retrying", operationId, batch.size(),
                ClientFailures.sanitize(ar.cause()).code());
            if (closed) {
              // Once the flow is over, a store that keeps failing does not hold the final report back.
              unrecorded += pending.size();
              pending.clear();
            }
          }
          wake();
          // A failed write is retried by the timer, not at once: a store that is down is not hammered.
          if (ar.succeeded() && !pending.isEmpty() && (pending.size() >= BATCH || closed)) {
            flush(false);
          } else if (drained != null && pending.isEmpty()) {
            drained.tryComplete();
          } else if (drained != null && !writing) {
            drained.tryComplete();
          }
        });
  }
}
