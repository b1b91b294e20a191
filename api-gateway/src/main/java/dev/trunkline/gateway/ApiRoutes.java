package dev.trunkline.gateway;

import dev.trunkline.contract.Inputs;
import dev.trunkline.contract.ProvisioningClient;
import dev.trunkline.contract.ProvisioningMessages.ConnectRetell;
import dev.trunkline.contract.ProvisioningMessages.ConnectTwilio;
import dev.trunkline.contract.ProvisioningMessages.FlowReply;
import dev.trunkline.contract.ProvisioningMessages.ImportNumber;
import dev.trunkline.contract.ProvisioningMessages.ListNumbers;
import dev.trunkline.contract.ProvisioningMessages.PurchaseNumber;
import dev.trunkline.contract.ProvisioningMessages.RemoveNumber;
import dev.trunkline.contract.ProvisioningMessages.SearchNumbers;
import dev.trunkline.contract.ProvisioningMessages.SetupTrunk;
import dev.trunkline.contract.ProvisioningMessages.Teardown;
import dev.trunkline.contract.ProvisioningMessages.Audit;
import dev.trunkline.contract.ProvisioningMessages.CancelOperation;
import dev.trunkline.contract.ProvisioningMessages.Fix;
import dev.trunkline.contract.ProvisioningMessages.GetOperation;
import dev.trunkline.contract.ProvisioningMessages.ListOperations;
import dev.trunkline.contract.ProvisioningMessages.RunOperation;
import dev.trunkline.contract.Secret;
import dev.trunkline.contract.TenantRef;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;
import java.util.Locale;

/**
 * The HTTP API's route table. {@link #router()} reads top to bottom: the handlers every request passes,
 * then each route with its guard (tenant token or service token), its per-tenant rate limit and its handler
 * (one private method per route below). Route names are the OpenAPI operationIds.
 */
final class ApiRoutes {
  static final String PREFIX = "/api/connectors/:subaccountId";


  private static final InputSpec CONNECT_TWILIO = InputSpec.body()
      .requiredString("accountSid", Inputs.ACCOUNT_SID, "a Twilio Account SID (AC followed by 32 hex characters)")
      .requiredString("authToken", Inputs.ANY_SECRET, "a Twilio auth token (8 to 512 printable characters)");
  private static final InputSpec CONNECT_RETELL = InputSpec.body()
      .requiredString("apiKey", Inputs.ANY_SECRET, "a Retell API key (8 to 512 printable characters)");
  private static final InputSpec SETUP = InputSpec.body()
      .optionalString("addressSid", Inputs.ADDRESS_SID, "an Address SID (AD followed by 32 hex characters)")
      .optionalString("emergencyAddressSid", Inputs.ADDRESS_SID,
          "an Address SID (AD followed by 32 hex characters)")
      .optionalString("bundleSid", Inputs.BUNDLE_SID, "a Bundle SID (BU followed by 32 hex characters)");
  private static final InputSpec SEARCH = InputSpec.query()
      .optionalString("countryCode", Inputs.COUNTRY_CODE, "an ISO 3166 alpha-2 country code such as US")
      .optionalString("areaCode", Inputs.AREA_CODE, "1 to 5 digits")
      .optionalString("contains", Inputs.CONTAINS, "1 to 16 digits, letters or *")
      .optionalString("type", Inputs.NUMBER_TYPE, "local, mobile or tollFree")
      .optionalInteger("limit", 1, 50);
  private static final InputSpec ONE_NUMBER = InputSpec.body()
      .requiredString("phoneNumber", Inputs.E164, "an E.164 number such as +14155550100");
  private static final InputSpec LIST = InputSpec.query()
      .optionalInteger("limit", 1, 200)
      .optionalString("after", Inputs.E164, "the next value of the previous page");
  private static final InputSpec REMOVE = InputSpec.query().optionalBoolean("release");
  private static final InputSpec AUDIT = InputSpec.query()
      .optionalString("phoneNumber", Inputs.E164, "an E.164 number such as +14155550100");
  private static final InputSpec FIX = InputSpec.body()
      .optionalString("phoneNumber", Inputs.E164, "an E.164 number such as +14155550100")
      .optionalBoolean("importMissing")
      .optionalBoolean("dryRun");
  private static final InputSpec OPERATION_PAGE = InputSpec.query()
      .optionalInteger("limit", 1, 500)
      .optionalString("after", OperationHeaders.SEQ, "the next value of the previous page");
  private static final InputSpec OPERATION_LIST = InputSpec.query().optionalInteger("limit", 1, 100);
  private static final InputSpec NO_INPUT = InputSpec.body();
  private static final InputSpec NO_QUERY = InputSpec.query();

