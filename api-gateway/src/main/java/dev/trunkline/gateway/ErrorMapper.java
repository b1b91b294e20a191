package dev.trunkline.gateway;

import dev.trunkline.contract.ClientFailures;
import dev.trunkline.contract.ServiceException;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that turns a failure into a response:
 * {@code {"success": false, "error": {"code", "message", "details"}}} with the matching status.
 *
 * <p>What a client may see of a service's failure is decided by {@link ClientFailures#sanitize} (status and code
 * kept; internals replaced); this class adds the router's own failures (404, 405, 413, 415) and writes the body.
 */
final class ErrorMapper {
  private static final Logger LOG = LoggerFactory.getLogger(ErrorMapper.class);

  private final long bodyLimitBytes;

  ErrorMapper(long bodyLimitBytes) {
    this.bodyLimitBytes = bodyLimitBytes;
  }

  /** The router's failure handler. */
  void handle(RoutingContext ctx) {
    send(ctx, toApiError(ctx));
  }

  ServiceException toApiError(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    int status = ctx.statusCode();
    if (failure instanceof HttpException http) {
      status = http.getStatusCode();
      failure = null;
    }
    if (failure == null) {
      return forStatus(status);
    }
    ServiceException mapped = ClientFailures.sanitize(failure);
    if (failure instanceof HttpClosedException) {
      // The client closed the connection before its request was complete (a trickled body cut off, a client that
      // gave up): nobody's bug, and nobody to answer. DEBUG, or a flood of them would read as a broken gateway.
      LOG.debug("request {}: the client closed the connection before its request was read", RequestIds.of(ctx));
      return mapped;
    }
    if (mapped.status() >= 500 && !(failure instanceof ServiceException)
        && !(failure instanceof ReplyException)) {
      // A bug in the gateway: log it with the request id (never the request body), answer generically.
      // The normalized path is percent-decoded: escaped like the access log's (LogSafe).
      LOG.error("request {} {} {} failed: {}", RequestIds.of(ctx), LogSafe.text(ctx.request().method()),
          LogSafe.text(ctx.normalizedPath()), failure.toString());
    }
    return mapped;
  }

  private ServiceException forStatus(int status) {
    return switch (status) {
      case 413 -> ApiErrors.payloadTooLarge(bodyLimitBytes);
      case 404 -> new ServiceException(404, null, "no such resource");
      case 405 -> new ServiceException(405, null, "method not allowed on this resource");
      case 400 -> new ServiceException(400, null, "invalid request");
      case 415 -> ApiErrors.unsupportedMediaType();
      default -> status >= 400 && status < 500 && status != 401 && status != 403
          ? new ServiceException(status, null, "request failed")
          : ClientFailures.internal();
    };
  }


  /** Our limiter says seconds; the Retell service says milliseconds; a client gets whole seconds, >= 1. */
  static long retryAfterSeconds(JsonObject details) {
    if (details == null) {
      return 1;
    }
    Object seconds = details.getValue("retryAfterSeconds");
    if (seconds instanceof Number n) {
      return Math.max(1, n.longValue());
    }
    Object millis = details.getValue("retryAfterMs");
    if (millis instanceof Number n) {
      return Math.max(1, (n.longValue() + 999) / 1000);
    }
    return 1;
  }

  /** Writes the error response (or closes the connection when a response was already under way). */
  static void send(RoutingContext ctx, ServiceException error) {
    HttpServerResponse response = ctx.response();
    if (response.headWritten()) {
      response.reset();
      return;
    }
    // Every 429, and any other error that says when to come back (409 IDEMPOTENCY_IN_PROGRESS).
    if (error.status() == 429 || (error.details() != null && error.details().containsKey("retryAfterSeconds"))) {
      response.putHeader("Retry-After", String.valueOf(retryAfterSeconds(error.details())));
    }
    response.setStatusCode(error.status())
        .putHeader("Content-Type", "application/json")
        .end(error.toResponseBody().encode());
  }
}
