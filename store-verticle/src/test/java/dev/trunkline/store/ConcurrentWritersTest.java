package dev.trunkline.store;

import static dev.trunkline.contract.testing.Await.await;
import static dev.trunkline.store.StoreTestSupport.call;
import static dev.trunkline.store.StoreTestSupport.newTenant;
import static dev.trunkline.store.StoreTestSupport.sid;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trunkline.contract.Addresses.Store;
import dev.trunkline.contract.Bus;
import dev.trunkline.contract.CredentialPurpose;
import dev.trunkline.contract.Secret;
import dev.trunkline.contract.ServiceException;
import dev.trunkline.contract.StoreMessages.Connector;
import dev.trunkline.contract.StoreMessages.PhoneNumber;
import dev.trunkline.contract.StoreMessages.PromoteSip;
import dev.trunkline.contract.StoreMessages.PutPendingSip;
import dev.trunkline.contract.StoreMessages.PutTrunk;
import dev.trunkline.contract.StoreMessages.PutTwilioAccount;
import dev.trunkline.contract.StoreMessages.SipCredentials;
import dev.trunkline.contract.StoreMessages.Trunk;
import dev.trunkline.contract.StoreMessages.TwilioAccount;
import dev.trunkline.contract.TenantRef;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.MongoClient;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many writers at once on one tenant leave exactly one document, internally consistent, with every write
 * counted in its version: the writes are single atomic updates, never read-then-write.
 */
@ExtendWith(VertxExtension.class)
class ConcurrentWritersTest {
  private static final int WRITERS = 50;

  @TempDir
  Path dataDir;
  private final String tenant = newTenant();

  @BeforeEach
  void deploy(Vertx vertx) {
    StoreTestSupport.deploy(vertx, StoreTestSupport.config(dataDir, "k1:" + StoreTestSupport.newKeyBase64()));
  }

  @Test
  void fiftyConcurrentPendingPutsForANewTenantLeaveOneConsistentDocument(Vertx vertx) {
    List<Future<Connector>> writes = new ArrayList<>();
    for (int i = 0; i < WRITERS; i++) {
      // Each password names its username, so a mixed-up pair (username of one writer, password of another) shows.
      writes.add(Bus.request(vertx, Store.SIP_PENDING_PUT,
          new PutPendingSip(tenant, "user_" + i, new Secret("Pw-user_" + i + "-Zq9"), CredentialPurpose.SETUP, null),
          Connector.class, 20_000, null));
    }
    await(Future.all(writes));
    SipCredentials sip = call(vertx, Store.SIP_GET, new TenantRef(tenant), SipCredentials.class);
    assertThat(sip.pending()).isNotNull();
    assertThat(sip.pending().password().reveal()).isEqualTo("Pw-" + sip.pending().username() + "-Zq9");
    List<JsonObject> docs = rawDocuments(vertx);
    assertThat(docs).hasSize(1);
    assertThat(docs.get(0).getLong("version")).as("every write applied once").isEqualTo(WRITERS);
  }

  @Test
  void fiftyConcurrentAccountPutsLeaveOneMatchingSidAndToken(Vertx vertx) {
    List<String> sids = new ArrayList<>();
    List<Future<Connector>> writes = new ArrayList<>();
    for (int i = 0; i < WRITERS; i++) {
      String accountSid = sid("AC");
      sids.add(accountSid);
      writes.add(Bus.request(vertx, Store.TWILIO_ACCOUNT_PUT,
          new PutTwilioAccount(tenant, accountSid, new Secret("token-for-" + accountSid)), Connector.class,
          20_000, null));
    }
    await(Future.all(writes));
    TwilioAccount account = call(vertx, Store.TWILIO_ACCOUNT_GET, new TenantRef(tenant), TwilioAccount.class);
    assertThat(sids).contains(account.accountSid());
    assertThat(account.authToken().reveal()).isEqualTo("token-for-" + account.accountSid());
    List<JsonObject> docs = rawDocuments(vertx);
    assertThat(docs).hasSize(1);
    assertThat(docs.get(0).getLong("version")).isEqualTo(WRITERS);
  }

