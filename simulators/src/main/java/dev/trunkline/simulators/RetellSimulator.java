package dev.trunkline.simulators;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

import java.util.List;
import java.util.Optional;

/**
 * A stateful Retell AI phone-number API (see {@code specs/retell/PHONE_NUMBER_API.md}) on one HTTP port: import,
 * update, get, list (v2) and delete, Bearer auth where every non-empty key is a workspace of its own, fault injection,
 * an optional per-key rate limit, and {@code /__admin} endpoints for tests and the sandbox.
 *
 * <pre>{@code
 * RetellSimulator.start(vertx, new SimulatorOptions()).onSuccess(sim -> ... sim.baseUrl() ...);
 * }</pre>
 */
public final class RetellSimulator {

  private static final String WORKSPACE_KEY = "retell.workspace";

  private final Vertx vertx;
  private final RetellWorkspaces state = new RetellWorkspaces();
  private final Faults faults = new Faults();
  private final RequestLog requests = new RequestLog();
  private final RateLimiter rateLimiter;
  private final SimulatorOptions options;
  private HttpSimulatorVerticle verticle;

  private RetellSimulator(Vertx vertx, SimulatorOptions options) {
    this.vertx = vertx;
    this.options = options;
    this.rateLimiter = new RateLimiter(options.rateLimitPerSecond(), System::nanoTime);
  }

  /** Starts a simulator on {@code opts.host()}:{@code opts.port()} (port 0 = a free port). */
  public static Future<RetellSimulator> start(Vertx vertx, SimulatorOptions opts) {
    RetellSimulator sim = new RetellSimulator(vertx, (opts == null ? new SimulatorOptions() : opts).copy());
    return HttpSimulatorVerticle.deploy(vertx, sim.options, v -> sim.router())
        .map(deployed -> {
          sim.verticle = deployed;
          return sim;
        });
  }

  public int port() {
    return verticle.port();
  }

  /** "http://127.0.0.1:<port>" (the bound host when it is not a wildcard address). */
  public String baseUrl() {
    return verticle.baseUrl();
  }

  /** Stops listening (undeploys the simulator's verticle); the state is dropped with it. */
  public Future<Void> close() {
    return verticle == null ? Future.succeededFuture() : verticle.close();
  }

  public Faults faults() {
    return faults;
  }

  public RequestLog requests() {
    return requests;
  }

  /** Changes the per-API-key rate limit (requests per second, 0 = unlimited) at runtime. */
  public RetellSimulator rateLimitPerSecond(int perSecond) {
    rateLimiter.ratePerSecond(perSecond);
    return this;
  }

  public int rateLimitPerSecond() {
    return rateLimiter.ratePerSecond();
  }

  /** The id under which the workspace of {@code apiKey} appears in {@link #requests()} (a hash, not the key). */
  public static String workspaceId(String apiKey) {
    return RetellWorkspaces.workspaceId(apiKey);
  }

  /**
   * Puts a number straight into a workspace, bypassing the API's checks on required fields: the body is an import
   * body, where {@code auth_username}/{@code auth_password} may replace the {@code sip_trunk_*} names. Returns the
   * PhoneNumberResponse.
   */
  public JsonObject seed(String apiKey, JsonObject importBody) {
    return state.importNumber(workspaceId(apiKey), importBody, true);
  }

  /** Seeds a number in the broken state of the origin incident: a termination URI but an empty auth_username. */
  public JsonObject seedBroken(String apiKey, String phoneNumber, String terminationUri) {
    return seed(apiKey, new JsonObject().put("phone_number", phoneNumber).put("termination_uri", terminationUri)
        .put("transport", "TCP").put("auth_username", ""));
  }

  /** The PhoneNumberResponse view of a number (never with its password), if the workspace has it. */
  public Optional<JsonObject> number(String apiKey, String phoneNumber) {
    return state.view(workspaceId(apiKey), phoneNumber);
  }

