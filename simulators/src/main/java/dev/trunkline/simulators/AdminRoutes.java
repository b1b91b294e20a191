package dev.trunkline.simulators;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The {@code /__admin} endpoints both simulators share: fault rules, request counters and reset. Admin requests are
 * answered before authentication, rate limiting and fault injection, so a test can always reconfigure a simulator
 * that is busy failing on purpose.
 */
final class AdminRoutes {

  static final String PREFIX = "/__admin";

  private AdminRoutes() {
  }

  static void mountCommon(Router router, Faults faults, RequestLog requests, Runnable reset) {
    router.get(PREFIX + "/faults").handler(ctx -> ok(ctx, new JsonObject().put("faults", faults.toJson())));
    router.post(PREFIX + "/faults").handler(ctx -> {
      JsonObject body = body(ctx);
      if (body == null) {
        return;
      }
      try {
        Replies.json(ctx, 201, faults.add(FaultRule.fromJson(body)).toJson());
      } catch (IllegalArgumentException | IllegalStateException | ClassCastException e) {
        badRequest(ctx, e.getMessage());
      }
    });
    router.delete(PREFIX + "/faults").handler(ctx -> {
      faults.clear();
      Replies.noContent(ctx);
    });
    router.delete(PREFIX + "/faults/:id").handler(ctx -> {
      if (faults.remove(ctx.pathParam("id"))) {
        Replies.noContent(ctx);
      } else {
        Replies.json(ctx, 404, new JsonObject().put("message", "no such fault rule"));
      }
    });
    router.post(PREFIX + "/faults/:id/release").handler(ctx -> {
      var rule = faults.find(ctx.pathParam("id"));
      if (rule.isPresent()) {
        rule.get().release();
        Replies.noContent(ctx);
      } else {
        Replies.json(ctx, 404, new JsonObject().put("message", "no such fault rule"));
      }
    });
    router.get(PREFIX + "/requests").handler(ctx -> ok(ctx, requests.toJson()));
    router.delete(PREFIX + "/requests").handler(ctx -> {
      requests.reset();
      Replies.noContent(ctx);
    });
    router.post(PREFIX + "/reset").handler(ctx -> {
      reset.run();
      Replies.noContent(ctx);
    });
  }

  /** Anything else under the prefix is a 404, never an API request. Mount after the simulator's own admin routes. */
  static void mountFallback(Router router) {
    router.route(PREFIX + "/*").handler(ctx -> Replies.json(ctx, 404,
        new JsonObject().put("message", "unknown admin endpoint " + ctx.request().method() + " " + ctx.normalizedPath())));
  }

  static void ok(RoutingContext ctx, JsonObject body) {
    Replies.json(ctx, 200, body);
  }

  static void badRequest(RoutingContext ctx, String message) {
    Replies.json(ctx, 400, new JsonObject().put("message", message == null ? "bad request" : message));
  }

  /** The JSON object body, or null after answering 400 when there is none. */
  static JsonObject body(RoutingContext ctx) {
    try {
      JsonObject body = ctx.body().asJsonObject();
      if (body == null) {
        badRequest(ctx, "a JSON object body is required");
      }
      return body;
    } catch (DecodeException | ClassCastException e) {
      badRequest(ctx, "the body is not a JSON object");
      return null;
    }
  }
}