  private final Vertx vertx;
  private final GatewayConfig config;
  private final Buffer openApi;
  private final ErrorMapper errors;
  private final TokenAuth tokenAuth;
  private final ServiceTokenAuth serviceAuth;
  private final TenantRateLimiter limiter;
  private final ClientAddressLimiter addresses;
  private final FrontDoorMetrics frontDoorMetrics = FrontDoorMetrics.forVertxRegistry();
  private final HealthRoutes health;
  private final ProvisioningClient provisioning;
  private final OperationEvents operationEvents;

  ApiRoutes(Vertx vertx, GatewayConfig config, Buffer openApi) {
    this.vertx = vertx;
    this.config = config;
    this.openApi = openApi;
    this.errors = new ErrorMapper(config.bodyLimitBytes());
    this.tokenAuth = new TokenAuth(vertx, config);
    this.serviceAuth = new ServiceTokenAuth(config.serviceToken());
    this.limiter = TenantRateLimiter.forNode(vertx);
    this.addresses = ClientAddressLimiter.forNode(vertx);
    this.health = new HealthRoutes(vertx, config.readyTimeoutMs());
    this.provisioning = new ProvisioningClient(vertx, config.flowTimeoutMs(), config.fanOutTimeoutMs());
    this.operationEvents = new OperationEvents(vertx, provisioning);
  }

  Router router() {
    Router router = Router.router(vertx);
    router.route().handler(new RequestIds());
    router.route().handler(ApiRoutes::noCachingNoSniffing);

    // The operator's routes first: neither the per-address limit nor a body stands between a probe or a scrape
    // and its answer.
    router.get("/health/live").setName("healthLive").handler(health::live);
    router.get("/health/ready").setName("healthReady").handler(health::ready);
    if (vertx.isMetricsEnabled() && config.metricsOnApiPort()) {
      // Prometheus text format. No tenant data in any label (routes are named, never labelled by path).
      // With metrics.port set the node serves /metrics there instead, off the public port (docs/deployment.md).
      router.get("/metrics").setName("metrics").handler(PrometheusScrapingHandler.create());
    }
    router.route().handler(this::addressLimit);
    router.route().handler(BodyHandler.create(false).setBodyLimit(config.bodyLimitBytes()));

    router.get("/openapi.yaml").setName("openApi").handler(this::openApiDocument);

    tenantRoute(router, HttpMethod.PUT, "/twilio", "connectTwilio", this::connectTwilio);
    tenantRoute(router, HttpMethod.PUT, "/retell", "connectRetell", this::connectRetell);
    tenantRoute(router, HttpMethod.POST, "/twilio/setup", "setupTrunk", this::setupTrunk);
    tenantRoute(router, HttpMethod.GET, "/twilio/trunk", "getTrunk", this::getTrunk);
    tenantRoute(router, HttpMethod.GET, "/twilio/availablePhoneNumbers", "searchPhoneNumbers",
        this::searchPhoneNumbers);
    tenantRoute(router, HttpMethod.POST, "/twilio/phoneNumbers/purchase", "purchasePhoneNumber",
        this::purchasePhoneNumber);
    tenantRoute(router, HttpMethod.POST, "/twilio/phoneNumbers/import", "importPhoneNumber",
        this::importPhoneNumber);
    tenantRoute(router, HttpMethod.GET, "/phone-numbers", "listPhoneNumbers", this::listPhoneNumbers);
    tenantRoute(router, HttpMethod.DELETE, "/phone-numbers/:phoneNumber", "removePhoneNumber",
        this::removePhoneNumber);
    tenantRoute(router, HttpMethod.GET, "/twilio/retell-credentials", "auditRetellCredentials",
        this::auditRetellCredentials);
    tenantRoute(router, HttpMethod.POST, "/twilio/fix-retell-credentials", "fixRetellCredentials",
        this::fixRetellCredentials);
    tenantRoute(router, HttpMethod.POST, "/twilio/credentials/rotate", "rotateCredentials",
        this::rotateCredentials);
    tenantRoute(router, HttpMethod.GET, "/operations", "listOperations", this::listOperations);
    tenantRoute(router, HttpMethod.GET, "/operations/:operationId", "getOperation", this::getOperation);
    tenantRoute(router, HttpMethod.DELETE, "/operations/:operationId", "cancelOperation", this::cancelOperation);
    tenantRoute(router, HttpMethod.GET, "/operations/:operationId/events", "streamOperationEvents",
        this::streamOperationEvents);
    serviceRoute(router, HttpMethod.DELETE, "/twilio-trunk", "teardownTrunk", this::teardownTrunk);

    router.route().failureHandler(errors::handle);
    router.errorHandler(404, errors::handle);
    router.errorHandler(405, errors::handle);
    return router;
  }

