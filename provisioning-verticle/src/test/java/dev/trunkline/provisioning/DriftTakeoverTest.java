package dev.trunkline.provisioning;

import static dev.trunkline.contract.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trunkline.contract.Addresses;
import dev.trunkline.contract.CredentialPurpose;
import dev.trunkline.contract.Bus;
import dev.trunkline.contract.Secret;
import dev.trunkline.contract.StoreMessages;
import dev.trunkline.contract.testing.Await;
import dev.trunkline.contract.testing.TestEnvironment;
import dev.trunkline.retell.RetellVerticle;
import dev.trunkline.simulators.RetellSimulator;
import dev.trunkline.simulators.SimulatorOptions;
import dev.trunkline.store.EmbeddedMongo;
import dev.trunkline.store.StoreVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two nodes (two Vert.x instances, each with its own store, Retell and provisioning services) on one database and
 * one Retell: only one sweeps; when it dies (here: it loses the database, so it can neither renew nor release its
 * lease, as a killed node) the other takes the sweep over within the lease time and goes on from the cursor the dead
 * one saved, not from the start.
 */
@ExtendWith(VertxExtension.class)
class DriftTakeoverTest {
  private static final long LEASE_MS = 3_000;
  private static final int PERIOD_SECONDS = 20;
  private static final int PAGE = 5;

  @TempDir
  Path dbDir;

  record Seen(String phoneNumber, long at) {}

  @Test
  void anotherNodeTakesTheSweepOverWithinTheLeaseAndResumesWhereTheDeadOneStopped(Vertx vertx) {
    EmbeddedMongo db = await(EmbeddedMongo.acquire(vertx, dbDir.toString()));
    RetellSimulator retell = await(RetellSimulator.start(vertx, new SimulatorOptions().host("127.0.0.1").port(0)));
    JsonObject config = TestEnvironment.newStoreConfig("drift-takeover");
    config.getJsonObject("mongo").put("uri", db.connectionString());
    config.put("retell", new JsonObject().put("baseUrl", retell.baseUrl()).put("requestTimeoutMs", 2_000)
            .put("maxRetries", 0).put("rateLimitPerSecond", 1_000).put("rateLimitBurst", 1_000))
        .put("provisioning", new JsonObject().put("perNumberTimeoutMs", 3_000).put("busTimeoutMs", 3_000)
            .put("listPageSize", PAGE))
        .put("drift", new JsonObject().put("enabled", true).put("periodSeconds", PERIOD_SECONDS)
            .put("maxPerSecond", 50).put("leaseMs", LEASE_MS));
    Vertx a = Vertx.vertx();
    Vertx b = Vertx.vertx();
    try {
      DeploymentOptions options = new DeploymentOptions().setConfig(config);
      String storeOfA = await(a.deployVerticle(StoreVerticle.class, options));
      await(a.deployVerticle(RetellVerticle.class, options));
      await(b.deployVerticle(StoreVerticle.class, options));
      await(b.deployVerticle(RetellVerticle.class, options));

      String tenant = TestEnvironment.newTenantId();
      String apiKey = "retell-" + TestEnvironment.hex(12);
      List<String> numbers = IntStream.range(0, 20).mapToObj(i -> String.format("+1415555%04d", 600 + i)).toList();
      await(seed(a, tenant, apiKey, numbers));
      String termination = "tl" + tenant.substring(0, 10) + ".pstn.twilio.com";
      numbers.forEach(n -> retell.seedBroken(apiKey, n, termination));

      List<Seen> seenByA = listen(a, tenant);
      List<Seen> seenByB = listen(b, tenant);
      await(a.deployVerticle(ProvisioningVerticle.class, options));
      // Killed in the middle of its sweep, with at least one page (and its cursor) done.
      Await.until("node A sweeps", Duration.ofSeconds(30), () -> seenByA.size() >= PAGE + 2);
      await(b.deployVerticle(ProvisioningVerticle.class, options));
      Await.stable("node B waits while A holds the lease", Duration.ofMillis(LEASE_MS), Duration.ofSeconds(10),
          seenByB::isEmpty);

      // A dies to the rest of the cluster: no renewal, no release; its lease runs out.
      long killed = System.currentTimeMillis();
      await(a.undeploy(storeOfA));
      int reportedByA = seenByA.size();
      Await.until("node B takes the sweep over", Duration.ofSeconds(20), () -> !seenByB.isEmpty());
      Seen first = seenByB.get(0);
      long spacing = PERIOD_SECONDS * 1000L / numbers.size();
      // The lease's remaining time, one renewal interval to notice, and the next number's turn (plus a margin).
      assertThat(first.at() - killed).isLessThanOrEqualTo(LEASE_MS + LEASE_MS / 3 + spacing + 1_500);
      // Resumed from the saved cursor: not from the tenant's first number (A finished at least one page).
      assertThat(first.phoneNumber()).isGreaterThan(numbers.get(PAGE - 1));
      // The dead node starts nothing more (it cannot record, so it publishes nothing).
      Await.until("B reports more", Duration.ofSeconds(20), () -> seenByB.size() >= 5);
      assertThat(seenByA.size()).isLessThanOrEqualTo(reportedByA + DriftWatch.MAX_IN_FLIGHT);
    } finally {
      await(a.close());
      await(b.close());
      await(retell.close());
      await(db.release());
    }
  }

