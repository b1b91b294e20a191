package dev.trunkline.twilio;

import static dev.trunkline.twilio.TwilioTestEnv.assertFailure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trunkline.contract.Addresses;
import dev.trunkline.contract.Secret;
import dev.trunkline.contract.ServiceException;
import dev.trunkline.contract.TenantRef;
import dev.trunkline.contract.TwilioMessages.AccountInfo;
import dev.trunkline.contract.TwilioMessages.EnsureTrunk;
import dev.trunkline.contract.TwilioMessages.TrunkInfo;
import dev.trunkline.contract.TwilioMessages.TrunkStatus;
import dev.trunkline.contract.TwilioMessages.VerifyAccount;
import dev.trunkline.contract.testing.Await;
import dev.trunkline.simulators.FaultRule;
import dev.trunkline.twilio.TwilioTestEnv.Tenant;
import dev.trunkline.twilio.client.Resources;
import dev.trunkline.twilio.client.TwilioApi;
import dev.trunkline.twilio.client.TwilioApiException;
import dev.trunkline.twilio.client.TwilioAuth;
import dev.trunkline.twilio.client.TwilioHttp;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The HTTP client's behaviour against the simulator's fault injection: what is retried and what is not, that
 * Retry-After is honoured, timeouts, typed errors and their mapping, paging and its bound.
 */
@ExtendWith(VertxExtension.class)
class TwilioClientTest {
  private static TwilioTestEnv env;
  private static final List<TwilioHttp> clients = new java.util.ArrayList<>();

  @BeforeAll
  static void start(Vertx vertx) {
    env = TwilioTestEnv.start(vertx, null);
  }

  @AfterAll
  static void stop() {
    clients.forEach(TwilioHttp::close);
    env.stop();
  }

  @AfterEach
  void clearFaults() {
    env.sim.faults().clear();
  }

  /** A client of the simulator with its own limits (the verticle's are in env.config). */
  private static TwilioApi client(JsonObject overrides) {
    JsonObject cfg = env.config.copy();
    cfg.getJsonObject("twilio").mergeIn(overrides);
    TwilioHttp http = new TwilioHttp(env.vertx, TwilioConfig.from(cfg));
    clients.add(http);
    return new TwilioApi(http);
  }

  private static TwilioApiException clientFailure(io.vertx.core.Future<?> future) {
    try {
      TwilioTestEnv.await(future);
    } catch (AssertionError e) {
      if (e.getCause() instanceof TwilioApiException t) {
        return t;
      }
      throw e;
    }
    throw new AssertionError("expected a failure");
  }

  @Test
  void retryAfterIsHonouredAndThe429dRequestSucceedsInTheEnd() {
    Tenant t = env.newTenant();
    env.sim.faults().add(FaultRule.on("POST", "/v1/Trunks").tooManyRequests(1).times(2));
    long before = env.sim.requests().count("POST", "/v1/Trunks");
    long started = System.nanoTime();

    Resources.Trunk trunk = TwilioTestEnv.await(env.api.createTrunk(t.auth(), "retry-after", null));

    long waitedMs = (System.nanoTime() - started) / 1_000_000;
    assertThat(trunk.sid()).startsWith("TK");
    // Two answers said "Retry-After: 1": the client waited at least those two seconds (a lower bound, the
    // behaviour under test, not a speed).
    assertThat(waitedMs).isGreaterThanOrEqualTo(2_000);
    assertThat(env.sim.requests().count("POST", "/v1/Trunks") - before).isEqualTo(3);
    // A 429 on a POST is safe to retry: exactly one trunk was made.
    assertThat(env.sim.trunks(t.accountSid())).hasSize(1);
  }

  @Test
  void aRetryAfterLongerThanTheCapIsNotWaitedForAndSurfacesAs429() {
    Tenant t = env.newTenant();
    env.call(Addresses.Twilio.TRUNK_ENSURE, new EnsureTrunk(t.subaccountId(), null, null, null), TrunkInfo.class);
    env.sim.faults().add(FaultRule.on("GET", "/v1/Trunks/*").tooManyRequests(60).times(1));
    long before = env.sim.requests().count("GET", "/v1/Trunks/*");

    ServiceException e = env.failure(Addresses.Twilio.TRUNK_STATUS, new TenantRef(t.subaccountId()));

    assertFailure(e, 429, "TWILIO_RATE_LIMITED");
    assertThat(e.details().getLong("retryAfterMs")).isEqualTo(60_000L);
    assertThat(env.sim.requests().count("GET", "/v1/Trunks/*") - before).isEqualTo(1);
  }

