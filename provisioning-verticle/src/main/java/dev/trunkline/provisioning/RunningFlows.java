package dev.trunkline.provisioning;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The audits, fixes and rotations this verticle instance is running, by request id, so that a cancel
 * ({@code trunkline.provisioning.v1.cancel}, published to every instance) finds its flow. A cancel must name the
 * flow's tenant too: a request id alone, echoed in logs and headers, is not enough to stop somebody's fix.
 */
final class RunningFlows {
  private record Running(String tenant, AtomicBoolean cancelled) {}

  private final Map<String, Running> running = new ConcurrentHashMap<>();

  /** Registers a flow; the returned flag turns true when it is cancelled. */
  AtomicBoolean start(String requestId, String tenant) {
    AtomicBoolean cancelled = new AtomicBoolean();
    running.put(requestId, new Running(tenant, cancelled));
    return cancelled;
  }

  /** Registers a second name for a running flow's flag (an operation's synchronous caller's request id). */
  void alias(String requestId, String tenant, AtomicBoolean cancelled) {
    running.put(requestId, new Running(tenant, cancelled));
  }

  void end(String requestId) {
    running.remove(requestId);
  }

  /** Whether a flow of that tenant with that id runs here (and is now cancelled). */
  boolean cancel(String tenant, String requestId) {
    Running r = requestId == null ? null : running.get(requestId);
    if (r == null || tenant == null || !r.tenant().equals(tenant)) {
      return false;
    }
    r.cancelled().set(true);
    return true;
  }
}