  /** Replies carry tenant data: no cache may keep them, no browser may guess their type. */
  private static void noCachingNoSniffing(RoutingContext ctx) {
    ctx.response().putHeader("Cache-Control", "no-store").putHeader("X-Content-Type-Options", "nosniff");
    ctx.next();
  }

  // ---- guards --------------------------------------------------------------------------------------

  private void tenantRoute(Router router, HttpMethod method, String path, String name,
      Handler<RoutingContext> handler) {
    router.route(method, PREFIX + path).setName(name)
        .handler(ctx -> {
          RequestIds.operation(ctx, name);
          ctx.next();
        })
        .handler(tokenAuth)
        .handler(ctx -> rateLimit(ctx, name))
        .handler(handler);
  }

  private void serviceRoute(Router router, HttpMethod method, String path, String name,
      Handler<RoutingContext> handler) {
    router.route(method, PREFIX + path).setName(name)
        .handler(ctx -> {
          RequestIds.operation(ctx, name);
          ctx.next();
        })
        .handler(serviceAuth)
        .handler(handler);
  }

  /**
   * Before authentication and before the body is read: an address whose requests keep ending unauthenticated (bad
   * or missing tokens, unknown routes) beyond {@code gateway.rateLimit.unauthenticatedPerMinute} is answered 429
   * at the cost of a map lookup. Requests that authenticate are never counted.
   */
  private void addressLimit(RoutingContext ctx) {
    int perMinute = config.unauthenticatedPerMinute();
    if (perMinute == 0) {
      ctx.next();
      return;
    }
    SocketAddress address = ctx.request().remoteAddress();
    long waitSeconds = addresses.waitSeconds(address, perMinute);
    if (waitSeconds > 0) {
      frontDoorMetrics.addressLimited();
      ctx.fail(ApiErrors.addressRateLimited(waitSeconds));
      return;
    }
    ctx.addBodyEndHandler(v -> {
      // Not a request whose connection was gone before its answer (cut off by the connection guard, say): Vert.x
      // still ends such a response, but nobody asked anything of the gateway's authentication.
      if (TokenAuth.caller(ctx) == null && !ServiceTokenAuth.passed(ctx) && !ctx.response().closed()) {
        addresses.charge(address, perMinute);
      }
    });
    ctx.next();
  }

  private void rateLimit(RoutingContext ctx, String routeName) {
    long waitSeconds = limiter.acquire(tenant(ctx), routeName, config.requestsPerMinute(routeName));
    if (waitSeconds == 0) {
      ctx.next();
    } else {
      ctx.fail(ApiErrors.rateLimited(waitSeconds));
    }
  }

  // ---- handlers, one per route ---------------------------------------------------------------------

  private void openApiDocument(RoutingContext ctx) {
    ctx.response().putHeader("Content-Type", "application/yaml").end(openApi);
  }

  private void connectTwilio(RoutingContext ctx) {
    JsonObject body = CONNECT_TWILIO.parseBody(ctx);
    respond(ctx, provisioning.connectTwilio(new ConnectTwilio(tenant(ctx), body.getString("accountSid"),
        new Secret(body.getString("authToken"))), RequestIds.of(ctx)));
  }