  @Test
  void a429IsRetriedBeyondMaxRetriesWhileTheCallerWaits() {
    // Twilio pacing the account (429, code 20429) is not a failure: ten in a row, maxRetries 2, and the caller's
    // 60 s still allow the eleventh attempt, which succeeds.
    Tenant t = env.newTenant();
    env.call(Addresses.Twilio.TRUNK_ENSURE, new EnsureTrunk(t.subaccountId(), null, null, null), TrunkInfo.class);
    env.sim.faults().add(FaultRule.on("GET", "/v1/Trunks/*").tooManyRequests(0).times(10));
    long before = env.sim.requests().count("GET", "/v1/Trunks/*");

    TrunkStatus trunk = env.call(Addresses.Twilio.TRUNK_STATUS, new TenantRef(t.subaccountId()), TrunkStatus.class);

    assertThat(trunk.exists()).isTrue();
    assertThat(env.sim.requests().count("GET", "/v1/Trunks/*") - before).isEqualTo(11);
  }

  @Test
  void persistent429IsA429JustBeforeTheCallersDeadline() {
    Tenant t = env.newTenant();
    env.call(Addresses.Twilio.TRUNK_ENSURE, new EnsureTrunk(t.subaccountId(), null, null, null), TrunkInfo.class);
    env.sim.faults().add(FaultRule.on("GET", "/v1/Trunks/*").tooManyRequests(0));
    long before = env.sim.requests().count("GET", "/v1/Trunks/*");
    long started = System.nanoTime();

    ServiceException e = env.failure(Addresses.Twilio.TRUNK_STATUS, new TenantRef(t.subaccountId()), 3_000);

    // Twilio's 429, answered while the caller still waits (not the bus timeout), after more than maxRetries.
    assertFailure(e, 429, "TWILIO_RATE_LIMITED");
    assertThat((System.nanoTime() - started) / 1_000_000).isLessThan(3_000);
    assertThat(env.sim.requests().count("GET", "/v1/Trunks/*") - before).isGreaterThan(3);
  }

  @Test
  void withoutADeadlineA429IsOneOfTheConfiguredRetries() {
    Tenant t = env.newTenant();
    env.sim.faults().add(FaultRule.on("GET", "/v1/Trunks").tooManyRequests(0));
    long before = env.sim.requests().count("GET", "/v1/Trunks");

    TwilioApiException e = clientFailure(env.api.listTrunks(t.auth()));

    assertThat(e.httpStatus()).isEqualTo(429);
    assertThat(e.hasCode(TwilioApiException.TOO_MANY_REQUESTS)).isTrue();
    // maxRetries = 2 in the test configuration: three attempts in all.
    assertThat(env.sim.requests().count("GET", "/v1/Trunks") - before).isEqualTo(3);
  }

  @Test
  void idempotentRequestsAreRetriedOnServerErrorsAndDroppedConnections() {
    Tenant t = env.newTenant();
    TwilioTestEnv.await(env.api.createTrunk(t.auth(), "x", null));
    env.sim.faults().add(FaultRule.on("GET", "/v1/Trunks").error(500).times(1));
    env.sim.faults().add(FaultRule.on("GET", "/v1/Trunks").dropConnection().times(1));
    long before = env.sim.requests().count("GET", "/v1/Trunks");

    List<Resources.Trunk> trunks = TwilioTestEnv.await(env.api.listTrunks(t.auth()));

    assertThat(trunks).hasSize(1);
    assertThat(env.sim.requests().count("GET", "/v1/Trunks") - before).isEqualTo(3);
  }

  @Test
  void aPostIsNotRetriedOnA500BecauseItMayHaveTakenEffect() {
    Tenant t = env.newTenant();
    env.sim.faults().add(FaultRule.on("POST", "/v1/Trunks").error(500).times(1));
    long before = env.sim.requests().count("POST", "/v1/Trunks");

    TwilioApiException e = clientFailure(env.api.createTrunk(t.auth(), "once", null));

    assertThat(e.kind()).isEqualTo(TwilioApiException.Kind.HTTP);
    assertThat(e.httpStatus()).isEqualTo(500);
    assertThat(e.twilioCode()).isEqualTo(20500);
    assertThat(e.operation()).isEqualTo("CreateTrunk");
    assertThat(env.sim.requests().count("POST", "/v1/Trunks") - before).isEqualTo(1);
    ServiceException mapped = (ServiceException) TwilioFailures.map(e);
    assertFailure(mapped, 502, "TWILIO_ERROR");
    assertThat(mapped.details().getInteger("upstreamStatus")).isEqualTo(500);
    assertThat(mapped.details().getInteger("twilioCode")).isEqualTo(20500);
  }

