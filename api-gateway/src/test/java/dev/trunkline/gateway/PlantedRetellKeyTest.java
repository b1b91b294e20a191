package dev.trunkline.gateway;

import static dev.trunkline.contract.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trunkline.contract.StoreMessages.RetellStatus;
import dev.trunkline.gateway.TrunklineHarness.Tenant;
import dev.trunkline.simulators.RetellSimulator;
import dev.trunkline.store.EmbeddedMongo;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.MongoClient;
import io.vertx.ext.web.client.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The attack of the vault bypass, end to end: someone who can write to the store (the embedded server asks for no
 * credentials on loopback) replaces a tenant's Retell key with a plain-text key of their own workspace. Audit and
 * fix would then import the tenant's numbers, with its SIP password, into that workspace. The store refuses the
 * plain text, so the flows fail with a 500 and Retell never sees the planted key.
 */
class PlantedRetellKeyTest {
  private static TrunklineHarness h;

  @RegisterExtension
  static final SharedHarness HARNESS = SharedHarness.of(new JsonObject(), harness -> h = harness);

  @Test
  void aPlantedPlainTextRetellKeyIsNeverUsed() throws Exception {
    Tenant t = await(h.seedTenant());
    String number = "+13125550177";
    await(h.saveNumbers(t, RetellStatus.IMPORTED, List.of(number)));
    h.retell.seedBroken(t.apiKey(), number, t.terminationUri());
    String planted = h.secret("the planted Retell key", TrunklineHarness.randomSecret("retell"));
    h.clearTextInTheDatabase();
    String plantedWorkspace = RetellSimulator.workspaceId(planted);

    EmbeddedMongo server = await(EmbeddedMongo.acquire(h.vertx, h.config.getString("dataDir")));
    MongoClient raw = MongoClient.create(h.vertx, new JsonObject()
        .put("connection_string", server.connectionString()).put("db_name", "trunkline"));
    try {
      await(raw.updateCollection("connectorsubaccount",
          new JsonObject().put("subaccountId", t.id()).put("connectorType", "retell"),
          new JsonObject().put("$set", new JsonObject().put("config.apiKey", planted))));
    } finally {
      await(raw.close());
      await(server.release());
    }

    HttpResponse<Buffer> audit = await(h.call(HttpMethod.GET, h.path(t.id(), "/twilio/retell-credentials"),
        h.token(t.id()), null));
    HttpResponse<Buffer> fix = await(h.call(HttpMethod.POST, h.path(t.id(), "/twilio/fix-retell-credentials"),
        h.token(t.id()), new JsonObject()));

    assertThat(h.retell.requests().reads(plantedWorkspace) + h.retell.requests().writes(plantedWorkspace))
        .as("requests Retell received with the planted key").isZero();
    assertThat(h.retell.number(planted, number)).as("the number in the planter's workspace").isEmpty();
    GatewayEdgeTest.assertError(audit, 500, "INTERNAL_ERROR");
    GatewayEdgeTest.assertError(fix, 500, "INTERNAL_ERROR");
  }

}
