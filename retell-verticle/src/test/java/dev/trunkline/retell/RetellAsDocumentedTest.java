package dev.trunkline.retell;

import static dev.trunkline.retell.Fixture.KEY;
import static dev.trunkline.retell.Fixture.N1;
import static dev.trunkline.retell.Fixture.N3;
import static dev.trunkline.retell.Fixture.OTHER_PASSWORD;
import static dev.trunkline.retell.Fixture.PASSWORD;
import static dev.trunkline.retell.Fixture.TRUNK;
import static dev.trunkline.retell.Fixture.USERNAME;
import static dev.trunkline.retell.Fixture.failure;
import static dev.trunkline.retell.Fixture.key;
import static dev.trunkline.retell.Fixture.request;
import static dev.trunkline.retell.Fixture.target;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trunkline.contract.Addresses.Retell;
import dev.trunkline.contract.RetellMessages.Deleted;
import dev.trunkline.contract.RetellMessages.ImportNumber;
import dev.trunkline.contract.RetellMessages.InspectNumber;
import dev.trunkline.contract.RetellMessages.Inspection;
import dev.trunkline.contract.RetellMessages.InspectionStatus;
import dev.trunkline.contract.RetellMessages.ListNumbers;
import dev.trunkline.contract.RetellMessages.NumberList;
import dev.trunkline.contract.RetellMessages.KeyedNumber;
import dev.trunkline.contract.RetellMessages.RetellNumber;
import dev.trunkline.contract.RetellMessages.SyncNumber;
import dev.trunkline.contract.RetellMessages.SyncOutcome;
import dev.trunkline.contract.RetellMessages.SyncResult;
import dev.trunkline.simulators.FaultRule;
import dev.trunkline.simulators.RetellSimulator;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The client against Retell as its OpenAPI document describes it (and as the simulator, held to that document,
 * answers): an unknown number is 422 "Cannot find requested asset", any other 422 is a rejection, an import whose
 * outcome is unknown converges by reading the number back, and a list page that says has_more without a
 * pagination_key is an upstream error.
 */
@ExtendWith(VertxExtension.class)
class RetellAsDocumentedTest {

  private RetellSimulator sim;
  private String deployment;

  @BeforeEach
  void start(Vertx vertx, VertxTestContext ctx) {
    Fixture.simulator(vertx)
        .compose(s -> {
          sim = s;
          return Fixture.deploy(vertx, Fixture.config(s.baseUrl()), 1);
        })
        .onComplete(ctx.succeeding(id -> {
          deployment = id;
          ctx.completeNow();
        }));
  }

  @AfterEach
  void stop(VertxTestContext ctx) {
    java.util.List<String> violations = sim.contract().violations();
    sim.close().onComplete(ctx.succeeding(v -> ctx.verify(() -> {
      assertThat(violations).as("simulator replies outside Retell's document").isEmpty();
      ctx.completeNow();
    })));
  }

  private JsonObject sip(String number) {
    return sim.number(KEY, number).orElseThrow().getJsonObject("sip_outbound_trunk_config");
  }

  // --- "not in Retell" is Retell's 422 ----------------------------------------------------------------------

  @Test
  void anUnknownNumberIsNotInRetellForInspectAndDeleteSucceeds(Vertx vertx, VertxTestContext ctx) {
    request(vertx, Retell.NUMBER_INSPECT, new InspectNumber(key(), N3, TRUNK, USERNAME), Inspection.class)
        .compose(inspection -> {
          ctx.verify(() -> assertThat(inspection.status()).isEqualTo(InspectionStatus.NOT_IN_RETELL));
          return request(vertx, Retell.NUMBER_DELETE, new KeyedNumber(key(), N3), Deleted.class);
        })
        .onComplete(ctx.succeeding(deleted -> ctx.verify(() -> {
          assertThat(deleted).isEqualTo(new Deleted(N3, false));
          // Each was answered 422 and nothing was retried.
          assertThat(sim.contract().replies()).containsEntry("getPhoneNumber 422", 1L)
              .containsEntry("deletePhoneNumber 422", 1L);
          ctx.completeNow();
        })));
  }

