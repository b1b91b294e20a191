package dev.trunkline.gateway;

import dev.trunkline.contract.Inputs;
import dev.trunkline.contract.Secret;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The HTTP API's route table. {@link #router()} reads top to bottom: the handlers every request passes,
 * then each route with its guard (tenant token or service token), its per-tenant rate limit and its handler
 * (one private method per route below). Route names are the OpenAPI operationIds.
 */
final class ApiRoutes {
  static final String PREFIX = "/api/connectors/:subaccountId";

  private static final Pattern ANY_SECRET = Pattern.compile("^[\\x21-\\x7E]{8,512}$");
  private static final Pattern IDEMPOTENCY_KEY = Pattern.compile("^[A-Za-z0-9._:-]{1,128}$");

  private static final InputSpec CONNECT_TWILIO = InputSpec.body()
      .requiredString("accountSid", Inputs.ACCOUNT_SID, "a Twilio Account SID (AC followed by 32 hex characters)")
      .requiredString("authToken", ANY_SECRET, "a Twilio auth token (8 to 512 printable characters)");
  private static final InputSpec CONNECT_RETELL = InputSpec.body()
      .requiredString("apiKey", ANY_SECRET, "a Retell API key (8 to 512 printable characters)");
  private static final InputSpec SETUP = InputSpec.body()
      .optionalString("addressSid", Inputs.ADDRESS_SID, "an Address SID (AD followed by 32 hex characters)")
      .optionalString("emergencyAddressSid", Inputs.ADDRESS_SID,
          "an Address SID (AD followed by 32 hex characters)")
      .optionalString("bundleSid", Inputs.BUNDLE_SID, "a Bundle SID (BU followed by 32 hex characters)");
  private static final InputSpec SEARCH = InputSpec.query()
      .optionalString("countryCode", Pattern.compile("^[A-Z]{2}$"), "an ISO 3166 alpha-2 country code such as US")
      .optionalString("areaCode", Pattern.compile("^[0-9]{1,5}$"), "1 to 5 digits")
      .optionalString("contains", Pattern.compile("^[0-9A-Za-z*]{1,16}$"), "1 to 16 digits, letters or *")
      .optionalString("type", Pattern.compile("^(local|mobile|tollFree)$"), "local, mobile or tollFree")
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
  private final FixCredentialsFlow fix;
  private final AuditFlow audit;
  private final RotationFlow rotation;
  private final CredentialLeases leases;
  private final FanOutSlots fanOuts;

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
    this.leases = new CredentialLeases(vertx, config.credentialLeaseTtlMs(), config.busTimeoutMs());
    this.fix = new FixCredentialsFlow(vertx, config, leases);
    this.audit = new AuditFlow(vertx, config);
    this.rotation = new RotationFlow(vertx, config, leases);
    this.fanOuts = FanOutSlots.forNode(vertx);
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
    respond(ctx, ConnectorFlows.connectTwilio(upstream(ctx), tenant(ctx), body.getString("accountSid"),
        new Secret(body.getString("authToken"))));
  }

  private void connectRetell(RoutingContext ctx) {
    JsonObject body = CONNECT_RETELL.parseBody(ctx);
    respond(ctx, ConnectorFlows.connectRetell(upstream(ctx), tenant(ctx), new Secret(body.getString("apiKey"))));
  }

  private void setupTrunk(RoutingContext ctx) {
    respond(ctx, ConnectorFlows.setup(upstream(ctx), tenant(ctx), SETUP.parseBody(ctx)));
  }

  private void getTrunk(RoutingContext ctx) {
    NO_QUERY.parseQuery(ctx);
    respond(ctx, ConnectorFlows.trunkStatus(upstream(ctx), tenant(ctx)));
  }

  private void searchPhoneNumbers(RoutingContext ctx) {
    respond(ctx, NumberFlows.search(upstream(ctx), tenant(ctx), SEARCH.parseQuery(ctx)));
  }

  private void purchasePhoneNumber(RoutingContext ctx) {
    String key = ctx.request().getHeader("Idempotency-Key");
    if (key == null) {
      throw ApiErrors.missingField("Idempotency-Key", "a header of 1 to 128 letters, digits or ._:-");
    }
    if (!IDEMPOTENCY_KEY.matcher(key).matches()) {
      throw ApiErrors.invalidField("Idempotency-Key", "1 to 128 letters, digits or ._:-");
    }
    JsonObject body = ONE_NUMBER.parseBody(ctx);
    respond(ctx, PurchaseFlow.run(upstream(ctx), leases, tenant(ctx), key, body.getString("phoneNumber")));
  }

  private void importPhoneNumber(RoutingContext ctx) {
    JsonObject body = ONE_NUMBER.parseBody(ctx);
    respond(ctx, NumberFlows.importExisting(upstream(ctx), leases, tenant(ctx), body.getString("phoneNumber")));
  }

  private void listPhoneNumbers(RoutingContext ctx) {
    respond(ctx, NumberFlows.list(upstream(ctx), tenant(ctx), LIST.parseQuery(ctx)));
  }

  private void removePhoneNumber(RoutingContext ctx) {
    String phoneNumber = Inputs.requirePhoneNumber(ctx.pathParam("phoneNumber"));
    boolean release = REMOVE.parseQuery(ctx).getBoolean("release", false);
    respond(ctx, NumberFlows.remove(upstream(ctx), tenant(ctx), phoneNumber, release));
  }

  private void auditRetellCredentials(RoutingContext ctx) {
    String phoneNumber = AUDIT.parseQuery(ctx).getString("phoneNumber");
    respond(ctx, fanOut(ctx, () -> audit.run(upstream(ctx), tenant(ctx), phoneNumber)));
  }

  private void fixRetellCredentials(RoutingContext ctx) {
    JsonObject body = FIX.parseBody(ctx);
    respond(ctx, fanOut(ctx, () -> fix.run(upstream(ctx), tenant(ctx), body.getString("phoneNumber"),
        body.getBoolean("importMissing", false), body.getBoolean("dryRun", false))));
  }

  private void rotateCredentials(RoutingContext ctx) {
    NO_INPUT.parseBody(ctx);
    respond(ctx, fanOut(ctx, () -> rotation.run(upstream(ctx), tenant(ctx))));
  }

  private void teardownTrunk(RoutingContext ctx) {
    respond(ctx, ConnectorFlows.teardown(upstream(ctx), tenant(ctx)));
  }

  // ---- plumbing ------------------------------------------------------------------------------------

  /** The path's tenant in canonical (lower-case) form; the guards have checked its shape. */
  private static String tenant(RoutingContext ctx) {
    return ctx.pathParam("subaccountId").toLowerCase(Locale.ROOT);
  }

  /** Audits, fixes and rotations take one of the tenant's fan-out slots on this node ({@link FanOutSlots}). */
  private Future<ApiReply> fanOut(RoutingContext ctx, java.util.function.Supplier<Future<ApiReply>> flow) {
    return fanOuts.run(tenant(ctx), config.maxFanOutsPerTenant(), flow);
  }

  private Upstream upstream(RoutingContext ctx) {
    HttpServerResponse response = ctx.response();
    String subaccountId = ctx.pathParam("subaccountId");
    return new Upstream(vertx, config.busTimeoutMs(), RequestIds.of(ctx),
        subaccountId == null ? null : subaccountId.toLowerCase(Locale.ROOT), response::closed);
  }

  private static void respond(RoutingContext ctx, Future<ApiReply> reply) {
    reply.onSuccess(r -> {
      if (ctx.response().closed() || ctx.response().ended()) {
        return;
      }
      r.headers().forEach(ctx.response()::putHeader);
      ctx.response().setStatusCode(r.status()).putHeader("Content-Type", "application/json")
          .end(r.body().encode());
    }).onFailure(ctx::fail);
  }
}
