package dev.trunkline.twilio;

import static dev.trunkline.twilio.TwilioTestEnv.assertFailure;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trunkline.contract.Addresses;
import dev.trunkline.contract.StoreMessages.AcquireLock;
import dev.trunkline.contract.StoreMessages.Deleted;
import dev.trunkline.contract.StoreMessages.LockReply;
import dev.trunkline.contract.StoreMessages.ReleaseLock;
import dev.trunkline.contract.StoreMessages.RenewLock;
import dev.trunkline.contract.Bus;
import dev.trunkline.contract.ServiceException;
import dev.trunkline.contract.TenantRef;
import dev.trunkline.contract.TwilioMessages.EnsureTrunk;
import dev.trunkline.contract.TwilioMessages.TrunkInfo;
import dev.trunkline.contract.testing.Await;
import dev.trunkline.simulators.FaultRule;
import dev.trunkline.twilio.TwilioTestEnv.Tenant;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The per-tenant lock: a held lock makes others wait and then give up; every outcome releases it. The lock timeout
 * (2 s) is far longer than the steps a test takes while a request waits, and a request is known to be waiting
 * once it has asked the store for the lock, not after some sleep.
 */
@ExtendWith(VertxExtension.class)
class TenantLockTest {
  private static final long LOCK_TIMEOUT_MS = 2_000;
  private static TwilioTestEnv env;

