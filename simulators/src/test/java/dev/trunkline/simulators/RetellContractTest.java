package dev.trunkline.simulators;

import static dev.trunkline.contract.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The check that holds the Retell simulator to Retell's document must itself be able to fail: it rejects statuses
 * the document does not list and bodies that do not match, and accepts exactly what the document allows.
 */
@ExtendWith(VertxExtension.class)
class RetellContractTest {

  private static JsonObject number() {
    return new JsonObject().put("phone_number", "+14155550100").put("phone_number_type", "custom")
        .put("phone_number_pretty", "+1 (415) 555-0100").put("last_modification_timestamp", 1703413636133L)
        .put("nickname", null).put("inbound_agents", null)
        .put("sip_outbound_trunk_config", new JsonObject().put("termination_uri", "x.pstn.twilio.com")
            .put("transport", "TCP").put("auth_username", null));
  }

  @Test
  void documentedStatusesAreTheDocumentsOwn(Vertx vertx) {
    RetellContract contract = new RetellContract(vertx, await(RetellOpenApi.load(vertx)));
    assertThat(contract.documentedStatuses("importPhoneNumber")).containsExactly(201, 400, 401, 500);
    assertThat(contract.documentedStatuses("getPhoneNumber")).containsExactly(200, 400, 401, 422, 500);
    assertThat(contract.documentedStatuses("updatePhoneNumber")).containsExactly(200, 400, 401, 422, 500);
    assertThat(contract.documentedStatuses("deletePhoneNumber")).containsExactly(204, 401, 422, 500);
    assertThat(contract.documentedStatuses("listPhoneNumbersV2")).containsExactly(200, 401, 500);
  }

  @Test
  void theCheckFailsOnWhatTheDocumentDoesNotAllow(Vertx vertx) {
    RetellContract contract = new RetellContract(vertx, await(RetellOpenApi.load(vertx)));
    // What the old simulator answered for an unknown number, and for a duplicate import.
    assertThat(contract.problem("getPhoneNumber", 404, RetellSimulator.errorBody(404, null)))
        .contains("status 404 is not among the documented");
    assertThat(contract.problem("importPhoneNumber", 409, RetellSimulator.errorBody(409, null))).isNotNull();
    // The old error body: a numeric status.
    assertThat(contract.problem("getPhoneNumber", 422, new JsonObject().put("status", 422).put("message", "x")))
        .isNotNull();
    assertThat(contract.problem("getPhoneNumber", 200, number().copy().put("phone_number_type", "sip")))
        .isNotNull();
    JsonObject noType = number();
    noType.remove("phone_number_type");
    assertThat(contract.problem("getPhoneNumber", 200, noType)).isNotNull();
    // area_code is an integer, not nullable: the nullable adaptation is not a blanket "null is fine".
    assertThat(contract.problem("getPhoneNumber", 200, number().put("area_code", null))).isNotNull();
    assertThat(contract.problem("deletePhoneNumber", 204, new JsonObject())).isNotNull();
    assertThat(contract.problem("importPhoneNumber", 201, null)).isNotNull();
  }

  @Test
  void theCheckAcceptsWhatTheDocumentAllows(Vertx vertx) {
    RetellContract contract = new RetellContract(vertx, await(RetellOpenApi.load(vertx)));
    assertThat(contract.problem("getPhoneNumber", 200, number())).isNull();
    assertThat(contract.problem("importPhoneNumber", 201, number().put("area_code", 415))).isNull();
    assertThat(contract.problem("deletePhoneNumber", 204, null)).isNull();
    assertThat(contract.problem("listPhoneNumbersV2", 200, new JsonObject()
        .put("items", new io.vertx.core.json.JsonArray().add(number())).put("has_more", false))).isNull();
    for (int status : new int[] {400, 401, 422, 500}) {
      assertThat(contract.problem("updatePhoneNumber", status, RetellSimulator.errorBody(status, null)))
          .as("the simulator's %s body", status).isNull();
    }
  }

  @Test
  void listDefaultsToFiftyAndTheAdminViewReportsReplies(Vertx vertx) {
    RetellSimulator sim = await(RetellSimulator.start(vertx, new SimulatorOptions()));
    WebClient client = WebClient.create(vertx);
    try {
      for (int i = 0; i < 60; i++) {
        sim.seed("k", new JsonObject().put("phone_number", String.format("+1415555%04d", i))
            .put("termination_uri", "x.pstn.twilio.com").put("auth_username", "u"));
      }
      HttpResponse<Buffer> page = await(client.getAbs(sim.baseUrl() + "/v2/list-phone-numbers")
          .bearerTokenAuthentication("k").timeout(10_000).send());
      assertThat(page.bodyAsJsonObject().getJsonArray("items")).hasSize(50);
      assertThat(page.bodyAsJsonObject().getBoolean("has_more")).isTrue();
      assertThat(page.bodyAsJsonObject().getString("pagination_key")).isNotBlank();
      await(client.request(HttpMethod.GET, sim.port(), "127.0.0.1", "/get-phone-number/+19995550000")
          .bearerTokenAuthentication("k").timeout(10_000).send());

      JsonObject report = await(client.getAbs(sim.baseUrl() + "/__admin/contract").timeout(10_000).send())
          .bodyAsJsonObject();
      assertThat(report.getJsonObject("replies").getMap())
          .containsEntry("listPhoneNumbersV2 200", 1).containsEntry("getPhoneNumber 422", 1);
      assertThat(report.getJsonArray("violations")).isEmpty();
      assertThat(sim.contract().violations()).isEmpty();
    } finally {
      client.close();
      await(sim.close());
    }
  }
}
