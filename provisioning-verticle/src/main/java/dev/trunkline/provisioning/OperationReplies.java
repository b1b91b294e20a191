package dev.trunkline.provisioning;

import dev.trunkline.contract.ClientFailures;
import dev.trunkline.contract.Errors;
import dev.trunkline.contract.ServiceException;
import dev.trunkline.contract.StoreMessages.FinishOperation;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;

/**
 * The answers of the operation addresses and the record of an operation's end: one place that says what an
 * operation looks like to a client (docs/api.md "Long operations").
 */
final class OperationReplies {
  private OperationReplies() {}

  static String location(String tenant, String operationId) {
    return "/api/connectors/" + tenant + "/operations/" + operationId;
  }

  /** 202: the operation runs on; its first state and where to follow it. */
  static FlowResult accepted(String tenant, JsonObject op) {
    JsonObject body = new JsonObject().put("success", true)
        .put("message", "The operation runs; follow it at its Location").put("data", op);
    return FlowResult.of(202, body).withHeader("Location", location(tenant, op.getString("operationId")));
  }

  /**
   * 202 to a synchronous caller whose report would hold more than {@code max} results: one answer does not carry
   * them (nor does a node hold them); they are the operation's, read a page at a time.
   */
  static FlowResult tooManyResults(String tenant, JsonObject op, int max) {
    JsonObject body = new JsonObject().put("success", true)
        .put("message", "The operation has more than " + max + " results, more than one answer carries; follow it "
            + "and page its results at its Location").put("data", op);
    return FlowResult.of(202, body).withHeader("Location", location(tenant, op.getString("operationId")));
  }

  /** 200: the tenant's running operation of that kind (or the one of that idempotency key), not a second run. */
  static FlowResult joined(String tenant, JsonObject op) {
    JsonObject body = new JsonObject().put("success", true)
        .put("message", "running".equals(op.getString("state"))
            ? "An operation of this kind is already running for this tenant; this is it"
            : "This idempotency key's operation")
        .put("data", op);
    return FlowResult.of(200, body).withHeader("Location", location(tenant, op.getString("operationId")));
  }

  /**
   * GET: the operation with a page of its results. A finished one also carries {@code report}: the synchronous
   * answer's status and body, its {@code data.results} being this page.
   */
  static FlowResult view(String tenant, JsonObject op) {
    JsonArray page = op.getJsonArray("results", new JsonArray());
    JsonArray results = new JsonArray();
    page.forEach(entry -> {
      JsonObject e = (JsonObject) entry;
      results.add(e.getJsonObject("result", new JsonObject()).copy().put("seq", e.getValue("seq"))
          .put("phase", e.getString("phase")));
    });
    op.put("results", results);
    JsonObject report = op.getJsonObject("report");
    if (report != null && report.getValue("data") instanceof JsonObject data) {
      data.put("results", results.copy());
    }
    return FlowResult.of(200, new JsonObject().put("success", true).put("data", op))
        .withHeader("Location", location(tenant, op.getString("operationId")));
  }

  private static boolean finishedRotation(JsonObject body) {
    return body.getValue("data") instanceof JsonObject data && Boolean.TRUE.equals(data.getValue("finished"));
  }

  static FlowResult list(String tenant, List<Map<String, Object>> items) {
    JsonArray ops = new JsonArray();
    items.forEach(item -> ops.add(new JsonObject(item)
        .put("location", location(tenant, String.valueOf(item.get("operationId"))))));
    return FlowResult.ok(new JsonObject().put("operations", ops));
  }

  /**
   * The end to record: the state from the flow's status, unless a DELETE cancelled it ({@code cancelled}) or the
   * node stopped under it ({@code interrupted}: failed, with what it did); the report without its results.
   */
  static FinishOperation finish(String operationId, FlowResult result, Throwable failure, boolean cancelled,
      boolean interrupted, long unrecorded, long retainMs) {
    if (result == null) {
      // The report is what the synchronous request answers: the gateway's error body, details included.
      ServiceException e = ClientFailures.sanitize(failure);
      return new FinishOperation(operationId, operationId, "failed", e.status(), e.toResponseBody().getMap(),
          retainMs);
    }
    JsonObject body = result.body().copy();
    if (body.getValue("data") instanceof JsonObject data) {
      // The results are in the store, every one of them (paged in the view): the record carries none.
      data.remove("results");
      data.remove("resultsOmitted");
      if (unrecorded > 0) {
        data.put("unrecordedResults", unrecorded);
      }
    }
    String state;
    if (interrupted) {
      state = "failed";
      body.put("error", new ServiceException(Errors.BAD_GATEWAY, "OPERATION_INTERRUPTED",
          "the node running this operation stopped; the numbers recorded were done, no others")
          .toResponseBody().getJsonObject("error"));
    } else if (cancelled && !finishedRotation(body)) {
      // A rotation the cancel came too late for (its old credential was already being removed) is done, not cancelled.
      state = "cancelled";
    } else {
      state = result.status() < 300 ? "succeeded" : result.status() == 207 ? "partly_failed" : "failed";
    }
    return new FinishOperation(operationId, operationId, state, result.status(), body.getMap(), retainMs);
  }
}