  @Test
  void a503IsRetriedEvenOnAPost() {
    Tenant t = env.newTenant();
    env.sim.faults().add(FaultRule.on("POST", "/v1/Trunks").error(503).times(1));
    assertThat(TwilioTestEnv.await(env.api.createTrunk(t.auth(), "after-503", null)).sid()).startsWith("TK");
    assertThat(env.sim.trunks(t.accountSid())).hasSize(1);
  }

  @Test
  void aTimedOutReadIsRepeatedBecauseItIsIdempotent() {
    Tenant t = env.newTenant();
    TwilioApi impatient = client(new JsonObject().put("requestTimeoutMs", 300));
    env.sim.faults().add(FaultRule.on("GET", "/v1/Trunks").latency(2_000).times(1));
    long before = env.sim.requests().count("GET", "/v1/Trunks");

    List<Resources.Trunk> trunks = TwilioTestEnv.await(impatient.listTrunks(t.auth()));

    assertThat(trunks).isEmpty();
    assertThat(env.sim.requests().count("GET", "/v1/Trunks") - before).as("timed out, then repeated").isEqualTo(2);
  }

  @Test
  void aReadThatKeepsTimingOutIs504AfterTheConfiguredRetries() {
    Tenant t = env.newTenant();
    TwilioApi impatient = client(new JsonObject().put("requestTimeoutMs", 300));
    env.sim.faults().add(FaultRule.on("GET", "/v1/Trunks").latency(2_000));
    long before = env.sim.requests().count("GET", "/v1/Trunks");

    TwilioApiException e = clientFailure(impatient.listTrunks(t.auth()));

    assertThat(e.kind()).isEqualTo(TwilioApiException.Kind.TIMEOUT);
    // maxRetries = 2 in the test configuration: three attempts in all.
    assertThat(env.sim.requests().count("GET", "/v1/Trunks") - before).isEqualTo(3);
    assertFailure((ServiceException) TwilioFailures.map(e), 504, "TWILIO_TIMEOUT");
  }

  @Test
  void aTimedOutPurchaseIsNeverRepeated() {
    Tenant t = env.newTenant();
    Resources.Trunk trunk = TwilioTestEnv.await(env.api.createTrunk(t.auth(), "buyer", null));
    String wanted = TwilioTestEnv.await(env.api.searchAvailablePhoneNumbers(t.auth(), "US", "Local", 415, null, 1))
        .get(0).phoneNumber();
    String path = "/2010-04-01/Accounts/" + t.accountSid() + "/IncomingPhoneNumbers.json";
    TwilioApi impatient = client(new JsonObject().put("requestTimeoutMs", 300));
    env.sim.faults().add(FaultRule.on("POST", path).latency(1_000).times(1));
    long before = env.sim.requests().count("POST", path);

    TwilioApiException e = clientFailure(impatient.purchasePhoneNumber(t.auth(), wanted, trunk.sid(), null, null,
        null));

    assertThat(e.kind()).isEqualTo(TwilioApiException.Kind.TIMEOUT);
    assertFailure((ServiceException) TwilioFailures.map(e), 504, "TWILIO_TIMEOUT");
    // Twilio finishes the slow purchase after the client stopped waiting: one number, bought by the one POST.
    Await.until("the slow purchase completes at Twilio", () -> env.sim.incomingNumbers(t.accountSid()).size() == 1);
    assertThat(env.sim.requests().count("POST", path) - before).as("never sent twice").isEqualTo(1);
    assertThat(env.sim.incomingNumbers(t.accountSid())).hasSize(1);
  }

  @Test
  void aPostThatSetsFieldsIsRepeatedOnA500BecauseItIsIdempotent() {
    Tenant t = env.newTenant();
    Resources.Trunk trunk = TwilioTestEnv.await(env.api.createTrunk(t.auth(), "update", null));
    env.sim.faults().add(FaultRule.on("POST", "/v1/Trunks/" + trunk.sid()).error(500).times(1));
    env.sim.faults().add(FaultRule.on("POST", "/v1/Trunks/" + trunk.sid()).dropConnection().times(1));
    long before = env.sim.requests().count("POST", "/v1/Trunks/" + trunk.sid());

    Resources.Trunk updated = TwilioTestEnv.await(env.api.updateTrunkDomainName(t.auth(), trunk.sid(),
        "update-again.pstn.twilio.com"));

    assertThat(updated.sid()).isEqualTo(trunk.sid());
    assertThat(updated.domainName()).isEqualTo("update-again.pstn.twilio.com");
    assertThat(env.sim.requests().count("POST", "/v1/Trunks/" + trunk.sid()) - before).isEqualTo(3);
    assertThat(env.sim.trunks(t.accountSid())).as("no second trunk").hasSize(1);
  }

