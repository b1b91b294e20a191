package dev.trunkline.gateway;

import dev.trunkline.contract.ProvisioningClient;
import dev.trunkline.contract.ProvisioningMessages.Audit;
import dev.trunkline.contract.ProvisioningMessages.CancelOperation;
import dev.trunkline.contract.ProvisioningMessages.ConnectRetell;
import dev.trunkline.contract.ProvisioningMessages.ConnectTwilio;
import dev.trunkline.contract.ProvisioningMessages.DriftPolicy;
import dev.trunkline.contract.ProvisioningMessages.DriftStatus;
import dev.trunkline.contract.ProvisioningMessages.Fix;
import dev.trunkline.contract.ProvisioningMessages.FlowReply;
import dev.trunkline.contract.ProvisioningMessages.GetOperation;
import dev.trunkline.contract.ProvisioningMessages.ImportNumber;
import dev.trunkline.contract.ProvisioningMessages.ListNumbers;
import dev.trunkline.contract.ProvisioningMessages.ListOperations;
import dev.trunkline.contract.ProvisioningMessages.PurchaseNumber;
import dev.trunkline.contract.ProvisioningMessages.RemoveNumber;
import dev.trunkline.contract.ProvisioningMessages.RunOperation;
import dev.trunkline.contract.ProvisioningMessages.SearchNumbers;
import dev.trunkline.contract.ProvisioningMessages.SetupTrunk;
import dev.trunkline.contract.ProvisioningMessages.Teardown;
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
 * (one private method per route below). Route names are the OpenAPI operationIds, and each route validates its
 * request against its operation in openapi.yaml (ApiContract) before its handler reads the validated values.
 */
final class ApiRoutes {
  static final String PREFIX = "/api/connectors/:subaccountId";


  private final Vertx vertx;
  private final GatewayConfig config;
  private final Buffer openApi;
  private final ApiContract contract;
  private final ErrorMapper errors;
  private final TokenAuth tokenAuth;
  private final ServiceTokenAuth serviceAuth;
  private final TenantRateLimiter limiter;
  private final ClientAddressLimiter addresses;
  private final FrontDoorMetrics frontDoorMetrics = FrontDoorMetrics.forVertxRegistry();
  private final HealthRoutes health;
  private final ProvisioningClient provisioning;
  private final OperationEvents operationEvents;

  ApiRoutes(Vertx vertx, GatewayConfig config, Buffer openApi, ApiContract contract) {
    this.vertx = vertx;
    this.config = config;
    this.openApi = openApi;
    this.contract = contract;
    this.errors = new ErrorMapper(config.bodyLimitBytes());
    this.tokenAuth = new TokenAuth(vertx, config);
    this.serviceAuth = new ServiceTokenAuth(config.serviceToken());
    this.limiter = TenantRateLimiter.forNode(vertx);
    this.addresses = ClientAddressLimiter.forNode(vertx);
    this.health = new HealthRoutes(vertx, config.readyTimeoutMs(), null);
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
    tenantRoute(router, HttpMethod.GET, "/drift", "getDrift", this::getDrift);
    tenantRoute(router, HttpMethod.PUT, "/drift/policy", "setDriftPolicy", this::setDriftPolicy);
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
        .handler(contract.validator(name))
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
        .handler(contract.validator(name))
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
    JsonObject body = ApiContract.input(ctx).body();
    respond(ctx, provisioning.connectTwilio(new ConnectTwilio(tenant(ctx), body.getString("accountSid"),
        new Secret(body.getString("authToken"))), RequestIds.of(ctx)));
  }

  private void connectRetell(RoutingContext ctx) {
    JsonObject body = ApiContract.input(ctx).body();
    respond(ctx, provisioning.connectRetell(new ConnectRetell(tenant(ctx), new Secret(body.getString("apiKey"))),
        RequestIds.of(ctx)));
  }

  private void setupTrunk(RoutingContext ctx) {
    JsonObject body = ApiContract.input(ctx).body();
    respond(ctx, provisioning.setup(new SetupTrunk(tenant(ctx), body.getString("addressSid"),
        body.getString("emergencyAddressSid"), body.getString("bundleSid")), RequestIds.of(ctx)));
  }

  private void getTrunk(RoutingContext ctx) {
    respond(ctx, provisioning.trunkStatus(new TenantRef(tenant(ctx)), RequestIds.of(ctx)));
  }

  private void searchPhoneNumbers(RoutingContext ctx) {
    ApiContract.Input in = ApiContract.input(ctx);
    respond(ctx, provisioning.search(new SearchNumbers(tenant(ctx), in.string("countryCode"), in.string("areaCode"),
        in.string("contains"), in.string("type"), in.integer("limit")), RequestIds.of(ctx)));
  }

  private void purchasePhoneNumber(RoutingContext ctx) {
    ApiContract.Input in = ApiContract.input(ctx);
    respond(ctx, provisioning.purchase(new PurchaseNumber(tenant(ctx), in.body().getString("phoneNumber"),
        in.string("Idempotency-Key")), RequestIds.of(ctx)));
  }

