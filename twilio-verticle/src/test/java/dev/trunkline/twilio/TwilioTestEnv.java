package dev.trunkline.twilio;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trunkline.contract.Addresses;
import dev.trunkline.contract.Bus;
import dev.trunkline.contract.Secret;
import dev.trunkline.contract.ServiceException;
import dev.trunkline.contract.StoreMessages.Connector;
import dev.trunkline.contract.StoreMessages.PutTrunk;
import dev.trunkline.contract.StoreMessages.PutTwilioAccount;
import dev.trunkline.contract.StoreMessages.SipCredentials;
import dev.trunkline.contract.StoreMessages.Trunk;
import dev.trunkline.contract.TenantRef;
import dev.trunkline.contract.testing.Await;
import dev.trunkline.contract.testing.TestEnvironment;
import dev.trunkline.simulators.SimulatorOptions;
import dev.trunkline.simulators.TwilioSimulator;
import dev.trunkline.store.StoreVerticle;
import dev.trunkline.twilio.client.TwilioApi;
import dev.trunkline.twilio.client.TwilioAuth;
import dev.trunkline.twilio.client.TwilioHttp;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The real parts every test here runs against: the Twilio simulator over HTTP on a free port, a StoreVerticle on
 * the embedded MongoDB-wire server (temp data directory, a fresh vault key), and the TwilioVerticle pointed at the
 * simulator. Each test uses its own tenant ids and its own Twilio Account SIDs (the simulator creates an account on
 * first use), so tests never see each other's state.
 */
public final class TwilioTestEnv {

  public final Vertx vertx;
  public final TwilioSimulator sim;
  public final JsonObject config;
  /** The client under test, used directly to look at the simulator's state and to seed legacy resources. */
  public final TwilioApi api;
  private final Path dataDir;
  private final java.util.List<String> deployments = new java.util.ArrayList<>();
  private final TwilioHttp http;

  private TwilioTestEnv(Vertx vertx, TwilioSimulator sim, JsonObject config, Path dataDir,
      TwilioHttp.Observer observer) {
    this.vertx = vertx;
    this.sim = sim;
    this.config = config;
    this.dataDir = dataDir;
    this.http = new TwilioHttp(vertx, TwilioConfig.from(config), observer);
    this.api = new TwilioApi(http);
  }

  /** Starts everything with the default test configuration plus {@code twilioOverrides}. */
  public static TwilioTestEnv start(Vertx vertx, JsonObject twilioOverrides) {
    return start(vertx, twilioOverrides, TwilioHttp.Observer.NONE);
  }

  /** Starts everything, the TwilioVerticle reporting every Twilio attempt to {@code observer}. */
  public static TwilioTestEnv start(Vertx vertx, JsonObject twilioOverrides, TwilioHttp.Observer observer) {
    return start(vertx, twilioOverrides, null, observer);
  }

  /**
   * Starts everything with {@code twilioOverrides} and other top-level {@code sections} of the configuration
   * (such as {@code retell}, whose {@code transport} the origination URL carries), merged deeply.
   */
  public static TwilioTestEnv startWith(Vertx vertx, JsonObject twilioOverrides, JsonObject sections) {
    return start(vertx, twilioOverrides, sections, TwilioHttp.Observer.NONE);
  }

  private static TwilioTestEnv start(Vertx vertx, JsonObject twilioOverrides, JsonObject sections,
      TwilioHttp.Observer observer) {
    Path dir = TestEnvironment.newDataDir("trunkline-twilio-test");
    TwilioSimulator sim = await(TwilioSimulator.start(vertx, new SimulatorOptions()));
    JsonObject twilio = new JsonObject()
        .put("apiBaseUrl", sim.baseUrl())
        .put("trunkingBaseUrl", sim.baseUrl())
        .put("requestTimeoutMs", 3000)
        .put("maxRetries", 2)
        .put("retryBaseDelayMs", 10)
        .put("maxRetryDelayMs", 3000)
        .put("lockTimeoutMs", 30000)
        // Small pages: every listing in every test crosses page boundaries.
        .put("pageSize", 3)
        .mergeIn(twilioOverrides == null ? new JsonObject() : twilioOverrides);
    JsonObject config = TestEnvironment.storeConfig(dir, TestEnvironment.newVaultKeys())
        .put("bus", new JsonObject().put("timeoutMs", 10000))
        .put("twilio", twilio)
        .mergeIn(sections == null ? new JsonObject() : sections, true);
    TwilioTestEnv env = new TwilioTestEnv(vertx, sim, config, dir, observer);
    env.deployments.add(await(vertx.deployVerticle(new StoreVerticle(), new DeploymentOptions().setConfig(config))));
    env.deployments.add(await(vertx.deployVerticle(new TwilioVerticle(observer),
        new DeploymentOptions().setConfig(config))));
    return env;
  }