  private static List<Seen> listen(Vertx node, String tenant) {
    List<Seen> seen = new CopyOnWriteArrayList<>();
    await(node.eventBus().<JsonObject>consumer(Addresses.Events.drift(tenant), m -> {
      if ("drift.found".equals(m.body().getString("type"))) {
        seen.add(new Seen(m.body().getString("phoneNumber"), System.currentTimeMillis()));
      }
    }).completion());
    return seen;
  }

  /** A set-up tenant with its numbers, written through the store's addresses (what setup and purchase write). */
  private static Future<Void> seed(Vertx node, String id, String apiKey, List<String> numbers) {
    String username = "trunkline_" + id.substring(0, 8) + "_user";
    String termination = "tl" + id.substring(0, 10) + ".pstn.twilio.com";
    String trunkSid = TestEnvironment.newSid("TK");
    String credentialSid = TestEnvironment.newSid("CR");
    StoreMessages.Trunk trunk = StoreMessages.Trunk.builder().trunkSid(trunkSid).friendlyName("trunkline-" + id)
        .domainName(termination).terminationUri(termination).credentialListSid(TestEnvironment.newSid("CL"))
        .credentialSid(credentialSid).username(username).build();
    Future<Void> chain = bus(node, Addresses.Store.RETELL_KEY_PUT, new StoreMessages.PutRetellKey(id,
            new Secret(apiKey)))
        .compose(v -> bus(node, Addresses.Store.TRUNK_PUT, new StoreMessages.PutTrunk(id, trunk, null)))
        .compose(v -> bus(node, Addresses.Store.SIP_PENDING_PUT, new StoreMessages.PutPendingSip(id, username,
            new Secret("Sip1-" + TestEnvironment.hex(12)), CredentialPurpose.SETUP, credentialSid)))
        .compose(v -> bus(node, Addresses.Store.SIP_PROMOTE, new StoreMessages.PromoteSip(id, username,
            credentialSid)));
    for (String n : numbers) {
      chain = chain.compose(v -> bus(node, Addresses.Store.NUMBER_SAVE, new StoreMessages.PhoneNumber(id, n,
          TestEnvironment.newSid("PN"), trunkSid, StoreMessages.RetellStatus.IMPORTED, null, 0, 0)));
    }
    return chain;
  }

  private static Future<Void> bus(Vertx node, String address, Object body) {
    return Bus.request(node, address, body, JsonObject.class, 10_000, "test-fixture").mapEmpty();
  }
}