  private void connectRetell(RoutingContext ctx) {
    JsonObject body = CONNECT_RETELL.parseBody(ctx);
    respond(ctx, provisioning.connectRetell(new ConnectRetell(tenant(ctx), new Secret(body.getString("apiKey"))),
        RequestIds.of(ctx)));
  }

  private void setupTrunk(RoutingContext ctx) {
    JsonObject body = SETUP.parseBody(ctx);
    respond(ctx, provisioning.setup(new SetupTrunk(tenant(ctx), body.getString("addressSid"),
        body.getString("emergencyAddressSid"), body.getString("bundleSid")), RequestIds.of(ctx)));
  }

  private void getTrunk(RoutingContext ctx) {
    NO_QUERY.parseQuery(ctx);
    respond(ctx, provisioning.trunkStatus(new TenantRef(tenant(ctx)), RequestIds.of(ctx)));
  }

  private void searchPhoneNumbers(RoutingContext ctx) {
    JsonObject query = SEARCH.parseQuery(ctx);
    respond(ctx, provisioning.search(new SearchNumbers(tenant(ctx), query.getString("countryCode"),
        query.getString("areaCode"), query.getString("contains"), query.getString("type"),
        query.getInteger("limit")), RequestIds.of(ctx)));
  }

  private void purchasePhoneNumber(RoutingContext ctx) {
    String key = ctx.request().getHeader("Idempotency-Key");
    if (key == null) {
      throw ApiErrors.missingField("Idempotency-Key", "a header of 1 to 128 letters, digits or ._:-");
    }
    if (!Inputs.IDEMPOTENCY_KEY.matcher(key).matches()) {
      throw ApiErrors.invalidField("Idempotency-Key", "1 to 128 letters, digits or ._:-");
    }
    JsonObject body = ONE_NUMBER.parseBody(ctx);
    respond(ctx, provisioning.purchase(new PurchaseNumber(tenant(ctx), body.getString("phoneNumber"), key),
        RequestIds.of(ctx)));
  }

  private void importPhoneNumber(RoutingContext ctx) {
    JsonObject body = ONE_NUMBER.parseBody(ctx);
    respond(ctx, provisioning.importNumber(new ImportNumber(tenant(ctx), body.getString("phoneNumber")),
        RequestIds.of(ctx)));
  }

  private void listPhoneNumbers(RoutingContext ctx) {
    JsonObject query = LIST.parseQuery(ctx);
    respond(ctx, provisioning.list(new ListNumbers(tenant(ctx), query.getInteger("limit"), query.getString("after")),
        RequestIds.of(ctx)));
  }

  private void removePhoneNumber(RoutingContext ctx) {
    String phoneNumber = Inputs.requirePhoneNumber(ctx.pathParam("phoneNumber"));
    boolean release = REMOVE.parseQuery(ctx).getBoolean("release", false);
    respond(ctx, provisioning.remove(new RemoveNumber(tenant(ctx), phoneNumber, release), RequestIds.of(ctx)));
  }

  private void auditRetellCredentials(RoutingContext ctx) {
    JsonObject query = AUDIT.parseQuery(ctx);
    String phoneNumber = query.getString("phoneNumber");
    if (phoneNumber != null) {
      // One number is one Retell call: it is answered as it is, never made an operation nor joined to one.
      respond(ctx, cancelledOnDisconnect(ctx, provisioning.audit(new Audit(tenant(ctx), phoneNumber),
          RequestIds.of(ctx))));
      return;
    }
    operation(ctx, "audit", query);
  }

  private void fixRetellCredentials(RoutingContext ctx) {
    JsonObject body = FIX.parseBody(ctx);
    if (body.getString("phoneNumber") != null) {
      respond(ctx, cancelledOnDisconnect(ctx, provisioning.fix(new Fix(tenant(ctx), body.getString("phoneNumber"),
          body.getBoolean("importMissing", false), body.getBoolean("dryRun", false)), RequestIds.of(ctx))));
      return;
    }
    operation(ctx, "fix", body);
  }

  private void rotateCredentials(RoutingContext ctx) {
    NO_INPUT.parseBody(ctx);
    operation(ctx, "rotate", new JsonObject());
  }

