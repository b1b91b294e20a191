package dev.trunkline.gateway;

import static dev.trunkline.contract.testing.Await.await;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One {@link TrunklineHarness} for a whole test class, on a Vert.x of its own, so the class need not repeat the
 * start, the fault clean-up and the secret check:
 * <pre>
 * private static TrunklineHarness h;
 * {@literal @}RegisterExtension
 * static final SharedHarness HARNESS = SharedHarness.of(overrides, harness -&gt; h = harness).clearingFaults();
 * </pre>
 * The harness starts before the class's own {@code @BeforeAll} methods, which may use it. After all tests the class
 * fails if a secret leaked ({@link TrunklineHarness#assertNoSecretLeaked()}), and the Vert.x closes.
 */
final class SharedHarness implements BeforeAllCallback, AfterEachCallback, AfterAllCallback {
  private final JsonObject overrides;
  private final boolean services;
  private final StandIns standIns;
  private final Consumer<TrunklineHarness> started;
  private boolean clearFaults;
  private Vertx vertx;
  private TrunklineHarness harness;

  /** Consumers that play the store, Twilio and Retell services on the bus, registered before the harness starts. */
  @FunctionalInterface
  interface StandIns {
    void register(Vertx vertx) throws Exception;
  }

  private SharedHarness(JsonObject overrides, boolean services, StandIns standIns,
      Consumer<TrunklineHarness> started) {
    this.overrides = overrides;
    this.services = services;
    this.standIns = standIns;
    this.started = started;
  }

  /** Everything deployed, with {@code overrides} over the test configuration; {@code started} keeps the harness. */
  static SharedHarness of(JsonObject overrides, Consumer<TrunklineHarness> started) {
    return new SharedHarness(overrides, true, vertx -> { }, started);
  }

  /**
   * The gateway and the provisioning service alone: the store, Twilio and Retell addresses have only the consumers
   * {@code standIns} registers (none: a request to a service finds no handler).
   */
  static SharedHarness withStandIns(JsonObject overrides, StandIns standIns, Consumer<TrunklineHarness> started) {
    return new SharedHarness(overrides, false, standIns, started);
  }

  /** Clears both simulators' faults after each test, so a fault a test left (or failed before removing) stays in it. */
  SharedHarness clearingFaults() {
    clearFaults = true;
    return this;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    vertx = Vertx.vertx();
    standIns.register(vertx);
    harness = await("the harness of " + context.getDisplayName(), TrunklineHarness.start(vertx, overrides, services),
        java.time.Duration.ofSeconds(90));
    started.accept(harness);
  }

  @Override
  public void afterEach(ExtensionContext context) {
    if (clearFaults) {
      harness.retell.faults().clear();
      harness.twilio.faults().clear();
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    try {
      if (harness != null) {
        harness.assertNoSecretLeaked();
      }
    } finally {
      await(vertx.close());
    }
  }
}