  public List<JsonObject> numbers(String apiKey) {
    return state.viewAll(workspaceId(apiKey));
  }

  /** Whether the stored SIP password of the number equals {@code password} (constant-time comparison). */
  public boolean checkPassword(String apiKey, String phoneNumber, String password) {
    return password != null && state.checkPassword(workspaceId(apiKey), phoneNumber, password);
  }

  /** Forgets all numbers, fault rules and counters. */
  public void reset() {
    state.clear();
    faults.clear();
    requests.reset();
  }

  private Router router() {
    Router router = Router.router(vertx);
    router.route().handler(BodyHandler.create(false).setBodyLimit(options.maxBodyBytes()));
    AdminRoutes.mountCommon(router, faults, requests, this::reset);
    mountAdmin(router);
    AdminRoutes.mountFallback(router);

    router.route().handler(this::authenticate);
    router.route().handler(this::rateLimit);
    router.route().handler(faults.handler(vertx, RetellSimulator::writeError));

    router.post("/import-phone-number").handler(api(ctx -> Replies.json(ctx, 201,
        state.importNumber(workspace(ctx), jsonBody(ctx), false))));
    router.patch("/update-phone-number/:phone").handler(api(ctx -> Replies.json(ctx, 200,
        state.update(workspace(ctx), ctx.pathParam("phone"), jsonBody(ctx)))));
    router.get("/get-phone-number/:phone").handler(api(ctx -> Replies.json(ctx, 200,
        state.get(workspace(ctx), ctx.pathParam("phone")))));
    router.delete("/delete-phone-number/:phone").handler(api(ctx -> {
      state.delete(workspace(ctx), ctx.pathParam("phone"));
      Replies.noContent(ctx);
    }));
    router.get("/v2/list-phone-numbers").handler(api(this::list));
    router.route().handler(ctx -> writeError(ctx, 404, null, "Not found: " + ctx.request().method() + " "
        + ctx.normalizedPath()));
    router.errorHandler(500, ctx -> writeError(ctx, 500, null, null));
    return router;
  }

  private void mountAdmin(Router router) {
    String prefix = AdminRoutes.PREFIX;
    router.get(prefix + "/rate-limit").handler(ctx -> AdminRoutes.ok(ctx,
        new JsonObject().put("requestsPerSecond", rateLimiter.ratePerSecond())));
    router.put(prefix + "/rate-limit").handler(ctx -> {
      JsonObject body = AdminRoutes.body(ctx);
      if (body == null) {
        return;
      }
      try {
        rateLimiter.ratePerSecond(body.getInteger("requestsPerSecond", 0));
        AdminRoutes.ok(ctx, new JsonObject().put("requestsPerSecond", rateLimiter.ratePerSecond()));
      } catch (IllegalArgumentException | ClassCastException e) {
        AdminRoutes.badRequest(ctx, "requestsPerSecond must be an integer >= 0");
      }
    });
    // Seeding and inspection name the workspace with the same Bearer header as the API.
    router.post(prefix + "/numbers").handler(admin(ctx -> {
      JsonObject body = AdminRoutes.body(ctx);
      if (body != null) {
        Replies.json(ctx, 201, state.importNumber(ctx.get(WORKSPACE_KEY), body, true));
      }
    }));
    router.get(prefix + "/numbers").handler(admin(ctx -> {
      JsonObject reply = new JsonObject().put("items", new JsonArray(
          state.viewAll(ctx.get(WORKSPACE_KEY))));
      AdminRoutes.ok(ctx, reply);
    }));
    router.post(prefix + "/numbers/:phone/check-password").handler(admin(ctx -> {
      JsonObject body = AdminRoutes.body(ctx);
      if (body != null) {
        String password = body.getValue("password") instanceof String p ? p : null;
        AdminRoutes.ok(ctx, new JsonObject().put("matches", password != null
            && state.checkPassword(ctx.get(WORKSPACE_KEY), ctx.pathParam("phone"), password)));
      }
    }));
  }