  /** Stops the verticles (the store releases its embedded server), the simulator, and removes the data. */
  public void stop() {
    http.close();
    for (String id : deployments) {
      await(vertx.undeploy(id));
    }
    await(sim.close());
    try (var files = Files.walk(dataDir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // A leftover temp directory is harmless.
    }
  }

  // ---- tenants ----

  public static String newSubaccountId() {
    return TestEnvironment.newTenantId();
  }

  public static String newAccountSid() {
    return TestEnvironment.newSid("AC");
  }

  public static Secret newAuthToken() {
    return new Secret(TestEnvironment.hex(16));
  }

  /** A tenant with its own new Twilio account, stored in the store. */
  public Tenant newTenant() {
    return connect(newSubaccountId(), new TwilioAuth(newAccountSid(), newAuthToken()));
  }

  /** A tenant using the given Twilio account (several tenants may share one). */
  public Tenant connect(String subaccountId, TwilioAuth auth) {
    await(Bus.request(vertx, Addresses.Store.TWILIO_ACCOUNT_PUT,
        new PutTwilioAccount(subaccountId, auth.accountSid(), auth.authToken()), JsonObject.class, 10_000, null));
    // The simulator creates the account with the token it first sees: make that happen now.
    await(api.fetchAccount(auth));
    return new Tenant(subaccountId, auth);
  }

  /** A tenant and its Twilio account. */
  public record Tenant(String subaccountId, TwilioAuth auth) {
    public String accountSid() {
      return auth.accountSid();
    }
  }

  // ---- bus helpers ----

  public <R> R call(String address, Object body, Class<R> reply) {
    return await(Bus.request(vertx, address, body, reply, 60_000, null));
  }

  /** The failure a request ends with; fails the test when it succeeds. */
  public ServiceException failure(String address, Object body) {
    return failure(address, body, 60_000);
  }

  /** The failure a request sent with this bus timeout ends with; fails the test when it succeeds. */
  public ServiceException failure(String address, Object body, long timeoutMs) {
    try {
      Object result = await(Bus.request(vertx, address, body, JsonObject.class, timeoutMs, null));
      throw new AssertionError("expected " + address + " to fail, it answered " + result);
    } catch (ServiceFailure e) {
      return e.failure;
    }
  }

  public Connector connector(Tenant t) {
    return call(Addresses.Store.CONNECTOR_GET, new TenantRef(t.subaccountId()), Connector.class);
  }

  public SipCredentials sip(Tenant t) {
    return call(Addresses.Store.SIP_GET, new TenantRef(t.subaccountId()), SipCredentials.class);
  }

  public void putTrunk(Tenant t, Trunk trunk) {
    call(Addresses.Store.TRUNK_PUT, new PutTrunk(t.subaccountId(), trunk, null), JsonObject.class);
  }

  // ---- awaiting ----

  /** Thrown by {@link #await} for a failed future whose failure is a ServiceException. */
  public static final class ServiceFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    public final transient ServiceException failure;

    ServiceFailure(ServiceException failure) {
      super(failure.toString(), null, false, false);
      this.failure = failure;
    }
  }

  /**
   * {@link Await#await(Future)}, except that a {@link ServiceException} comes out as a {@link ServiceFailure},
   * which {@link #failure} and the tests catch to check its status and code.
   */
  public static <T> T await(Future<T> future) {
    try {
      return Await.await(future);
    } catch (AssertionError e) {
      if (e.getCause() instanceof ServiceException se) {
        throw new ServiceFailure(se);
      }
      throw e;
    }
  }

  public static void assertFailure(ServiceException e, int status, String code) {
    assertThat(e.status()).as("status of " + e).isEqualTo(status);
    assertThat(e.code()).as("code of " + e).isEqualTo(code);
  }
}