  @Test
  void notFoundIsTyped() {
    Tenant t = env.newTenant();
    TwilioApiException e = clientFailure(env.api.fetchTrunk(t.auth(), "TK" + "0".repeat(32)));
    assertThat(e.isNotFound()).isTrue();
    assertFailure((ServiceException) TwilioFailures.map(e), 404, "TWILIO_NOT_FOUND");
  }

  @Test
  void wrongStoredCredentialsAre502UnauthorizedButAWrongTokenToVerifyIsA400() {
    Tenant t = env.newTenant();
    // The tenant's stored token no longer matches the account's.
    Tenant stale = env.connect(TwilioTestEnv.newSubaccountId(), new TwilioAuth(t.accountSid(), t.auth().authToken()));
    env.call(Addresses.Store.TWILIO_ACCOUNT_PUT, new dev.trunkline.contract.StoreMessages.PutTwilioAccount(
        stale.subaccountId(), t.accountSid(), new Secret("0".repeat(32))), JsonObject.class);

    ServiceException e = env.failure(Addresses.Twilio.TRUNK_ENSURE,
        new EnsureTrunk(stale.subaccountId(), null, null, null));
    assertFailure(e, 502, "TWILIO_UNAUTHORIZED");
    assertThat(e.details().getInteger("twilioCode")).isEqualTo(20003);

    assertFailure(env.failure(Addresses.Twilio.ACCOUNT_VERIFY,
        new VerifyAccount(t.accountSid(), new Secret("0".repeat(32)))), 400, "TWILIO_CREDENTIALS_INVALID");
    assertFailure(env.failure(Addresses.Twilio.ACCOUNT_VERIFY,
        new VerifyAccount("AC123", new Secret("x"))), 400, "INVALID_ACCOUNT_SID");
    AccountInfo ok = env.call(Addresses.Twilio.ACCOUNT_VERIFY,
        new VerifyAccount(t.accountSid(), t.auth().authToken()), AccountInfo.class);
    assertThat(ok.accountSid()).isEqualTo(t.accountSid());
    assertThat(ok.status()).isEqualTo("active");
  }

  @Test
  void pagingIsFollowedOnBothApisAndBounded() {
    Tenant t = env.newTenant();
    for (int i = 0; i < 3; i++) {
      TwilioTestEnv.await(env.api.createTrunk(t.auth(), "page-" + i, null));
      TwilioTestEnv.await(env.api.createCredentialList(t.auth(), "page-" + i));
    }
    TwilioApi onePerPage = client(new JsonObject().put("pageSize", 1).put("maxPages", 3));
    assertThat(TwilioTestEnv.await(onePerPage.listTrunks(t.auth()))).extracting(Resources.Trunk::friendlyName)
        .containsExactly("page-0", "page-1", "page-2");
    assertThat(TwilioTestEnv.await(onePerPage.listCredentialLists(t.auth())))
        .extracting(Resources.CredentialList::friendlyName).containsExactly("page-0", "page-1", "page-2");

    TwilioApi bounded = client(new JsonObject().put("pageSize", 1).put("maxPages", 2));
    TwilioApiException e = clientFailure(bounded.listTrunks(t.auth()));
    assertThat(e.kind()).isEqualTo(TwilioApiException.Kind.PAGING);
    assertFailure((ServiceException) TwilioFailures.map(e), 502, "TWILIO_ERROR");
  }

  @Test
  void malformedSidsNeverReachARequestLine() {
    Tenant t = env.newTenant();
    assertThatThrownBy(() -> env.api.fetchTrunk(t.auth(), "TK../../Accounts")).isInstanceOf(
        IllegalArgumentException.class);
    assertThatThrownBy(() -> new TwilioAuth("AC/../x", new Secret("t"))).isInstanceOf(IllegalArgumentException.class);
    ServiceException status = env.failure(Addresses.Twilio.TRUNK_STATUS, new TenantRef("../etc"));
    assertFailure(status, 400, "INVALID_SUBACCOUNT_ID");
    assertThat(env.call(Addresses.Twilio.TRUNK_STATUS, new TenantRef(t.subaccountId()), TrunkStatus.class)
        .problems()).containsExactly("trunk not set up");
  }
}
