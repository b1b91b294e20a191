package dev.trunkline.provisioning;

import dev.trunkline.contract.Addresses;
import dev.trunkline.contract.ClientFailures;
import dev.trunkline.contract.Json;
import dev.trunkline.contract.ProvisioningMessages.CompletedEvent;
import dev.trunkline.contract.ProvisioningMessages.Failure;
import dev.trunkline.contract.ProvisioningMessages.FlowReply;
import dev.trunkline.contract.ProvisioningMessages.NumberEvent;
import dev.trunkline.contract.ProvisioningMessages.Outcome;
import dev.trunkline.contract.ServiceException;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.function.BiConsumer;
import java.util.function.Predicate;

/**
 * Publishes an audit's, fix's or rotation's progress on the tenant's events address
 * ({@code trunkline.events.v1.numbers.<subaccountId>}): each number's result as it completes, then the completion
 * with the reply's totals. The results are the report's own entries, which hold no secret (usernames, statuses,
 * failure codes; never a password or key). Publishing is fire and forget: nobody listening costs a lookup.
 *
 * <p>It also says how much of a run's results its answer may hold ({@link #report}): at most {@code keep}, beyond
 * which the answer carries counts only and {@code onOverflow} runs (an operation then answers its synchronous caller
 * 202); and, through the recorder, how far the fan-out may run ahead of the store ({@link #gate}).
 */
final class ProgressEvents {
  private final Vertx vertx;
  private final String address;
  private final String requestId;
  private final String subaccountId;
  private final String flow;
  private final OperationRecorder recorder;
  private final int keep;
  private final Runnable onOverflow;

  ProgressEvents(Vertx vertx, String requestId, String subaccountId, String flow, int keep) {
    this(vertx, requestId, subaccountId, flow, null, keep, () -> { });
  }

  /** With a recorder, each result is also written to the flow's operation in the store (when it runs as one). */
  ProgressEvents(Vertx vertx, String requestId, String subaccountId, String flow, OperationRecorder recorder,
      int keep, Runnable onOverflow) {
    this.recorder = recorder;
    this.keep = keep;
    this.onOverflow = onOverflow;
    this.vertx = vertx;
    this.address = Addresses.Events.numbers(subaccountId);
    this.requestId = requestId;
    this.subaccountId = subaccountId;
    this.flow = flow;
  }

  /** A report for one fan-out of the flow, holding every result for the answer, up to {@code keep}. */
  FanOutReport report() {
    return report(r -> true);
  }

  /** A report holding only the results {@code worthKeeping} for the answer, up to {@code keep}. */
  FanOutReport report(Predicate<JsonObject> worthKeeping) {
    return new FanOutReport(keep, worthKeeping, onOverflow);
  }

  /** Holds the fan-out back while the recorder is behind the store (always open without one). */
  BoundedFanOut.Gate gate() {
    return recorder == null ? BoundedFanOut.Gate.OPEN : recorder;
  }

  /**
   * The fan-out listener of one phase ({@code move} and {@code verify} for a rotation, else the flow's name):
   * publishes and records each result and adds it to {@code report}.
   */
  BiConsumer<Integer, JsonObject> phase(String phase, FanOutReport report) {
    return (index, result) -> {
      report.add(index, result);
      vertx.eventBus().publish(address, new JsonObject()
          .put("type", NumberEvent.TYPE).put("requestId", requestId).put("subaccountId", subaccountId)
          .put("flow", flow).put("phase", phase).put("index", index).put("result", result));
      if (recorder != null) {
        recorder.record(phase, index, result);
      }
    };
  }

  BiConsumer<Integer, JsonObject> numbers(FanOutReport report) {
    return phase(flow, report);
  }

  void completed(FlowReply reply) {
    JsonObject data = reply.body() == null || !(reply.body().get("data") instanceof JsonObject d) ? new JsonObject()
        : d;
    publish(new CompletedEvent(CompletedEvent.TYPE, requestId, subaccountId, flow, reply.status(),
        Outcome.of(reply.status()), data.getInteger("total", 0), data.getInteger("successCount", 0),
        data.getInteger("failCount", 0), null));
  }

  void failed(Throwable err) {
    ServiceException e = ClientFailures.sanitize(err);
    publish(new CompletedEvent(CompletedEvent.TYPE, requestId, subaccountId, flow, e.status(), Outcome.ALL_FAILED,
        0, 0, 0, new Failure(e.code(), e.getMessage(), null)));
  }

  private void publish(CompletedEvent event) {
    vertx.eventBus().publish(address, Json.toJson(event));
  }
}
