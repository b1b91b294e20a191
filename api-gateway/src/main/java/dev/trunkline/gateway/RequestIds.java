package dev.trunkline.gateway;

import dev.trunkline.contract.Bus;
import dev.trunkline.contract.Identifiers;
import dev.trunkline.contract.LogContext;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives every request an id: the client's {@code X-Request-Id} when it is sane (short, no spaces or control
 * characters, so it cannot forge log lines), else a fresh UUID. The id goes on the response, on every bus
 * request, and on the one access-log line written when the response ends.
 */
final class RequestIds implements Handler<RoutingContext> {
  static final String HEADER = "X-Request-Id";
  private static final String KEY = "requestId";
  private static final String OPERATION_KEY = "operation";
  private static final Pattern SANE = Pattern.compile("^[A-Za-z0-9._:/+=-]{1,128}$");
  private static final Logger ACCESS = LoggerFactory.getLogger("dev.trunkline.gateway.access");

  @Override
  public void handle(RoutingContext ctx) {
    String offered = ctx.request().getHeader(HEADER);
    String id = offered != null && SANE.matcher(offered).matches() ? offered : Bus.newRequestId();
    ctx.put(KEY, id);
    ctx.response().putHeader(HEADER, id);
    long start = System.nanoTime();
    // Path only: the query may carry search terms; headers carry tokens. Neither is logged. Method and path are
    // the client's bytes, escaped so they cannot forge lines or drive a terminal (LogSafe).
    // The line also carries requestId, tenant and operation as MDC fields (JSON logs make them fields).
    ctx.addBodyEndHandler(v -> LogContext.run(id, tenant(ctx), operation(ctx), () -> ACCESS.info(
        "{} {} {} {} {}ms", id, LogSafe.text(ctx.request().method()), LogSafe.text(ctx.request().path()),
        ctx.response().getStatusCode(), (System.nanoTime() - start) / 1_000_000)));
    ctx.next();
  }

  /** Names the request's operation for its log lines (route guards call it with the operationId). */
  static void operation(RoutingContext ctx, String name) {
    ctx.put(OPERATION_KEY, name);
  }

  private static String operation(RoutingContext ctx) {
    String named = ctx.get(OPERATION_KEY);
    if (named != null) {
      return named;
    }
    return ctx.currentRoute() == null ? null : ctx.currentRoute().getName();
  }

  /** The path's tenant when it is well-formed; a malformed one is the client's text and is not logged. */
  private static String tenant(RoutingContext ctx) {
    String tenant = ctx.pathParam("subaccountId");
    return Identifiers.isSubaccountId(tenant) ? tenant.toLowerCase(java.util.Locale.ROOT) : null;
  }

  static String of(RoutingContext ctx) {
    String id = ctx.get(KEY);
    return id == null ? Bus.newRequestId() : id;
  }
}
