package dev.trunkline.gateway;

import dev.trunkline.contract.ProvisioningClient;
import dev.trunkline.contract.ProvisioningMessages.FlowReply;
import dev.trunkline.contract.ProvisioningMessages.GetOperation;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET .../operations/{operationId}/events}: an operation's per-number results and its end as Server-Sent
 * Events. Read from the store, not from the bus's progress events, so any gateway node can serve any operation and a
 * client that reconnects with {@code Last-Event-ID} (a result's {@code seq}) misses nothing: the results after it are
 * paged from the store ({@link #PAGE} per read, one read in flight per stream), then polled every {@link #POLL_MS}
 * while the operation runs. A comment line every {@link #KEEP_ALIVE_MS} keeps proxies from cutting a quiet stream.
 */
final class OperationEvents {
  static final int PAGE = 100;
  static final long POLL_MS = 500;
  static final long KEEP_ALIVE_MS = 15_000;

  private final Vertx vertx;
  private final ProvisioningClient provisioning;

  OperationEvents(Vertx vertx, ProvisioningClient provisioning) {
    this.vertx = vertx;
    this.provisioning = provisioning;
  }

  void stream(RoutingContext ctx, String tenant, String operationId, Long after) {
    new Stream(ctx, tenant, operationId).read(after);
  }

  private final class Stream {
    private final RoutingContext ctx;
    private final String tenant;
    private final String operationId;
    private boolean started;
    private long lastWrite = System.currentTimeMillis();

    Stream(RoutingContext ctx, String tenant, String operationId) {
      this.ctx = ctx;
      this.tenant = tenant;
      this.operationId = operationId;
    }

    void read(Long after) {
      HttpServerResponse response = ctx.response();
      if (response.closed()) {
        return;
      }
      Future<FlowReply> page = provisioning.operation(new GetOperation(tenant, operationId, after, PAGE),
          RequestIds.of(ctx));
      page.onFailure(err -> {
        if (!started) {
          ctx.fail(err);
        } else if (!response.closed()) {
          response.end();
        }
      }).onSuccess(reply -> write(reply, after));
    }

    private void write(FlowReply reply, Long after) {
      HttpServerResponse response = ctx.response();
      if (response.closed()) {
        return;
      }
      if (!started) {
        started = true;
        response.setStatusCode(200).setChunked(true)
            .putHeader("Content-Type", "text/event-stream")
            .putHeader("X-Accel-Buffering", "no");
      }
      JsonObject op = new JsonObject(reply.body()).getJsonObject("data");
      JsonArray results = op.getJsonArray("results", new JsonArray());
      Long last = after;
      StringBuilder out = new StringBuilder();
      for (Object r : results) {
        JsonObject result = (JsonObject) r;
        last = result.getLong("seq");
        out.append("id: ").append(last).append("\nevent: number\ndata: ").append(result.encode()).append("\n\n");
      }
      boolean more = op.getValue("next") != null;
      boolean running = "running".equals(op.getString("state"));
      if (!more && !running) {
        JsonObject end = op.copy();
        end.remove("results");
        end.remove("next");
        if (end.getJsonObject("report") != null && end.getJsonObject("report").getValue("data") instanceof JsonObject d) {
          d.remove("results");
        }
        out.append("event: completed\ndata: ").append(end.encode()).append("\n\n");
        response.end(out.toString());
        return;
      }
      long now = System.currentTimeMillis();
      if (out.length() == 0 && now - lastWrite >= KEEP_ALIVE_MS) {
        out.append(": keep-alive\n\n");
      }
      if (out.length() > 0) {
        lastWrite = now;
        response.write(out.toString());
      }
      Long from = last;
      if (more) {
        read(from);
      } else {
        vertx.setTimer(POLL_MS, t -> read(from));
      }
    }
  }
}
