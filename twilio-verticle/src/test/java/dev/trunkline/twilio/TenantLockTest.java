package dev.trunkline.twilio;

import static dev.trunkline.twilio.TwilioTestEnv.assertFailure;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trunkline.contract.Addresses;
import dev.trunkline.contract.Bus;
import dev.trunkline.contract.ServiceException;
import dev.trunkline.contract.TenantRef;
import dev.trunkline.contract.TwilioMessages.EnsureTrunk;
import dev.trunkline.contract.TwilioMessages.TrunkInfo;
import dev.trunkline.simulators.FaultRule;
import dev.trunkline.twilio.TwilioTestEnv.Tenant;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.Lock;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The per-tenant lock: a held lock makes others wait and then give up; every outcome releases it. */
@ExtendWith(VertxExtension.class)
class TenantLockTest {
  private static TwilioTestEnv env;

  @BeforeAll
  static void start(Vertx vertx) {
    // One request at a time per verticle instance: the bound on requests in flight is testable.
    env = TwilioTestEnv.start(vertx, new JsonObject().put("lockTimeoutMs", 400).put("maxInFlight", 1));
  }

  @AfterAll
  static void stop() {
    env.stop();
  }

  private static EnsureTrunk ensure(Tenant t) {
    return new EnsureTrunk(t.subaccountId(), null, null, null);
  }

  @Test
  void anOperationWaitingTooLongForTheTenantsLockIsA409AndOtherTenantsAreNotBlocked() {
    Tenant t = env.newTenant();
    Tenant other = env.newTenant();
    Lock held = TwilioTestEnv.await(env.vertx.sharedData().getLock(TenantLock.PREFIX + t.subaccountId()));
    try {
      assertFailure(env.failure(Addresses.Twilio.TRUNK_ENSURE, ensure(t)), 409, "TENANT_BUSY");
      assertThat(env.sim.trunks(t.accountSid())).isEmpty();
      assertThat(env.call(Addresses.Twilio.TRUNK_ENSURE, ensure(other), TrunkInfo.class).created()).isTrue();

      // While one request waits for the lock, the instance is full: the next is refused at once, not queued.
      Future<TrunkInfo> waiting = Bus.request(env.vertx, Addresses.Twilio.TRUNK_ENSURE, ensure(t), TrunkInfo.class,
          10_000, null);
      assertFailure(env.failure(Addresses.Twilio.TRUNK_STATUS, new TenantRef(other.subaccountId())), 503,
          "TWILIO_BUSY");
      Throwable waited = waiting.toCompletionStage().toCompletableFuture().handle((r, e) -> e).join();
      assertThat(waited).isInstanceOf(ServiceException.class);
      assertFailure((ServiceException) waited, 409, "TENANT_BUSY");
    } finally {
      held.release();
    }
    assertThat(env.call(Addresses.Twilio.TRUNK_ENSURE, ensure(t), TrunkInfo.class).created()).isTrue();
  }

  @Test
  void theLockIsReleasedAfterAValidationErrorATwilioFailureAndASuccess() {
    Tenant t = env.newTenant();
    // Thrown before any Future exists.
    assertFailure(env.failure(Addresses.Twilio.TRUNK_ENSURE, new EnsureTrunk(t.subaccountId(), "bad", null, null)),
        400, "INVALID_ADDRESS_SID");
    // Failed inside the flow.
    FaultRule rule = env.sim.faults().add(FaultRule.on("POST", "/v1/Trunks").error(500).times(1));
    assertFailure(env.failure(Addresses.Twilio.TRUNK_ENSURE, ensure(t)), 502, "TWILIO_ERROR");
    env.sim.faults().remove(rule.id());
    // Each of these would wait out the 400 ms lock timeout and fail with TENANT_BUSY if a lock had leaked.
    env.call(Addresses.Twilio.TRUNK_ENSURE, ensure(t), TrunkInfo.class);
    env.call(Addresses.Twilio.TRUNK_ENSURE, ensure(t), TrunkInfo.class);
    Lock free = TwilioTestEnv.await(env.vertx.sharedData().getLockWithTimeout(TenantLock.PREFIX + t.subaccountId(),
        100));
    free.release();
  }
}