  /**
   * An audit, fix or rotation runs as an operation (docs/api.md "Long operations"): with {@code Prefer:
   * respond-async} the answer is 202 at once; without it the final report as before, unless the operation outlasts
   * {@code gateway.operationSyncWaitMs}, then 202 as well. Either way a running one of the tenant's is joined (200).
   * A request for one number is not an operation (its handler answers it directly).
   */
  private void operation(RoutingContext ctx, String kind, JsonObject params) {
    boolean async = OperationHeaders.respondAsync(ctx.request().getHeader("Prefer"));
    String key = OperationHeaders.idempotencyKey(ctx.request().getHeader("Idempotency-Key"));
    long wait = async ? 0 : Math.min(config.operationSyncWaitMs(), config.fanOutTimeoutMs());
    Future<FlowReply> reply = provisioning.runOperation(new RunOperation(tenant(ctx), kind, params.getMap(), key,
        wait), RequestIds.of(ctx));
    if (async) {
      ctx.response().putHeader("Preference-Applied", "respond-async");
    }
    respond(ctx, async ? reply : cancelledOnDisconnect(ctx, reply));
  }

  private void getOperation(RoutingContext ctx) {
    JsonObject query = OPERATION_PAGE.parseQuery(ctx);
    String after = query.getString("after");
    respond(ctx, provisioning.operation(new GetOperation(tenant(ctx), OperationHeaders.operationId(ctx),
        after == null ? null : Long.valueOf(after), query.getInteger("limit")), RequestIds.of(ctx)));
  }

  private void listOperations(RoutingContext ctx) {
    JsonObject query = OPERATION_LIST.parseQuery(ctx);
    respond(ctx, provisioning.operations(new ListOperations(tenant(ctx), query.getInteger("limit")),
        RequestIds.of(ctx)));
  }

  /** Server-Sent Events; {@code Last-Event-ID} (a result's seq) resumes after that result. */
  private void streamOperationEvents(RoutingContext ctx) {
    NO_QUERY.parseQuery(ctx);
    String lastEventId = OperationHeaders.lastEventId(ctx.request().getHeader("Last-Event-ID"));
    operationEvents.stream(ctx, tenant(ctx), OperationHeaders.operationId(ctx),
        lastEventId == null ? null : Long.valueOf(lastEventId));
  }

  private void cancelOperation(RoutingContext ctx) {
    respond(ctx, provisioning.cancelOperation(new CancelOperation(tenant(ctx), OperationHeaders.operationId(ctx)),
        RequestIds.of(ctx)));
  }

  private void teardownTrunk(RoutingContext ctx) {
    respond(ctx, provisioning.teardown(new Teardown(tenant(ctx)), RequestIds.of(ctx)));
  }

  // ---- plumbing ------------------------------------------------------------------------------------

  /** The path's tenant in canonical (lower-case) form; the guards have checked its shape. */
  private static String tenant(RoutingContext ctx) {
    return ctx.pathParam("subaccountId").toLowerCase(Locale.ROOT);
  }

  /**
   * A client that disconnects from an audit, fix or rotation will never read its answer: the provisioning service is
   * asked to start no new numbers (what is in flight finishes).
   */
  private Future<FlowReply> cancelledOnDisconnect(RoutingContext ctx, Future<FlowReply> reply) {
    String requestId = RequestIds.of(ctx);
    String tenant = tenant(ctx);
    ctx.response().closeHandler(v -> {
      if (!reply.isComplete()) {
        provisioning.cancel(tenant, requestId);
      }
    });
    return reply;
  }

  /** The flow's answer as it is: its status, headers and body; a flow that could not run goes to the ErrorMapper. */
  private static void respond(RoutingContext ctx, Future<FlowReply> reply) {
    reply.onSuccess(r -> {
      if (ctx.response().closed() || ctx.response().ended()) {
        return;
      }
      if (r.headers() != null) {
        r.headers().forEach(ctx.response()::putHeader);
      }
      ctx.response().setStatusCode(r.status()).putHeader("Content-Type", "application/json")
          .end(new JsonObject(r.body()).encode());
    }).onFailure(ctx::fail);
  }
}