  @BeforeAll
  static void start(Vertx vertx) {
    // One request at a time per verticle instance: the bound on requests in flight is testable.
    env = TwilioTestEnv.start(vertx, new JsonObject().put("lockTimeoutMs", LOCK_TIMEOUT_MS).put("maxInFlight", 1));
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
    String owner = "another-node";
    assertThat(hold(t, owner)).as("the test holds the tenant's lock").isTrue();
    try {
      assertFailure(env.failure(Addresses.Twilio.TRUNK_ENSURE, ensure(t)), 409, "TENANT_BUSY");
      assertThat(env.sim.trunks(t.accountSid())).isEmpty();
      assertThat(env.call(Addresses.Twilio.TRUNK_ENSURE, ensure(other), TrunkInfo.class).created()).isTrue();

      // While one request waits for the lock, the instance is full: the next is refused at once, not queued.
      AtomicInteger asked = countLockRequests(t);
      Future<TrunkInfo> waiting = Bus.request(env.vertx, Addresses.Twilio.TRUNK_ENSURE, ensure(t), TrunkInfo.class,
          10_000, null);
      Await.until("the waiting ensure to ask the store for the tenant's lock", () -> asked.get() > 0);
      assertFailure(env.failure(Addresses.Twilio.TRUNK_STATUS, new TenantRef(other.subaccountId())), 503,
          "TWILIO_BUSY");
      assertFailure(Await.awaitFailure(waiting, ServiceException.class), 409, "TENANT_BUSY");
    } finally {
      release(t, owner);
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
    // Each of these would wait out the lock timeout and fail with TENANT_BUSY if a lock had leaked.
    env.call(Addresses.Twilio.TRUNK_ENSURE, ensure(t), TrunkInfo.class);
    env.call(Addresses.Twilio.TRUNK_ENSURE, ensure(t), TrunkInfo.class);
    assertThat(hold(t, "after")).as("the lock is free").isTrue();
    release(t, "after");
  }

  @Test
  void aHolderThatDiedBlocksTheTenantOnlyUntilItsLeaseRunsOut() {
    Tenant t = env.newTenant();
    // A lease that nobody renews, three lock timeouts long: its holder is gone.
    assertThat(env.call(Addresses.Store.LOCK_ACQUIRE, new AcquireLock(TenantLock.name(t.subaccountId()), "dead",
        3 * LOCK_TIMEOUT_MS), LockReply.class).held()).isTrue();
    assertFailure(env.failure(Addresses.Twilio.TRUNK_ENSURE, ensure(t)), 409, "TENANT_BUSY");
    TrunkInfo info = Await.value("setup to run once the dead holder's lease ran out", Duration.ofSeconds(30), () -> {
      try {
        return env.call(Addresses.Twilio.TRUNK_ENSURE, ensure(t), TrunkInfo.class);
      } catch (TwilioTestEnv.ServiceFailure e) {
        // Still TENANT_BUSY until the lease has run out; any other failure fails the test.
        assertFailure(e.failure, 409, "TENANT_BUSY");
        return null;
      }
    }, ensured -> true);
    assertThat(info.created()).isTrue();
  }

  @Test
  void onlyOneOwnerHoldsTheLockAtATime() {
    String name = "trunkline.test." + java.util.UUID.randomUUID();
    List<Future<LockReply>> attempts = new java.util.ArrayList<>();
    for (int i = 0; i < 30; i++) {
      attempts.add(Bus.request(env.vertx, Addresses.Store.LOCK_ACQUIRE, new AcquireLock(name, "owner-" + i, 60_000),
          LockReply.class, 10_000, null));
    }
    long held = attempts.stream().filter(f -> TwilioTestEnv.await(f).held()).count();
    assertThat(held).isEqualTo(1);
    // Only the holder renews or releases it.
    String holder = "owner-" + java.util.stream.IntStream.range(0, 30)
        .filter(i -> TwilioTestEnv.await(attempts.get(i)).held()).findFirst().orElseThrow();
    assertThat(env.call(Addresses.Store.LOCK_RENEW, new RenewLock(name, "not-" + holder, 60_000), LockReply.class)
        .held()).isFalse();
    assertThat(env.call(Addresses.Store.LOCK_RELEASE, new ReleaseLock(name, "not-" + holder), Deleted.class)
        .deleted()).isFalse();
    assertThat(env.call(Addresses.Store.LOCK_RENEW, new RenewLock(name, holder, 60_000), LockReply.class).held())
        .isTrue();
    assertThat(env.call(Addresses.Store.LOCK_RELEASE, new ReleaseLock(name, holder), Deleted.class).deleted())
        .isTrue();
    assertThat(env.call(Addresses.Store.LOCK_ACQUIRE, new AcquireLock(name, "next", 60_000), LockReply.class)
        .held()).isTrue();
  }

  /** Counts the store requests for the tenant's lock from now on (a waiting operation asks again and again). */
  private static AtomicInteger countLockRequests(Tenant t) {
    String lock = TenantLock.name(t.subaccountId());
    AtomicInteger asked = new AtomicInteger();
    env.vertx.eventBus().addInboundInterceptor(delivery -> {
      if (Addresses.Store.LOCK_ACQUIRE.equals(delivery.message().address())
          && String.valueOf(delivery.message().body()).contains(lock)) {
        asked.incrementAndGet();
      }
      delivery.next();
    });
    return asked;
  }

  @Test
  void aLockHeldByANodeThatLeftTheClusterIsTakenAtOnceNotAfterItsLease() {
    Tenant t = env.newTenant();
    // A Twilio node that died holding the tenant's lock: its owner names its node, its lease runs a minute.
    String deadNode = java.util.UUID.randomUUID().toString();
    assertThat(hold(t, deadNode + "/" + java.util.UUID.randomUUID())).isTrue();
    AtomicInteger asked = countLockRequests(t);
    long start = System.nanoTime();
    Future<TrunkInfo> waiting = Bus.request(env.vertx, Addresses.Twilio.TRUNK_ENSURE, ensure(t), TrunkInfo.class,
        10_000, null);
    Await.until("the ensure to wait for the tenant's lock", () -> asked.get() > 0);
    // The launcher's membership listener says the node left (on this JVM only).
    env.vertx.eventBus().publish(Addresses.Cluster.MEMBER_LEFT, new JsonObject().put("member", deadNode),
        new io.vertx.core.eventbus.DeliveryOptions().setLocalOnly(true));
    assertThat(Await.await(waiting).created()).as("the trunk set up under the dead node's lock, taken over").isTrue();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).as("long before the lease or the lock timeout")
        .isLessThan(Duration.ofMillis(LOCK_TIMEOUT_MS));
  }

  private static boolean hold(Tenant t, String owner) {
    return env.call(Addresses.Store.LOCK_ACQUIRE, new AcquireLock(TenantLock.name(t.subaccountId()), owner, 60_000),
        LockReply.class).held();
  }

  private static void release(Tenant t, String owner) {
    env.call(Addresses.Store.LOCK_RELEASE, new ReleaseLock(TenantLock.name(t.subaccountId()), owner), Deleted.class);
  }
}
