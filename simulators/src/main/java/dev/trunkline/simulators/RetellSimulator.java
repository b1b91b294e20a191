package dev.trunkline.simulators;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
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
  private static final String OPERATION_KEY = "retell.operation";
  /** Retell's answer to a number it does not have (get, update, delete): 422, not 404. */
  static final String UNKNOWN_ASSET = "Cannot find requested asset under given api key.";

  private final Vertx vertx;
  private final RetellWorkspaces state = new RetellWorkspaces();
  private final Faults faults = new Faults();
  private final RequestLog requests = new RequestLog();
  private final RateLimiter rateLimiter;
  private final SimulatorOptions options;
  private RetellContract contract;
  private HttpSimulatorVerticle verticle;

  private RetellSimulator(Vertx vertx, SimulatorOptions options) {
    this.vertx = vertx;
    this.options = options;
    this.rateLimiter = new RateLimiter(options.rateLimitPerSecond(), System::nanoTime);
  }

  /** Starts a simulator on {@code opts.host()}:{@code opts.port()} (port 0 = a free port). */
  public static Future<RetellSimulator> start(Vertx vertx, SimulatorOptions opts) {
    RetellSimulator sim = new RetellSimulator(vertx, (opts == null ? new SimulatorOptions() : opts).copy());
    return RetellOpenApi.load(vertx)
        .compose(document -> {
          sim.contract = new RetellContract(vertx, document);
          return HttpSimulatorVerticle.deploy(vertx, sim.options, v -> sim.router());
        })
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

  /**
   * The replies this simulator gave, by operation and status, and every reply of its own that Retell's OpenAPI
   * document does not allow ({@code violations()}, which must stay empty).
   */
  public ContractReport contract() {
    return new ContractReport(contract.replies(), contract.violations());
  }

  /**
   * What {@link #contract()} reports: {@code replies} maps "operationId status" (with "(injected)", "(rate limit)" or
   * "(request outside the document)" after the exempt ones) to a count; {@code violations} names each reply that
   * broke the document.
   */
  public record ContractReport(java.util.Map<String, Long> replies, List<String> violations) {}

  /** The statuses Retell's document lists for one of the served operations (e.g. "getPhoneNumber"). */
  public java.util.Set<Integer> documentedStatuses(String operationId) {
    return contract.documentedStatuses(operationId);
  }

  /** Changes the per-API-key rate limit (requests per second, 0 = unlimited) at runtime. */
  public RetellSimulator rateLimitPerSecond(int perSecond) {
    rateLimiter.ratePerSecond(perSecond);
    return this;
  }

  public int rateLimitPerSecond() {
    return rateLimiter.ratePerSecond();
  }

  /** How many requests the rate limit answered 429 since the simulator started or its rate was last set. */
  public long rateLimited() {
    return rateLimiter.rejected();
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
    contract.reset();
  }

  private Router router() {
    Router router = Router.router(vertx);
    router.route().handler(BodyHandler.create(false).setBodyLimit(options.maxBodyBytes()));
    AdminRoutes.mountCommon(router, faults, requests, this::reset);
    mountAdmin(router);
    AdminRoutes.mountFallback(router);

    operation(router, HttpMethod.POST, "/import-phone-number", "importPhoneNumber", ctx -> reply(ctx, 201,
        state.importNumber(workspace(ctx), ctx.body().asJsonObject(), false)));
    operation(router, HttpMethod.PATCH, "/update-phone-number/:phone_number", "updatePhoneNumber",
        ctx -> reply(ctx, 200, state.update(workspace(ctx), ctx.pathParam("phone_number"),
            ctx.body().asJsonObject())));
    operation(router, HttpMethod.GET, "/get-phone-number/:phone_number", "getPhoneNumber", ctx -> reply(ctx, 200,
        state.get(workspace(ctx), ctx.pathParam("phone_number"))));
    operation(router, HttpMethod.DELETE, "/delete-phone-number/:phone_number", "deletePhoneNumber", ctx -> {
      state.delete(workspace(ctx), ctx.pathParam("phone_number"));
      reply(ctx, 204, null);
    });
    operation(router, HttpMethod.GET, "/v2/list-phone-numbers", "listPhoneNumbersV2", this::list);
    router.route().handler(this::authenticate);
    router.route().handler(ctx -> writeError(ctx, 404, null, "Not found: " + ctx.request().method() + " "
        + ctx.normalizedPath()));
    router.errorHandler(500, ctx -> writeError(ctx, 500, null, null));
    return router;
  }

  /**
   * One operation of Retell's document: authentication, the optional rate limit, fault injection, then the request
   * validated against the document, and only then the handler (whose reply is checked against the document too).
   */
  private void operation(Router router, HttpMethod method, String path, String operationId,
      Handler<RoutingContext> handler) {
    router.route(method, path)
        .handler(ctx -> {
          ctx.put(OPERATION_KEY, operationId);
          ctx.next();
        })
        .handler(this::authenticate)
        .handler(this::rateLimit)
        .handler(faults.handler(vertx, (ctx, status, code, message) -> {
          ctx.put(RetellContract.EXEMPTION_KEY, RetellContract.INJECTED);
          writeError(ctx, status, code, message);
        }))
        .handler(contract.requestValidator(operationId, this::writeError))
        .handler(api(handler));
  }

  private void mountAdmin(Router router) {
    String prefix = AdminRoutes.PREFIX;
    router.get(prefix + "/contract").handler(ctx -> AdminRoutes.ok(ctx, contract.toJson()));
    router.get(prefix + "/rate-limit").handler(ctx -> AdminRoutes.ok(ctx,
        new JsonObject().put("requestsPerSecond", rateLimiter.ratePerSecond())
            .put("rejected", rateLimiter.rejected())));
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
      writeError(ctx, 401, null, null);
      return;
    }
    ctx.put(WORKSPACE_KEY, workspace);
    ctx.next();
  }

  private void rateLimit(RoutingContext ctx) {
    long retryAfter = rateLimiter.acquire(ctx.get(WORKSPACE_KEY));
    if (retryAfter > 0) {
      ctx.response().putHeader("Retry-After", Long.toString(retryAfter));
      ctx.put(RetellContract.EXEMPTION_KEY, RetellContract.RATE_LIMIT);
      writeError(ctx, 429, null, null);
      return;
    }
    ctx.next();
  }

  /** The request was validated against the document (limit an integer of at most 1000, the sort order's enum). */
  private void list(RoutingContext ctx) {
    String rawLimit = ctx.queryParams().get("limit");
    // The document sets no minimum; a limit below 1 gets one item rather than an answer the document lacks.
    int limit = rawLimit == null ? RetellWorkspaces.DEFAULT_LIST_LIMIT : Math.max(1, Integer.parseInt(rawLimit));
    // The document's default order is descending (newest first).
    boolean ascending = "ascending".equals(ctx.queryParams().get("sort_order"));
    String paginationKey = ctx.queryParams().get("pagination_key");
    if (paginationKey != null && !state.hasNumber(workspace(ctx), paginationKey)) {
      // A key Retell never issued: the document describes no answer to that request.
      ctx.put(RetellContract.EXEMPTION_KEY, RetellContract.OUTSIDE_DOCUMENT);
      throw new RetellException(400, "pagination_key does not name a phone number of this workspace");
    }
    reply(ctx, 200, state.list(workspace(ctx), limit, paginationKey, ascending));
  }

  private Handler<RoutingContext> api(Handler<RoutingContext> handler) {
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

  private static String bearerKey(RoutingContext ctx) {
    String header = ctx.request().getHeader("Authorization");
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    String key = header.substring(7).trim();
    return key.isEmpty() ? null : key;
  }

  /** A reply of the simulator's own: checked against the document for the request's operation, then sent. */
  private void reply(RoutingContext ctx, int status, JsonObject body) {
    String operationId = ctx.get(OPERATION_KEY);
    if (operationId != null) {
      contract.checkReply(ctx, operationId, status, body);
    }
    if (body == null) {
      Replies.noContent(ctx);
    } else {
      Replies.json(ctx, status, body);
    }
  }

  /** Retell's error body, {@code {"status":"error","message":...}}, with the document's message by default. */
  void writeError(RoutingContext ctx, int status, Integer code, String message) {
    reply(ctx, status, errorBody(status, message));
  }

  static JsonObject errorBody(int status, String message) {
    return new JsonObject().put("status", "error").put("message", message != null ? message : defaultMessage(status));
  }

  /** The example messages of the document's error responses; other statuses get a plain phrase. */
  static String defaultMessage(int status) {
    return switch (status) {
      case 400 -> RetellContract.INVALID_REQUEST;
      case 401 -> "API key is missing or invalid.";
      case 402 -> "Trial has ended, please add payment method.";
      case 403 -> "Forbidden";
      case 404 -> "The requested resource was not found.";
      case 422 -> UNKNOWN_ASSET;
      case 429 -> "Account rate limited, please throttle your requests.";
      case 500 -> "An unexpected server error occurred.";
      case 503 -> "Service unavailable.";
      default -> status >= 500 ? "An unexpected server error occurred." : "Request failed.";
    };
  }
}
