package dev.trunkline.simulators;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * The one place where simulator replies are written, so a {@link FaultKind#DROP_RESPONSE} fault can swallow any of
 * them: the state change has happened, but the client never hears about it.
 */
final class Replies {

  static final String DROP_RESPONSE_KEY = "sim.dropResponse";

  private Replies() {
  }

  static void json(RoutingContext ctx, int status, JsonObject body) {
    if (dropped(ctx)) {
      return;
    }
    ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(body.toBuffer());
  }

  static void noContent(RoutingContext ctx) {
    if (dropped(ctx)) {
      return;
    }
    ctx.response().setStatusCode(204).end();
  }

  private static boolean dropped(RoutingContext ctx) {
    if (Boolean.TRUE.equals(ctx.get(DROP_RESPONSE_KEY))) {
      ctx.request().connection().close();
      return true;
    }
    return false;
  }
}