  private void importPhoneNumber(RoutingContext ctx) {
    JsonObject body = ApiContract.input(ctx).body();
    respond(ctx, provisioning.importNumber(new ImportNumber(tenant(ctx), body.getString("phoneNumber")),
        RequestIds.of(ctx)));
  }

  private void listPhoneNumbers(RoutingContext ctx) {
    ApiContract.Input in = ApiContract.input(ctx);
    respond(ctx, provisioning.list(new ListNumbers(tenant(ctx), in.integer("limit"), in.string("after")),
        RequestIds.of(ctx)));
  }

  private void removePhoneNumber(RoutingContext ctx) {
    ApiContract.Input in = ApiContract.input(ctx);
    boolean release = Boolean.TRUE.equals(in.bool("release"));
    respond(ctx, provisioning.remove(new RemoveNumber(tenant(ctx), in.string("phoneNumber"), release),
        RequestIds.of(ctx)));
  }

  private void auditRetellCredentials(RoutingContext ctx) {
    ApiContract.Input in = ApiContract.input(ctx);
    String phoneNumber = in.string("phoneNumber");
    if (phoneNumber != null) {
      // One number is one Retell call: it is answered as it is, never made an operation nor joined to one.
      respond(ctx, cancelledOnDisconnect(ctx, provisioning.audit(new Audit(tenant(ctx), phoneNumber),
          RequestIds.of(ctx))));
      return;
    }
    operation(ctx, "audit", new JsonObject(), in);
  }

  private void fixRetellCredentials(RoutingContext ctx) {
    ApiContract.Input in = ApiContract.input(ctx);
    JsonObject body = in.body();
    if (body.getString("phoneNumber") != null) {
      respond(ctx, cancelledOnDisconnect(ctx, provisioning.fix(new Fix(tenant(ctx), body.getString("phoneNumber"),
          body.getBoolean("importMissing", false), body.getBoolean("dryRun", false)), RequestIds.of(ctx))));
      return;
    }
    operation(ctx, "fix", body, in);
  }

  private void rotateCredentials(RoutingContext ctx) {
    operation(ctx, "rotate", new JsonObject(), ApiContract.input(ctx));
  }

  /**
   * An audit, fix or rotation runs as an operation (docs/api.md "Long operations"): with {@code Prefer:
   * respond-async} the answer is 202 at once; without it the final report as before, unless the operation outlasts
   * {@code gateway.operationSyncWaitMs}, then 202 as well. Either way a running one of the tenant's is joined (200).
   * A request for one number is not an operation (its handler answers it directly).
   */
  private void operation(RoutingContext ctx, String kind, JsonObject params, ApiContract.Input in) {
    boolean async = OperationHeaders.respondAsync(in.string("Prefer"));
    String key = in.string("Idempotency-Key");
    long wait = async ? 0 : Math.min(config.operationSyncWaitMs(), config.fanOutTimeoutMs());
    Future<FlowReply> reply = provisioning.runOperation(new RunOperation(tenant(ctx), kind, params.getMap(), key,
        wait), RequestIds.of(ctx));
    if (async) {
      ctx.response().putHeader("Preference-Applied", "respond-async");
    }
    respond(ctx, async ? reply : cancelledOnDisconnect(ctx, reply));
  }

  private void getOperation(RoutingContext ctx) {
    ApiContract.Input in = ApiContract.input(ctx);
    String after = in.string("after");
    respond(ctx, provisioning.operation(new GetOperation(tenant(ctx), OperationHeaders.operationId(ctx),
        after == null ? null : Long.valueOf(after), in.integer("limit")), RequestIds.of(ctx)));
  }

  private void listOperations(RoutingContext ctx) {
    respond(ctx, provisioning.operations(new ListOperations(tenant(ctx), ApiContract.input(ctx).integer("limit")),
        RequestIds.of(ctx)));
  }

  /** Server-Sent Events; {@code Last-Event-ID} (a result's seq) resumes after that result. */
  private void streamOperationEvents(RoutingContext ctx) {
    String lastEventId = ApiContract.input(ctx).string("Last-Event-ID");
    operationEvents.stream(ctx, tenant(ctx), OperationHeaders.operationId(ctx),
        lastEventId == null ? null : Long.valueOf(lastEventId));
  }

  private void cancelOperation(RoutingContext ctx) {
    respond(ctx, provisioning.cancelOperation(new CancelOperation(tenant(ctx), OperationHeaders.operationId(ctx)),
        RequestIds.of(ctx)));
  }

  private void getDrift(RoutingContext ctx) {
    ApiContract.Input in = ApiContract.input(ctx);
    respond(ctx, provisioning.driftStatus(new DriftStatus(tenant(ctx), in.integer("limit"), in.string("after")),
        RequestIds.of(ctx)));
  }

  private void setDriftPolicy(RoutingContext ctx) {
    JsonObject body = ApiContract.input(ctx).body();
    respond(ctx, provisioning.driftPolicy(new DriftPolicy(tenant(ctx), body.getString("policy")),
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
