package com.example.sibling;

import dev.trunkline.contract.Addresses;
import dev.trunkline.contract.Bus;
import dev.trunkline.contract.Json;
import dev.trunkline.contract.ProvisioningClient;
import dev.trunkline.contract.ProvisioningMessages.CompletedEvent;
import dev.trunkline.contract.ProvisioningMessages.Fix;
import dev.trunkline.contract.ProvisioningMessages.FlowReply;
import dev.trunkline.contract.ServiceException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A verticle that is not part of Trunkline and knows it only by its contract: it runs Trunkline's credential fix for
 * a tenant over the event bus ({@link ProvisioningClient#fix}), following the tenant's progress events
 * ({@link ProvisioningClient#follow}) while it runs. Imports nothing of Trunkline but {@code dev.trunkline.contract}.
 *
 * <p>Asked over loopback HTTP, {@code POST /fix {"subaccountId", "phoneNumber"?, "requestId", "completionWaitMs"?}},
 * it answers 200 with what it saw: {@code reply} (the {@link FlowReply}) or {@code failure} (the
 * {@link ServiceException}'s type, status, code, message and details), {@code numberEvents} and {@code completed} (the
 * request's events as the typed records decoded them), and {@code wire} (the same events as they crossed the bus,
 * for a reader that wants every field). {@code completionWaitMs} bounds how long it waits for the completion event
 * once the request has answered (default 60 s; a request refused as malformed publishes none).
 */
public class FixRunnerVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(FixRunnerVerticle.class);
  private static final long DEFAULT_COMPLETION_WAIT_MS = 60_000;
  private static final int MAX_REQUEST_BYTES = 4_096;

  private ProvisioningClient provisioning;
  private HttpServer server;

  @Override
  public Future<?> start() {
    // The client's own timeouts: 2 minutes for single requests, 15 for fan-outs such as a fix (which hears it in
    // x-trunkline-timeout-ms and answers with a partial report rather than run past it).
    provisioning = new ProvisioningClient(vertx);
    return vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1"))
        .requestHandler(this::handle)
        .listen(config().getInteger("httpPort", 0))
        .onSuccess(s -> {
          server = s;
          LOG.info("fix runner listening on http://127.0.0.1:{}", s.actualPort());
        });
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }

  private void handle(HttpServerRequest request) {
    if (!request.method().name().equals("POST") || !request.path().equals("/fix")) {
      request.response().setStatusCode(404).end();
      return;
    }
    String length = request.getHeader("Content-Length");
    if (length == null || !length.matches("\\d{1,4}") || Integer.parseInt(length) > MAX_REQUEST_BYTES) {
      request.response().setStatusCode(413).end();
      return;
    }
    request.body()
        .map(body -> body.toJsonObject())
        .compose(ask -> run(ask.getString("subaccountId"), ask.getString("phoneNumber"),
            ask.getString("requestId", Bus.newRequestId()), ask.getLong("completionWaitMs", DEFAULT_COMPLETION_WAIT_MS)))
        .onSuccess(seen -> request.response().putHeader("Content-Type", "application/json").end(seen.encode()))
        .onFailure(err -> request.response().setStatusCode(500).end(err.toString()));
  }

  /**
   * Follows the tenant's events, runs a fix of every number (or one) and collects what arrives for this request id.
   * The followers are registered (cluster-wide) before the request goes out: events are not replayed.
   */
  Future<JsonObject> run(String tenant, String phoneNumber, String requestId, long completionWaitMs) {
    JsonObject seen = new JsonObject().put("requestId", requestId);
    JsonArray numberEvents = new JsonArray();
    JsonArray wire = new JsonArray();
    seen.put("numberEvents", numberEvents).put("wire", wire).putNull("completed");
    Promise<CompletedEvent> completed = Promise.promise();
    MessageConsumer<JsonObject> follower = ProvisioningClient.follow(vertx, tenant,
        event -> {
          if (requestId.equals(event.requestId())) {
            numberEvents.add(Json.toJson(event));
          }
        },
        event -> {
          if (requestId.equals(event.requestId())) {
            seen.put("completed", Json.toJson(event));
            completed.tryComplete(event);
          }
        });
    MessageConsumer<JsonObject> raw = vertx.eventBus().consumer(Addresses.Events.numbers(tenant), message -> {
      if (requestId.equals(message.body().getString("requestId"))) {
        wire.add(message.body());
      }
    });
    long started = System.nanoTime();
    return Future.all(follower.completion(), raw.completion())
        .compose(registered -> provisioning.fix(new Fix(tenant, phoneNumber, false, false), requestId))
        .transform(answer -> {
          seen.put("elapsedMs", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
          if (answer.succeeded()) {
            seen.put("reply", Json.toJson(answer.result()));
          } else {
            seen.put("failure", failure(answer.cause()));
          }
          if (completionWaitMs <= 0) {
            return Future.succeededFuture(seen);
          }
          // Published as the flow answers, on another address: it may arrive just before or after the reply.
          return completed.future().timeout(completionWaitMs, TimeUnit.MILLISECONDS)
              .transform(done -> Future.succeededFuture(seen));
        })
        .eventually(() -> Future.all(follower.unregister(), raw.unregister()));
  }

  private static JsonObject failure(Throwable err) {
    JsonObject failure = new JsonObject().put("type", err.getClass().getName());
    if (err instanceof ServiceException e) {
      failure.put("status", e.status()).put("code", e.code()).put("message", e.getMessage())
          .put("details", e.details());
    } else {
      failure.put("message", String.valueOf(err.getMessage()));
    }
    return failure;
  }
}
