package dev.trunkline.gateway;

import static dev.trunkline.contract.testing.SecretAssertions.assertNoSecrets;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trunkline.contract.Addresses;
import dev.trunkline.contract.Bus;
import dev.trunkline.contract.CredentialPurpose;
import dev.trunkline.contract.Secret;
import dev.trunkline.contract.StoreMessages;
import dev.trunkline.contract.testing.FreePorts;
import dev.trunkline.contract.testing.LogCapture;
import dev.trunkline.contract.testing.TestEnvironment;
import dev.trunkline.provisioning.ProvisioningVerticle;
import dev.trunkline.retell.RetellVerticle;
import dev.trunkline.simulators.RetellSimulator;
import dev.trunkline.simulators.SimulatorOptions;
import dev.trunkline.simulators.TwilioSimulator;
import dev.trunkline.store.StoreVerticle;
import dev.trunkline.twilio.TwilioVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Deploys Trunkline as the app does, on loopback with free ports: the simulators, the store (embedded
 * MongoDB-wire server), the Twilio, Retell and gateway verticles; then calls the gateway over real HTTP and
 * mints JWTs.
 *
 * <p>It also keeps the suite honest about secrets: every secret it creates or is told about is remembered,
 * every response body and header it receives is recorded, and {@link #assertNoSecretLeaked()} scans those and
 * every log event of the JVM, at every level, from the harness's start until its Vert.x closes ({@link #logs()}).
 */
public final class TrunklineHarness {
  private static final SecureRandom RANDOM = new SecureRandom();

  public final Vertx vertx;
  public final RetellSimulator retell;
  public final TwilioSimulator twilio;
  public final String jwtSecret;
  public final String serviceToken;
  public final int port;
  public final WebClient client;
  public final JsonObject config;
  private final JWTAuth minter;
  /** Every registered secret, value to the name a leak report gives it (the report never shows a value). */
  private final Map<String, String> secrets = Collections.synchronizedMap(new LinkedHashMap<>());
  private final List<String> seen = Collections.synchronizedList(new ArrayList<>());
  private final LogCapture logs;
  private volatile boolean clearTextInTheDatabase;

  private TrunklineHarness(Vertx vertx, RetellSimulator retell, TwilioSimulator twilio, JsonObject config,
      int port, LogCapture logs) {
    this.vertx = vertx;
    this.logs = logs;
    this.retell = retell;
    this.twilio = twilio;
    this.config = config;
    this.jwtSecret = config.getJsonObject("gateway").getString("jwtSecret");
    this.serviceToken = config.getJsonObject("gateway").getString("serviceToken");
    this.port = port;
    this.client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port),
        new PoolOptions().setHttp1MaxSize(64));
    this.minter = JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(jwtSecret)));
    secret("gateway.jwtSecret", jwtSecret);
    secret("gateway.serviceToken", serviceToken);
  }

  /** Everything, with the default test configuration. */
  public static Future<TrunklineHarness> start(Vertx vertx) {
    return start(vertx, new JsonObject(), true);
  }

  /**
   * @param overrides merged (deeply) over the test configuration, e.g. {@code {"gateway": {"fixConcurrency": 4}}}
   * @param services false to deploy the gateway and the provisioning service alone (to test them with no store,
   *     Twilio or Retell service consuming the bus, or with stand-ins)
   */
  public static Future<TrunklineHarness> start(Vertx vertx, JsonObject overrides, boolean services) {
    LogCapture logs = LogCapture.start();
    SimulatorOptions loopback = new SimulatorOptions().host("127.0.0.1").port(0);
    // The capture lasts as long as this Vert.x: its close undeploys the verticle that ends it.
    return vertx.deployVerticle(new CaptureLifetime(logs))
        .compose(id -> Future.all(RetellSimulator.start(vertx, loopback), TwilioSimulator.start(vertx, loopback)))
        .compose(sims -> {
          RetellSimulator retell = sims.resultAt(0);
          TwilioSimulator twilio = sims.resultAt(1);
          JsonObject config = testConfig(retell, twilio).mergeIn(overrides, true);
          Future<?> deployed = services ? deployServices(vertx, config) : Future.succeededFuture();
          // A concrete port: with port 0 every gateway instance would bind a port of its own, with a fixed
          // one they share it as in production.
          return deployed
              // The gateway's partner: every route is one call to the provisioning service.
              .compose(v -> vertx.deployVerticle(ProvisioningVerticle.class, new DeploymentOptions().setConfig(config)))
              .compose(v -> FreePorts.bindRetrying(port -> {
                config.getJsonObject("http").put("port", port);
                return vertx.deployVerticle(GatewayVerticle.class,
                    new DeploymentOptions().setConfig(config.copy())
                        .setInstances(config.getJsonObject("http").getInteger("instances", 2)));
              }))
              .map(v -> {
                vertx.sharedData().getLocalMap("trunkline").put("deployed", Boolean.TRUE);
                int port = (Integer) vertx.sharedData().getLocalMap(GatewayVerticle.PORT_MAP)
                    .get(GatewayVerticle.PORT_KEY);
                return new TrunklineHarness(vertx, retell, twilio, config, port, logs);
              });
        })
        .onFailure(e -> logs.close());
  }

  /** Ends a harness's log capture when its Vert.x closes (tests need not close the harness). */
  private static final class CaptureLifetime extends VerticleBase {
    private final LogCapture logs;

    CaptureLifetime(LogCapture logs) {
      this.logs = logs;
    }

    @Override
    public Future<?> stop() {
      logs.close();
      return Future.succeededFuture();
    }
  }

  private static Future<?> deployServices(Vertx vertx, JsonObject config) {
    DeploymentOptions options = new DeploymentOptions().setConfig(config);
    return vertx.deployVerticle(StoreVerticle.class, options)
        .compose(v -> vertx.deployVerticle(TwilioVerticle.class, options))
        .compose(v -> vertx.deployVerticle(RetellVerticle.class, options))
        .onSuccess(id -> vertx.sharedData().getLocalMap("test.deployments").put("retell", id));
  }

  /** Undeploys the Retell verticle: its addresses then have no consumer. */
  public Future<Void> stopRetellService() {
    String id = (String) vertx.sharedData().getLocalMap("test.deployments").get("retell");
    return vertx.undeploy(id);
  }

  static JsonObject testConfig(RetellSimulator retell, TwilioSimulator twilio) {
    JsonObject config = TestEnvironment.newStoreConfig("trunkline-gateway-test");
    config.getJsonObject("mongo").putNull("uri");
    return config
        .put("http", new JsonObject().put("host", "127.0.0.1").put("port", 0).put("bodyLimitBytes", 16_384))
        .put("twilio", new JsonObject().put("apiBaseUrl", twilio.baseUrl()).put("trunkingBaseUrl", twilio.baseUrl())
            .put("requestTimeoutMs", 2_000).put("maxRetries", 0).put("lockTimeoutMs", 5_000))
        .put("retell", new JsonObject().put("baseUrl", retell.baseUrl()).put("requestTimeoutMs", 2_000)
            .put("maxRetries", 0).put("rateLimitPerSecond", 1_000).put("rateLimitBurst", 1_000))
        .put("gateway", new JsonObject()
            .put("jwtSecret", randomSecret("jwt"))
            .put("serviceToken", randomSecret("svc"))
            .put("fixConcurrency", 8)
            .put("perNumberTimeoutMs", 5_000)
            .put("busTimeoutMs", 10_000)
            .put("rateLimit", new JsonObject().put("requestsPerMinute", 10_000)))
        .put("bus", new JsonObject().put("timeoutMs", 10_000))
        // Off unless a test is about it: a sweep's Retell requests would blur other tests' request counts.
        .put("drift", new JsonObject().put("enabled", false));
  }

  static String randomSecret(String prefix) {
    byte[] b = new byte[24];
    RANDOM.nextBytes(b);
    return prefix + "-" + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  /** A fresh tenant id (24 hex characters). */
  public static String newTenant() {
    return TestEnvironment.newTenantId();
  }

  // ---- tokens ----------------------------------------------------------------------------------------

  /** A valid HS256 token for these tenants ({@code "*"} for every tenant), valid for five minutes. */
  public String token(String... subaccounts) {
    return remember(minter.generateToken(new JsonObject().put("sub", "user-" + subaccounts.length)
        .put("subaccounts", new JsonArray(List.of(subaccounts))),
        new JWTOptions().setAlgorithm("HS256").setExpiresInSeconds(300)));
  }

  /** A token signed with the right secret but whatever claims the test wants (no exp added). */
  public String tokenWithClaims(JsonObject claims) {
    return remember(minter.generateToken(claims, new JWTOptions().setAlgorithm("HS256")));
  }

  private String remember(String token) {
    return secret("a minted JWT", token);
  }

  /** Registers a value the suite must never find in a log line or a response. */
  public String secret(String value) {
    return secret("a registered secret", value);
  }

  /**
   * Registers a value the suite must never find in a log line or a response, under a name for the leak report:
   * {@code <name> (#<registration order>)}.
   */
  public String secret(String name, String value) {
    if (value != null && value.length() >= 8) {
      synchronized (secrets) {
        secrets.putIfAbsent(value, name + " (#" + (secrets.size() + 1) + ")");
      }
    }
    return value;
  }

  // ---- HTTP ------------------------------------------------------------------------------------------

  public String path(String tenant, String rest) {
    return "/api/connectors/" + tenant + rest;
  }

  public HttpRequest<Buffer> request(HttpMethod method, String uri, String token) {
    HttpRequest<Buffer> request = client.request(method, uri).timeout(30_000);
    if (token != null) {
      request.bearerTokenAuthentication(token);
    }
    return request;
  }

  /** Sends and records the response for the secret scan. */
  public Future<HttpResponse<Buffer>> send(HttpRequest<Buffer> request, Object body) {
    Future<HttpResponse<Buffer>> sent;
    if (body == null) {
      sent = request.send();
    } else if (body instanceof JsonObject json) {
      sent = request.sendJsonObject(json);
    } else if (body instanceof Buffer buffer) {
      sent = request.sendBuffer(buffer);
    } else {
      sent = request.putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer(body.toString()));
    }
    return sent.onSuccess(this::record);
  }

  public Future<HttpResponse<Buffer>> call(HttpMethod method, String uri, String token, Object body) {
    return send(request(method, uri, token), body);
  }

  private void record(HttpResponse<Buffer> response) {
    StringBuilder s = new StringBuilder();
    response.headers().forEach(h -> s.append(h.getKey()).append(": ").append(h.getValue()).append('\n'));
    if (response.body() != null) {
      s.append(response.bodyAsString());
    }
    seen.add(s.toString());
  }

  /** Every log event since the harness started, at every level (clear it to scan only what follows). */
  public LogCapture logs() {
    return logs;
  }

  /**
   * Says that the test wrote a registered secret into the database in clear (a planted row): the database's wire
   * loggers ({@link LogCapture#DATABASE_WIRE}) print it by design, so the log scan leaves them out.
   */
  public void clearTextInTheDatabase() {
    clearTextInTheDatabase = true;
  }

  /** Scans every recorded response and every captured log event for every registered secret. */
  public void assertNoSecretLeaked() {
    List<String> logLines = logs.lines();
    List<String> responses;
    synchronized (seen) {
      responses = new ArrayList<>(seen);
    }
    assertThat(logLines).as("captured log events").isNotEmpty();
    assertThat(responses).as("recorded responses").isNotEmpty();
    Map<String, String> byName = new LinkedHashMap<>();
    synchronized (secrets) {
      secrets.forEach((value, name) -> byName.put(name, value));
    }
    if (clearTextInTheDatabase) {
      logs.assertNoSecrets(byName, LogCapture.DATABASE_WIRE);
    } else {
      assertNoSecrets("a captured log event", logLines, byName);
    }
    assertNoSecrets("a response", responses, byName);
  }

  // ---- fixtures through the real store's bus API --------------------------------------------------------

  /** A tenant whose setup has (in effect) run: trunk, active SIP credential and Retell key in the store. */
  public record Tenant(String id, String apiKey, String username, String password, String terminationUri,
      String trunkSid) {}

  /**
   * Writes a set-up tenant through the store's addresses (what the Twilio verticle's setup writes), so the
   * Retell-side flows can run without a Twilio simulator.
   */
  public Future<Tenant> seedTenant() {
    String id = newTenant();
    String apiKey = secret("a seeded tenant's Retell key", randomSecret("retell"));
    String password = secret("a seeded tenant's SIP password", randomSecret("Sip1"));
    String username = "trunkline_" + id.substring(0, 8) + "_user";
    String termination = "tl" + id.substring(0, 10) + ".pstn.twilio.com";
    String trunkSid = TestEnvironment.newSid("TK");
    String credentialSid = TestEnvironment.newSid("CR");
    StoreMessages.Trunk trunk = StoreMessages.Trunk.builder().trunkSid(trunkSid).friendlyName("trunkline-" + id)
        .domainName(termination).terminationUri(termination).credentialListSid(TestEnvironment.newSid("CL"))
        .credentialSid(credentialSid).username(username).build();
    return bus(Addresses.Store.RETELL_KEY_PUT, new StoreMessages.PutRetellKey(id, new Secret(apiKey)))
        .compose(v -> bus(Addresses.Store.TRUNK_PUT, new StoreMessages.PutTrunk(id, trunk, null)))
        .compose(v -> bus(Addresses.Store.SIP_PENDING_PUT,
            new StoreMessages.PutPendingSip(id, username, new Secret(password), CredentialPurpose.SETUP, credentialSid)))
        .compose(v -> bus(Addresses.Store.SIP_PROMOTE, new StoreMessages.PromoteSip(id, username, credentialSid)))
        .map(v -> new Tenant(id, apiKey, username, password, termination, trunkSid));
  }

  /** Records numbers for the tenant in the store (as a purchase would). */
  public Future<Void> saveNumbers(Tenant tenant, StoreMessages.RetellStatus status, List<String> numbers) {
    Future<Void> chain = Future.succeededFuture();
    for (String number : numbers) {
      chain = chain.compose(v -> bus(Addresses.Store.NUMBER_SAVE, new StoreMessages.PhoneNumber(tenant.id(),
          number, TestEnvironment.newSid("PN"), tenant.trunkSid(), status, null, 0, 0)));
    }
    return chain;
  }

  /** The tenant's numbers as the store has them. */
  public Future<List<StoreMessages.PhoneNumber>> storedNumbers(String tenant) {
    return Bus.request(vertx, Addresses.Store.NUMBER_LIST, new StoreMessages.ListNumbers(tenant, 1000, null),
        StoreMessages.NumberPage.class, 10_000, "test").map(StoreMessages.NumberPage::items);
  }

  public Future<Void> bus(String address, Object body) {
    return Bus.request(vertx, address, body, JsonObject.class, 10_000, "test-fixture").mapEmpty();
  }

  public Future<Void> close() {
    logs.close();
    return Future.join(retell.close(), twilio.close()).mapEmpty();
  }
}