  private Handler<RoutingContext> admin(Handler<RoutingContext> handler) {
    return ctx -> {
      String key = bearerKey(ctx);
      if (key == null) {
        writeError(ctx, 401, null, "admin number endpoints need the workspace's Authorization: Bearer header");
        return;
      }
      ctx.put(WORKSPACE_KEY, workspaceId(key));
      api(handler).handle(ctx);
    };
  }

  private void authenticate(RoutingContext ctx) {
    String key = bearerKey(ctx);
    String workspace = key == null ? null : workspaceId(key);
    requests.record(ctx.request().method().name(), ctx.normalizedPath(), workspace);
    if (workspace == null) {
      writeError(ctx, 401, null, "Unauthorized: a Bearer API key is required");
      return;
    }
    ctx.put(WORKSPACE_KEY, workspace);
    ctx.next();
  }

  private void rateLimit(RoutingContext ctx) {
    long retryAfter = rateLimiter.acquire(ctx.get(WORKSPACE_KEY));
    if (retryAfter > 0) {
      ctx.response().putHeader("Retry-After", Long.toString(retryAfter));
      writeError(ctx, 429, null, "Too many requests: rate limit exceeded");
      return;
    }
    ctx.next();
  }

  private void list(RoutingContext ctx) {
    int limit = RetellWorkspaces.DEFAULT_LIST_LIMIT;
    String rawLimit = ctx.queryParams().get("limit");
    if (rawLimit != null) {
      try {
        limit = Integer.parseInt(rawLimit);
      } catch (NumberFormatException e) {
        throw new RetellException(400, "limit must be an integer");
      }
      if (limit < 1 || limit > RetellWorkspaces.MAX_LIST_LIMIT) {
        throw new RetellException(400, "limit must be within 1.." + RetellWorkspaces.MAX_LIST_LIMIT);
      }
    }
    String sortOrder = ctx.queryParams().get("sort_order");
    if (sortOrder != null && !sortOrder.equals("ascending") && !sortOrder.equals("descending")) {
      throw new RetellException(400, "sort_order must be ascending or descending");
    }
    Replies.json(ctx, 200, state.list(workspace(ctx), limit, ctx.queryParams().get("pagination_key"),
        "ascending".equals(sortOrder)));
  }

  private static Handler<RoutingContext> api(Handler<RoutingContext> handler) {
    return ctx -> {
      try {
        handler.handle(ctx);
      } catch (RetellException e) {
        writeError(ctx, e.status, null, e.getMessage());
      }
    };
  }

  private static String workspace(RoutingContext ctx) {
    return ctx.get(WORKSPACE_KEY);
  }

  private static JsonObject jsonBody(RoutingContext ctx) {
    if (ctx.body().length() == 0) {
      throw new RetellException(400, "a JSON body is required");
    }
    try {
      JsonObject body = ctx.body().asJsonObject();
      if (body == null) {
        throw new RetellException(400, "a JSON body is required");
      }
      return body;
    } catch (DecodeException | ClassCastException e) {
      throw new RetellException(400, "the body is not a JSON object");
    }
  }

  private static String bearerKey(RoutingContext ctx) {
    String header = ctx.request().getHeader("Authorization");
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    String key = header.substring(7).trim();
    return key.isEmpty() ? null : key;
  }

  /** Retell's error body: a JSON object with a message (what the official SDK shows as the error message). */
  static void writeError(RoutingContext ctx, int status, Integer code, String message) {
    Replies.json(ctx, status, new JsonObject().put("status", status)
        .put("message", message != null ? message : defaultMessage(status)));
  }

  private static String defaultMessage(int status) {
    return switch (status) {
      case 400 -> "Bad request";
      case 401 -> "Unauthorized";
      case 404 -> "Not found";
      case 409 -> "Conflict";
      case 422 -> "Unprocessable content";
      case 429 -> "Too many requests";
      case 503 -> "Service unavailable";
      default -> status >= 500 ? "Internal server error" : "Request failed";
    };
  }
}