  @Test
  void concurrentTrunkPutsWithTheSameExpectedVersionLetExactlyOneWin(Vertx vertx) {
    call(vertx, Store.TRUNK_PUT, new PutTrunk(tenant, trunk(sid("TK")), null), Connector.class);
    List<Future<Connector>> writes = new ArrayList<>();
    for (int i = 0; i < WRITERS; i++) {
      writes.add(Bus.request(vertx, Store.TRUNK_PUT, new PutTrunk(tenant, trunk(sid("TK")), 1L), Connector.class,
          20_000, null));
    }
    settle(writes);
    assertThat(writes.stream().filter(Future::succeeded).count()).isEqualTo(1);
    assertThat(writes.stream().filter(Future::failed).map(w -> ((ServiceException) w.cause()).code())
        .collect(Collectors.toSet())).containsExactly("VERSION_CONFLICT");
    Connector winner = writes.stream().filter(Future::succeeded).findFirst().orElseThrow().result();
    Connector now = call(vertx, Store.CONNECTOR_GET, new TenantRef(tenant), Connector.class);
    assertThat(now.version()).isEqualTo(2L);
    assertThat(now.trunk().trunkSid()).isEqualTo(winner.trunk().trunkSid());
  }

  @Test
  void concurrentPendingPutsAndPromotesNeverPromoteAPasswordUnderAnotherUsername(Vertx vertx) {
    // The document exists first, so a promote that runs before every put is a 409, not a 404.
    call(vertx, Store.SIP_PENDING_PUT, new PutPendingSip(tenant, "user_0", new Secret("Pw-user_0-Zq9"), CredentialPurpose.SETUP,
        null), Connector.class);
    List<Future<?>> ops = new ArrayList<>();
    for (int i = 0; i < WRITERS; i++) {
      String user = "user_" + (i % 5);
      ops.add(Bus.request(vertx, Store.SIP_PENDING_PUT,
          new PutPendingSip(tenant, user, new Secret("Pw-" + user + "-Zq9"), CredentialPurpose.SETUP, null), Connector.class,
          20_000, null));
      ops.add(Bus.request(vertx, Store.SIP_PROMOTE, new PromoteSip(tenant, user, null), Connector.class,
          20_000, null));
    }
    settle(ops);
    // Promotions fail with a conflict when another username is pending at that moment; none may corrupt.
    assertThat(ops.stream().filter(Future::failed).map(f -> ((ServiceException) f.cause()).status())
        .collect(Collectors.toSet())).isSubsetOf(409);
    assertThat(ops.stream().filter(Future::succeeded).count()).as("the puts at least").isGreaterThanOrEqualTo(WRITERS);
    SipCredentials sip = call(vertx, Store.SIP_GET, new TenantRef(tenant), SipCredentials.class);
    assertThat(sip.username() != null || sip.pending() != null).isTrue();
    if (sip.username() != null) {
      assertThat(sip.password().reveal()).isEqualTo("Pw-" + sip.username() + "-Zq9");
    }
    if (sip.pending() != null) {
      assertThat(sip.pending().password().reveal()).isEqualTo("Pw-" + sip.pending().username() + "-Zq9");
    }
  }

  @Test
  void twoTenantsRacingForOneNumberLeaveOneOwner(Vertx vertx) {
    String a = newTenant();
    String b = newTenant();
    List<Future<PhoneNumber>> saves = new ArrayList<>();
    for (int i = 0; i < WRITERS; i++) {
      String owner = i % 2 == 0 ? a : b;
      saves.add(Bus.request(vertx, Store.NUMBER_SAVE,
          new PhoneNumber(owner, "+14155550199", null, null, null, null, 0, 0), PhoneNumber.class, 20_000, null));
    }
    settle(saves);
    Map<String, Long> winners = saves.stream().filter(Future::succeeded)
        .collect(Collectors.groupingBy(s -> s.result().subaccountId(), Collectors.counting()));
    assertThat(winners).hasSize(1);
    String owner = winners.keySet().iterator().next();
    assertThat(saves.stream().filter(Future::failed).map(s -> ((ServiceException) s.cause()).code())
        .collect(Collectors.toSet())).containsExactly("NUMBER_OWNED_ELSEWHERE");
    assertThat(winners.get(owner)).as("every save of the owner succeeded").isEqualTo(WRITERS / 2);
  }

  /** Waits until every future has completed, successfully or not. */
  private static void settle(List<? extends Future<?>> futures) {
    await(Future.join(futures).otherwiseEmpty());
  }

  private List<JsonObject> rawDocuments(Vertx vertx) {
    EmbeddedMongo server = StoreTestSupport.embedded(vertx, dataDir);
    MongoClient raw = StoreTestSupport.rawClient(vertx, server);
    try {
      return await(raw.find("connectorsubaccount", new JsonObject().put("subaccountId", tenant)));
    } finally {
      await(raw.close());
      await(server.release());
    }
  }

  private static Trunk trunk(String trunkSid) {
    return Trunk.builder().trunkSid(trunkSid).build();
  }
}