  @Test
  void aMissingNumberIsImportedBySyncWhenAsked(Vertx vertx, VertxTestContext ctx) {
    request(vertx, Retell.NUMBER_SYNC, new SyncNumber(key(), N3, target(), true, null), SyncResult.class)
        .onComplete(ctx.succeeding(result -> ctx.verify(() -> {
          assertThat(result.outcome()).isEqualTo(SyncOutcome.IMPORTED);
          assertThat(sim.contract().replies()).containsEntry("updatePhoneNumber 422", 1L)
              .containsEntry("importPhoneNumber 201", 1L);
          assertThat(sim.checkPassword(KEY, N3, PASSWORD)).isTrue();
          ctx.completeNow();
        })));
  }

  @Test
  void anyOther422IsARejectionWithRetellsMessageAndImportsNothing(Vertx vertx, VertxTestContext ctx) {
    sim.seed(KEY, Fixture.seedBody(N1, TRUNK, USERNAME, PASSWORD));
    sim.faults().add(FaultRule.on("PATCH", "/update-phone-number/*").error(422, null, "Invalid transport value")
        .times(1));
    request(vertx, Retell.NUMBER_SYNC, new SyncNumber(key(), N1, target(), true, null), SyncResult.class)
        .onComplete(ctx.failing(failure(ctx, 422, "RETELL_REJECTED", se -> {
          assertThat(se.getMessage()).contains("Invalid transport value");
          assertThat(se.details().getInteger("upstreamStatus")).isEqualTo(422);
          assertThat(sim.requests().count("POST", "/import-phone-number")).isZero();
        })));
  }

  // --- imports converge ----------------------------------------------------------------------------------------

  @Test
  void anImportWhoseReplyWasLostConvergesOnTheRetry(Vertx vertx, VertxTestContext ctx) {
    // Retell applies the first import, the reply never arrives; the retry meets the number already there.
    FaultRule drop = sim.faults().add(FaultRule.on("POST", "/import-phone-number").dropResponse().times(1));
    request(vertx, Retell.NUMBER_IMPORT, new ImportNumber(key(), N3, target(), null), RetellNumber.class)
        .onComplete(ctx.succeeding(number -> ctx.verify(() -> {
          assertThat(drop.fired()).isEqualTo(1);
          assertThat(number.authUsername()).isEqualTo(USERNAME);
          assertThat(sip(N3).getString("auth_username")).isEqualTo(USERNAME);
          assertThat(sim.checkPassword(KEY, N3, PASSWORD)).isTrue();
          // Lost reply, retry answered 400 "already exists", read back, converged with an update.
          assertThat(sim.requests().count("POST", "/import-phone-number")).isEqualTo(2);
          assertThat(sim.requests().count("GET", "/get-phone-number/*")).isEqualTo(1);
          assertThat(sim.requests().count("PATCH", "/update-phone-number/*")).isEqualTo(1);
          ctx.completeNow();
        })));
  }

  @Test
  void anImportOfANumberRetellAlreadyHasTakesTheTargetCredentials(Vertx vertx, VertxTestContext ctx) {
    // Left by an earlier request whose gateway died after Retell applied it, with other credentials.
    sim.seed(KEY, Fixture.seedBody(N1, "old.pstn.twilio.com", "someone_else", OTHER_PASSWORD));
    request(vertx, Retell.NUMBER_IMPORT, new ImportNumber(key(), N1, target(), null), RetellNumber.class)
        .onComplete(ctx.succeeding(number -> ctx.verify(() -> {
          assertThat(number.authUsername()).isEqualTo(USERNAME);
          assertThat(number.terminationUri()).isEqualTo(TRUNK);
          assertThat(sim.checkPassword(KEY, N1, PASSWORD)).isTrue();
          ctx.completeNow();
        })));
  }

