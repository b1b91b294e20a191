package dev.trunkline.gateway;

import static dev.trunkline.contract.testing.Await.await;
import static dev.trunkline.contract.testing.Await.awaitFailure;
import dev.trunkline.provisioning.CredentialLeases;
import dev.trunkline.provisioning.PurchaseFlow;
import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.SplitBrainProtectionConfig;
import dev.trunkline.contract.Addresses;
import dev.trunkline.contract.Bus;
import dev.trunkline.contract.StoreMessages.ClaimIdempotency;
import dev.trunkline.contract.StoreMessages.ClaimState;
import dev.trunkline.contract.StoreMessages.IdempotencyClaim;
import dev.trunkline.contract.StoreMessages.PhoneNumber;
import dev.trunkline.contract.StoreMessages.RetellStatus;
import dev.trunkline.contract.StoreMessages.SipCredentials;
import dev.trunkline.contract.TenantRef;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docs/api.md, "Credential leases": a request whose lease cannot be registered (the cluster's shared data is down)
 * fails with 503 before it changes anything. Trunkline runs clustered on a one-member Hazelcast cluster whose
 * credential-lease map requires two members (Hazelcast's split-brain protection): every operation on that map is
 * refused, as on a node cut off from its cluster, while the event bus, the store and the other services work.
 * Purchase, import, fix and rotate then answer 503 and leave Twilio, Retell and the store as they were; the dry run
 * and the audit, which take no lease, still answer, which shows the 503 is the lease and not a missing service.
 */
class NoCredentialLeaseTest {
  private static final String QUORUM = "credential-leases-need-two-members";
  private static Vertx vertx;
  private static TrunklineHarness h;
  private static String tenant;
  private static String token;
  private static String accountSid;
  private static String authToken;
  private static String retellKey;

  @BeforeAll
  static void start() {
    Config hz = ConfigUtil.loadConfig();
    hz.setClusterName("no-credential-lease-" + TrunklineHarness.newTenant());
    // A member of its own: loopback, a port the OS picks, no join (nothing else to find).
    hz.getNetworkConfig().setPort(0).setPortAutoIncrement(false).getInterfaces().setEnabled(true)
        .addInterface("127.0.0.1");
    JoinConfig join = hz.getNetworkConfig().getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(false);
    hz.addSplitBrainProtectionConfig(new SplitBrainProtectionConfig(QUORUM, true, 2));
    hz.addMapConfig(new MapConfig(CredentialLeases.MAP).setSplitBrainProtectionName(QUORUM));
    vertx = await(Vertx.builder().withClusterManager(new HazelcastClusterManager(hz)).buildClustered());
    h = await(TrunklineHarness.start(vertx, new JsonObject(), true));

    tenant = TrunklineHarness.newTenant();
    token = h.token(tenant);
    accountSid = "AC" + tenant + "00000000";
    authToken = h.secret("the Twilio auth token", TrunklineHarness.randomSecret("twtok"));
    retellKey = h.secret("the Retell key", TrunklineHarness.randomSecret("retell"));
    assertThat(call(HttpMethod.PUT, "/twilio", new JsonObject().put("accountSid", accountSid)
        .put("authToken", authToken)).statusCode()).isEqualTo(200);
    assertThat(call(HttpMethod.PUT, "/retell", new JsonObject().put("apiKey", retellKey)).statusCode())
        .isEqualTo(200);
    // Setup takes no credential lease (the tenant lock is the store's): the tenant is ready for every write.
    assertThat(call(HttpMethod.POST, "/twilio/setup", null).statusCode()).isEqualTo(201);
    // The map really is unusable on this node.
    Throwable refused = awaitFailure(vertx.sharedData().<String, String>getAsyncMap(CredentialLeases.MAP)
        .compose(m -> m.put(tenant + "/probe", "?", 1_000)));
    assertThat(refused.getClass().getSimpleName()).isEqualTo("SplitBrainProtectionException");
  }

  @AfterAll
  static void stop() {
    if (h != null) {
      SipCredentials sip = await(Bus.request(vertx, Addresses.Store.SIP_GET, new TenantRef(tenant),
          SipCredentials.class, 10_000, "test"));
      h.secret("the SIP password", sip.password().reveal());
      h.assertNoSecretLeaked();
      await(h.close());
    }
    if (vertx != null) {
      await(vertx.close());
    }
  }

  @Test
  void aPurchaseIs503BuysNothingAndFreesItsKey() {
    String phone = "+19175550151";
    HttpResponse<Buffer> r = await(h.send(h.request(HttpMethod.POST, h.path(tenant,
        "/twilio/phoneNumbers/purchase"), token).putHeader("Idempotency-Key", "no-lease"),
        new JsonObject().put("phoneNumber", phone)));
    GatewayEdgeTest.assertError(r, 503, "SERVICE_UNAVAILABLE");
    assertThat(h.twilio.requests().count("POST", "/2010-04-01/Accounts/*/IncomingPhoneNumbers.json"))
        .as("numbers bought").isZero();
    assertNothingImportedOrRecorded(phone);
    // The key was given back: the same request claims it afresh instead of finding it in progress.
    IdempotencyClaim again = await(Bus.request(vertx, Addresses.Store.IDEMPOTENCY_CLAIM, new ClaimIdempotency(tenant,
        "no-lease", PurchaseFlow.OPERATION, PurchaseFlow.requestHash(phone)), IdempotencyClaim.class, 10_000, "test"));
    assertThat(again.state()).isEqualTo(ClaimState.CLAIMED);
    assertThat(again.takenOver()).isFalse();
  }

  @Test
  void anImportIs503AndLeavesTheNumberOffTheTrunk() {
    // A number the tenant bought in Twilio's console: in the account, on no trunk.
    String phone = "+19175550152";
    HttpResponse<Buffer> bought = await(h.client.postAbs(h.twilio.baseUrl() + "/2010-04-01/Accounts/" + accountSid
            + "/IncomingPhoneNumbers.json").basicAuthentication(accountSid, authToken).timeout(10_000)
        .sendForm(MultiMap.caseInsensitiveMultiMap().add("PhoneNumber", phone)));
    assertThat(bought.statusCode()).isEqualTo(201);
    long trunkWrites = h.twilio.requests().count("POST", "/v1/Trunks/*/PhoneNumbers");

    GatewayEdgeTest.assertError(call(HttpMethod.POST, "/twilio/phoneNumbers/import",
        new JsonObject().put("phoneNumber", phone)), 503, "SERVICE_UNAVAILABLE");
    assertThat(h.twilio.requests().count("POST", "/v1/Trunks/*/PhoneNumbers")).isEqualTo(trunkWrites);
    assertThat(h.twilio.trunks(accountSid)).singleElement()
        .satisfies(trunk -> assertThat(trunk.getJsonArray("phone_number_sids")).isEmpty());
    assertNothingImportedOrRecorded(phone);
  }

  @Test
  void aFixIs503AndWritesNothingToRetellWhileItsDryRunAndTheAuditAnswer() {
    // Recorded but never imported: a fix would import it into Retell.
    String phone = "+19175550153";
    await(h.bus(Addresses.Store.NUMBER_SAVE, new PhoneNumber(tenant, phone, null, null, RetellStatus.NOT_IMPORTED,
        "RETELL_ERROR", 0, 0)));
    long retellWrites = retellWrites();

    GatewayEdgeTest.assertError(call(HttpMethod.POST, "/twilio/fix-retell-credentials", new JsonObject()),
        503, "SERVICE_UNAVAILABLE");
    GatewayEdgeTest.assertError(call(HttpMethod.POST, "/twilio/fix-retell-credentials",
        new JsonObject().put("phoneNumber", phone)), 503, "SERVICE_UNAVAILABLE");
    assertThat(retellWrites()).as("writes to Retell").isEqualTo(retellWrites);
    assertThat(h.retell.number(retellKey, phone)).isEmpty();
    assertThat(await(h.storedNumbers(tenant))).filteredOn(n -> n.phoneNumber().equals(phone))
        .extracting(PhoneNumber::retellStatus).containsExactly(RetellStatus.NOT_IMPORTED);

    // Neither takes a lease: they answer, so every service is up and the 503 above was the lease.
    HttpResponse<Buffer> dryRun = call(HttpMethod.POST, "/twilio/fix-retell-credentials",
        new JsonObject().put("dryRun", true));
    assertThat(dryRun.statusCode()).as(dryRun.bodyAsString()).isEqualTo(200);
    assertThat(dryRun.bodyAsJsonObject().getJsonObject("data").getBoolean("dryRun")).isTrue();
    HttpResponse<Buffer> audit = call(HttpMethod.GET, "/twilio/retell-credentials", null);
    assertThat(audit.statusCode()).as(audit.bodyAsString()).isEqualTo(200);
    assertThat(retellWrites()).as("writes to Retell").isEqualTo(retellWrites);
  }

  @Test
  void aRotationIs503AndBeginsNothing() {
    long credentialWrites = h.twilio.requests().count("POST", "/2010-04-01/Accounts/*/SIP/CredentialLists/*/**");
    GatewayEdgeTest.assertError(call(HttpMethod.POST, "/twilio/credentials/rotate", null), 503,
        "SERVICE_UNAVAILABLE");
    assertThat(h.twilio.requests().count("POST", "/2010-04-01/Accounts/*/SIP/CredentialLists/*/**"))
        .isEqualTo(credentialWrites);
    assertThat(h.twilio.credentialLists(accountSid)).singleElement()
        .satisfies(list -> assertThat(list.getJsonArray("credentials")).hasSize(1));
    SipCredentials sip = await(Bus.request(vertx, Addresses.Store.SIP_GET, new TenantRef(tenant),
        SipCredentials.class, 10_000, "test"));
    assertThat(sip.pending()).as("a rotation's pending credential").isNull();
  }

  private static void assertNothingImportedOrRecorded(String phone) {
    assertThat(h.retell.number(retellKey, phone)).as("%s in Retell", phone).isEmpty();
    assertThat(h.retell.requests().count("POST", "/import-phone-number")).as("imports into Retell").isZero();
    assertThat(await(h.storedNumbers(tenant))).extracting(PhoneNumber::phoneNumber).doesNotContain(phone);
  }

  private static long retellWrites() {
    return h.retell.requests().count("POST", "/**") + h.retell.requests().count("PATCH", "/**");
  }

  private static HttpResponse<Buffer> call(HttpMethod method, String rest, Object body) {
    return await(h.call(method, h.path(tenant, rest), token, body));
  }

}