  @Test
  void aConflictAnswerAlsoConverges(Vertx vertx, VertxTestContext ctx) {
    // Another server may answer a duplicate import with 409 (retried, as the SDK does): the answer is not trusted.
    sim.seed(KEY, Fixture.seedBody(N1, TRUNK, "someone_else", OTHER_PASSWORD));
    sim.faults().add(FaultRule.on("POST", "/import-phone-number").error(409, null, "already exists"));
    request(vertx, Retell.NUMBER_SYNC, new SyncNumber(key(), N1, target(), true, null), SyncResult.class)
        .compose(first -> {
          ctx.verify(() -> assertThat(first.outcome()).isEqualTo(SyncOutcome.UPDATED));
          return request(vertx, Retell.NUMBER_IMPORT, new ImportNumber(key(), N1, target(), null),
              RetellNumber.class);
        })
        .onComplete(ctx.succeeding(number -> ctx.verify(() -> {
          assertThat(number.authUsername()).isEqualTo(USERNAME);
          assertThat(sim.requests().count("POST", "/import-phone-number")).isEqualTo(3);
          ctx.completeNow();
        })));
  }

  @Test
  void aFailedImportOfANumberProvablyNotInRetellKeepsItsOwnFailure(Vertx vertx, VertxTestContext ctx) {
    sim.faults().add(FaultRule.on("POST", "/import-phone-number").error(500));
    request(vertx, Retell.NUMBER_IMPORT, new ImportNumber(key(), N3, target(), null), RetellNumber.class)
        .onComplete(ctx.failing(failure(ctx, 502, "RETELL_ERROR", se -> {
          assertThat(se.details().getInteger("upstreamStatus")).isEqualTo(500);
          assertThat(sim.requests().count("GET", "/get-phone-number/*")).isEqualTo(1);
          assertThat(sim.number(KEY, N3)).isEmpty();
        })));
  }

  @Test
  void whenTheReadBackFailsTooTheOutcomeIsUnknownNotAConflict(Vertx vertx, VertxTestContext ctx) {
    sim.seed(KEY, Fixture.seedBody(N1, TRUNK, USERNAME, PASSWORD));
    sim.faults().add(FaultRule.on("GET", "/get-phone-number/*").error(500));
    request(vertx, Retell.NUMBER_IMPORT, new ImportNumber(key(), N1, target(), null), RetellNumber.class)
        .onComplete(ctx.failing(failure(ctx, 502, "RETELL_ERROR", se -> {
          assertThat(se.details().getInteger("upstreamStatus")).isEqualTo(500);
          assertThat(sim.requests().count("PATCH", "/update-phone-number/*")).isZero();
        })));
  }

  @Test
  void aRefusedKeyIsNotReadBack(Vertx vertx, VertxTestContext ctx) {
    sim.faults().add(FaultRule.on("POST", "/import-phone-number").error(401));
    request(vertx, Retell.NUMBER_IMPORT, new ImportNumber(key(), N3, target(), null), RetellNumber.class)
        .onComplete(ctx.failing(failure(ctx, 502, "RETELL_UNAUTHORIZED",
            se -> assertThat(sim.requests().count("GET", "/get-phone-number/*")).isZero())));
  }

  // --- paging ----------------------------------------------------------------------------------------------------

  @Test
  void hasMoreWithoutAPaginationKeyIsAnUpstreamError(Vertx vertx, VertxTestContext ctx) {
    // A server that breaks the paging contract: has_more true, no key. The old client returned one page as all.
    HttpServer broken = vertx.createHttpServer().requestHandler(req -> req.response()
        .putHeader("content-type", "application/json")
        .end(new JsonObject().put("items", new io.vertx.core.json.JsonArray()).put("has_more", true).encode()));
    vertx.undeploy(deployment)
        .compose(v -> broken.listen(0, "127.0.0.1"))
        .compose(server -> Fixture.deploy(vertx, Fixture.config("http://127.0.0.1:" + server.actualPort()), 1))
        .compose(id -> request(vertx, Retell.NUMBER_LIST, new ListNumbers(key()), NumberList.class))
        .onComplete(ctx.failing(failure(ctx, 502, "RETELL_BAD_REPLY",
            se -> assertThat(se.getMessage()).contains("pagination_key"))));
  }
}
