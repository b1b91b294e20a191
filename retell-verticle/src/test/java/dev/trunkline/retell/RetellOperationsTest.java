package dev.trunkline.retell;

import static dev.trunkline.contract.testing.SecretAssertions.assertNoSecret;
import static dev.trunkline.retell.Fixture.KEY;
import static dev.trunkline.retell.Fixture.N1;
import static dev.trunkline.retell.Fixture.N2;
import static dev.trunkline.retell.Fixture.N3;
import static dev.trunkline.retell.Fixture.OTHER_KEY;
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
import dev.trunkline.contract.RetellMessages.KeyVerified;
import dev.trunkline.contract.RetellMessages.ListNumbers;
import dev.trunkline.contract.RetellMessages.NumberList;
import dev.trunkline.contract.RetellMessages.KeyedNumber;
import dev.trunkline.contract.RetellMessages.RetellNumber;
import dev.trunkline.contract.RetellMessages.SipTarget;
import dev.trunkline.contract.RetellMessages.SyncNumber;
import dev.trunkline.contract.RetellMessages.SyncOutcome;
import dev.trunkline.contract.RetellMessages.SyncResult;
import dev.trunkline.contract.RetellMessages.VerifyKey;
import dev.trunkline.contract.Secret;
import dev.trunkline.contract.ServiceException;
import dev.trunkline.contract.testing.NoSecretsLogged;
import dev.trunkline.simulators.RetellSimulator;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Every address over the bus, against the Retell simulator over HTTP, with two verticle instances. */
@ExtendWith(VertxExtension.class)
class RetellOperationsTest {
  @RegisterExtension
  static final NoSecretsLogged LOGS = new NoSecretsLogged(Fixture.SECRETS);

  private RetellSimulator sim;
  private String deployment;

  @BeforeEach
  void start(Vertx vertx, VertxTestContext ctx) {
    Fixture.simulator(vertx)
        .compose(s -> {
          sim = s;
          return Fixture.deploy(vertx, Fixture.config(s.baseUrl()), 2);
        })
        .onComplete(ctx.succeeding(id -> {
          deployment = id;
          ctx.completeNow();
        }));
  }

  /** Replaces the standard deployment with one of a different configuration. */
  private Future<String> redeploy(Vertx vertx, JsonObject config) {
    return vertx.undeploy(deployment).compose(v -> Fixture.deploy(vertx, config, 1));
  }

  @AfterEach
  void stop(VertxTestContext ctx) {
    sim.close().onComplete(ctx.succeedingThenComplete());
  }

  // --- import -------------------------------------------------------------------------------------------

  @Test
  void importSendsTheImportFieldNamesAndVerifiesTheReply(Vertx vertx, VertxTestContext ctx) {
    SipTarget withScheme = new SipTarget("sip:" + TRUNK, USERNAME, new Secret(PASSWORD), null);
    request(vertx, Retell.NUMBER_IMPORT, new ImportNumber(key(), N1, withScheme, "main line"), RetellNumber.class)
        .onComplete(ctx.succeeding(number -> ctx.verify(() -> {
          assertThat(number.phoneNumber()).isEqualTo(N1);
          assertThat(number.authUsername()).isEqualTo(USERNAME);
          assertThat(number.terminationUri()).isEqualTo(TRUNK); // sent without "sip:"
          assertThat(number.transport()).isEqualTo("TCP"); // the configured default
          assertThat(number.nickname()).isEqualTo("main line");
          // Retell stored what was sent, password included (it never shows it; the simulator can check it).
          assertThat(sim.number(KEY, N1).orElseThrow().getJsonObject("sip_outbound_trunk_config")
              .getString("auth_username")).isEqualTo(USERNAME);
          assertThat(sim.checkPassword(KEY, N1, PASSWORD)).isTrue();
          assertThat(sim.requests().count("POST", "/import-phone-number")).isEqualTo(1);
          ctx.completeNow();
        })));
  }

  @Test
  void importRejectsIncompleteTargetsBeforeCallingRetell(Vertx vertx, VertxTestContext ctx) {
    List<Future<RetellNumber>> attempts = new ArrayList<>();
    attempts.add(request(vertx, Retell.NUMBER_IMPORT,
        new ImportNumber(key(), N1, new SipTarget(TRUNK, USERNAME, null, "TCP"), null), RetellNumber.class));
    attempts.add(request(vertx, Retell.NUMBER_IMPORT,
        new ImportNumber(key(), N1, new SipTarget(TRUNK, "", new Secret(PASSWORD), "TCP"), null),
        RetellNumber.class));
    attempts.add(request(vertx, Retell.NUMBER_IMPORT,
        new ImportNumber(key(), N1, new SipTarget("sip:", USERNAME, new Secret(PASSWORD), "TCP"), null),
        RetellNumber.class));
    attempts.add(request(vertx, Retell.NUMBER_IMPORT,
        new ImportNumber(key(), N1, new SipTarget(TRUNK, USERNAME, new Secret(PASSWORD), "SCTP"), null),
        RetellNumber.class));
    attempts.add(request(vertx, Retell.NUMBER_IMPORT, new ImportNumber(key(), N1, null, null), RetellNumber.class));
    attempts.add(request(vertx, Retell.NUMBER_IMPORT, new ImportNumber(key(), "07480802119", target(), null),
        RetellNumber.class));
    Future.join(attempts).onComplete(ar -> ctx.verify(() -> {
      List<String> codes = attempts.stream().map(f -> {
        ServiceException se = (ServiceException) f.cause();
        assertThat(se.status()).isEqualTo(400);
        assertNoSecret("the refusal's message", se.getMessage(), "the SIP password", PASSWORD);
        return se.code();
      }).toList();
      assertThat(codes).containsExactly("INVALID_PASSWORD", "INVALID_USERNAME", "INVALID_TERMINATION_URI",
          "INVALID_TRANSPORT", "INVALID_TARGET", "INVALID_PHONE_NUMBER");
      assertThat(sim.requests().total()).as("nothing reached Retell").isZero();
      ctx.completeNow();
    }));
  }

  // --- get / list / delete --------------------------------------------------------------------------------

  @Test
  void getReadsTheNumberAndAnUnknownOneIsNotFound(Vertx vertx, VertxTestContext ctx) {
    sim.seed(KEY, Fixture.seedBody(N1, TRUNK, USERNAME, PASSWORD).put("nickname", "front desk"));
    request(vertx, Retell.NUMBER_GET, new KeyedNumber(key(), N1), RetellNumber.class)
        .compose(number -> {
          ctx.verify(() -> {
            assertThat(number.phoneNumber()).isEqualTo(N1);
            assertThat(number.phoneNumberType()).isEqualTo("custom");
            assertThat(number.nickname()).isEqualTo("front desk");
            assertThat(number.authUsername()).isEqualTo(USERNAME);
            assertThat(number.terminationUri()).isEqualTo(TRUNK);
            assertThat(number.lastModificationTimestamp()).isPositive();
          });
          // The same number is invisible to another workspace's key.
          return request(vertx, Retell.NUMBER_GET, new KeyedNumber(new Secret(OTHER_KEY), N1), RetellNumber.class);
        })
        // Retell's answer for a number it does not have is 422 "Cannot find requested asset under given api key."
        .onComplete(ctx.failing(failure(ctx, 404, "RETELL_NOT_FOUND", se ->
            assertThat(se.details().getInteger("upstreamStatus")).isEqualTo(422))));
  }

  @Test
  void listFollowsEveryPage(Vertx vertx, VertxTestContext ctx) {
    List<String> numbers = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      String n = "+1415555010" + i;
      numbers.add(n);
      sim.seed(KEY, Fixture.seedBody(n, TRUNK, USERNAME, PASSWORD));
    }
    sim.seed(OTHER_KEY, Fixture.seedBody(N1, TRUNK, USERNAME, PASSWORD));
    JsonObject config = Fixture.config(sim.baseUrl());
    config.getJsonObject("retell").put("listPageSize", 3);
    redeploy(vertx, config)
        .compose(id -> request(vertx, Retell.NUMBER_LIST, new ListNumbers(key()), NumberList.class))
        .onComplete(ctx.succeeding(list -> ctx.verify(() -> {
          assertThat(list.items()).extracting(RetellNumber::phoneNumber).containsExactlyInAnyOrderElementsOf(numbers);
          assertThat(list.truncated()).isFalse();
          assertThat(sim.requests().count("GET", "/v2/list-phone-numbers")).as("pages fetched").isEqualTo(3);
          ctx.completeNow();
        })));
  }

  @Test
  void listStopsAtTheMaxPageCountAndSaysSo(Vertx vertx, VertxTestContext ctx) {
    for (int i = 0; i < 7; i++) {
      sim.seed(KEY, Fixture.seedBody("+1415555010" + i, TRUNK, USERNAME, PASSWORD));
    }
    JsonObject config = Fixture.config(sim.baseUrl());
    config.getJsonObject("retell").put("listPageSize", 2).put("listMaxPages", 2);
    redeploy(vertx, config)
        .compose(id -> request(vertx, Retell.NUMBER_LIST, new ListNumbers(key()), NumberList.class))
        .onComplete(ctx.succeeding(list -> ctx.verify(() -> {
          assertThat(list.items()).hasSize(4);
          assertThat(list.truncated()).isTrue();
          assertThat(sim.requests().count("GET", "/v2/list-phone-numbers")).isEqualTo(2);
          ctx.completeNow();
        })));
  }

  @Test
  void deleteIsIdempotent(Vertx vertx, VertxTestContext ctx) {
    sim.seed(KEY, Fixture.seedBody(N1, TRUNK, USERNAME, PASSWORD));
    request(vertx, Retell.NUMBER_DELETE, new KeyedNumber(key(), N1), Deleted.class)
        .compose(first -> {
          ctx.verify(() -> {
            assertThat(first).isEqualTo(new Deleted(N1, true));
            assertThat(sim.number(KEY, N1)).isEmpty();
          });
          return request(vertx, Retell.NUMBER_DELETE, new KeyedNumber(key(), N1), Deleted.class);
        })
        .onComplete(ctx.succeeding(second -> ctx.verify(() -> {
          assertThat(second).isEqualTo(new Deleted(N1, false));
          assertThat(sim.requests().count("DELETE", "/delete-phone-number/*")).isEqualTo(2);
          ctx.completeNow();
        })));
  }

  // --- key -----------------------------------------------------------------------------------------------

  @Test
  void keyVerifyMakesOneCheapCall(Vertx vertx, VertxTestContext ctx) {
    request(vertx, Retell.KEY_VERIFY, new VerifyKey(key()), KeyVerified.class)
        .onComplete(ctx.succeeding(reply -> ctx.verify(() -> {
          assertThat(reply.ok()).isTrue();
          assertThat(sim.requests().count("GET", "/v2/list-phone-numbers")).isEqualTo(1);
          assertThat(sim.requests().reads(RetellSimulator.workspaceId(KEY))).isEqualTo(1);
          ctx.completeNow();
        })));
  }

  @Test
  void noKeyAndNoDefaultIsA400(Vertx vertx, VertxTestContext ctx) {
    request(vertx, Retell.NUMBER_GET, new KeyedNumber(null, N1), RetellNumber.class)
        .onComplete(ctx.failing(failure(ctx, 400, "RETELL_KEY_MISSING",
            se -> assertThat(sim.requests().total()).isZero())));
  }

  @Test
  void aRequestWithoutKeyUsesTheConfiguredDefault(Vertx vertx, VertxTestContext ctx) {
    sim.seed(Fixture.DEFAULT_KEY, Fixture.seedBody(N2, TRUNK, USERNAME, PASSWORD));
    JsonObject config = Fixture.config(sim.baseUrl());
    config.getJsonObject("retell").put("defaultApiKey", Fixture.DEFAULT_KEY);
    redeploy(vertx, config)
        .compose(id -> request(vertx, Retell.NUMBER_GET, new KeyedNumber(null, N2), RetellNumber.class))
        .onComplete(ctx.succeeding(number -> ctx.verify(() -> {
          assertThat(number.phoneNumber()).isEqualTo(N2);
          assertThat(sim.requests().reads(RetellSimulator.workspaceId(Fixture.DEFAULT_KEY))).isEqualTo(1);
          ctx.completeNow();
        })));
  }

  // --- sync ----------------------------------------------------------------------------------------------

  @Test
  void syncRepairsTheOriginIncidentsBrokenNumber(Vertx vertx, VertxTestContext ctx) {
    sim.seedBroken(KEY, N1, TRUNK);
    request(vertx, Retell.NUMBER_SYNC, new SyncNumber(key(), N1, target(), false, null), SyncResult.class)
        .onComplete(ctx.succeeding(result -> ctx.verify(() -> {
          assertThat(result).isEqualTo(new SyncResult(N1, SyncOutcome.UPDATED, USERNAME, TRUNK));
          assertThat(sim.number(KEY, N1).orElseThrow().getJsonObject("sip_outbound_trunk_config")
              .getString("auth_username")).isEqualTo(USERNAME);
          assertThat(sim.checkPassword(KEY, N1, PASSWORD)).isTrue();
          assertThat(sim.requests().count("PATCH", "/update-phone-number/*")).isEqualTo(1);
          assertThat(sim.requests().count("POST", "/import-phone-number")).isZero();
          ctx.completeNow();
        })));
  }

  @Test
  void syncReplacesAWrongUsernameUriAndPassword(Vertx vertx, VertxTestContext ctx) {
    sim.seed(KEY, Fixture.seedBody(N1, "old.pstn.twilio.com", "someone_else", OTHER_PASSWORD));
    SipTarget tls = new SipTarget("sip:" + TRUNK.toUpperCase(), USERNAME, new Secret(PASSWORD), "tls");
    request(vertx, Retell.NUMBER_SYNC, new SyncNumber(key(), N1, tls, false, null), SyncResult.class)
        .onComplete(ctx.succeeding(result -> ctx.verify(() -> {
          assertThat(result.outcome()).isEqualTo(SyncOutcome.UPDATED);
          JsonObject sip = sim.number(KEY, N1).orElseThrow().getJsonObject("sip_outbound_trunk_config");
          assertThat(sip.getString("termination_uri")).isEqualTo(TRUNK.toUpperCase());
          assertThat(sip.getString("transport")).isEqualTo("TLS");
          assertThat(sim.checkPassword(KEY, N1, PASSWORD)).isTrue();
          assertThat(sim.checkPassword(KEY, N1, OTHER_PASSWORD)).isFalse();
          ctx.completeNow();
        })));
  }

  @Test
  void syncOfANumberRetellDoesNotKnowIsNotFound(Vertx vertx, VertxTestContext ctx) {
    request(vertx, Retell.NUMBER_SYNC, new SyncNumber(key(), N3, target(), false, null), SyncResult.class)
        .onComplete(ctx.failing(failure(ctx, 404, "RETELL_NOT_FOUND", se -> {
          assertThat(se.getMessage()).contains(N3);
          assertThat(sim.number(KEY, N3)).isEmpty();
          assertThat(sim.requests().count("POST", "/import-phone-number")).isZero();
        })));
  }

  @Test
  void syncImportsAMissingNumberWhenAsked(Vertx vertx, VertxTestContext ctx) {
    request(vertx, Retell.NUMBER_SYNC, new SyncNumber(key(), N3, target(), true, "imported by sync"),
        SyncResult.class)
        .onComplete(ctx.succeeding(result -> ctx.verify(() -> {
          assertThat(result).isEqualTo(new SyncResult(N3, SyncOutcome.IMPORTED, USERNAME, TRUNK));
          JsonObject number = sim.number(KEY, N3).orElseThrow();
          assertThat(number.getString("nickname")).isEqualTo("imported by sync");
          assertThat(sim.checkPassword(KEY, N3, PASSWORD)).isTrue();
          assertThat(sim.requests().count("PATCH", "/update-phone-number/*")).isEqualTo(1);
          assertThat(sim.requests().count("POST", "/import-phone-number")).isEqualTo(1);
          ctx.completeNow();
        })));
  }

  // --- inspect -------------------------------------------------------------------------------------------

  @Test
  void inspectReportsEachStateAsAReply(Vertx vertx, VertxTestContext ctx) {
    sim.seed(KEY, Fixture.seedBody(N1, TRUNK, USERNAME, PASSWORD));
    sim.seedBroken(KEY, N2, TRUNK);
    sim.seed(KEY, Fixture.seedBody(N3, TRUNK, "scalai_user", PASSWORD));
    sim.seed(KEY, Fixture.seedBody("+14155550111", "other.pstn.twilio.com", USERNAME, PASSWORD));
    sim.seed(KEY, Fixture.seedBody("+14155550112", TRUNK.toUpperCase(), USERNAME, PASSWORD));
    List<String> numbers = List.of(N1, N2, N3, "+14155550111", "+14155550112", "+14155550199");
    List<Future<Inspection>> inspections = numbers.stream()
        .map(n -> request(vertx, Retell.NUMBER_INSPECT, new InspectNumber(key(), n, "sip:" + TRUNK, USERNAME),
            Inspection.class))
        .toList();
    Future.all(inspections).onComplete(ctx.succeeding(all -> ctx.verify(() -> {
      assertThat(inspections).extracting(f -> f.result().status()).containsExactly(
          InspectionStatus.OK, InspectionStatus.MISSING_USERNAME, InspectionStatus.WRONG_USERNAME,
          InspectionStatus.WRONG_TERMINATION_URI, InspectionStatus.OK, InspectionStatus.NOT_IN_RETELL);
      Inspection broken = inspections.get(1).result();
      assertThat(broken.authUsername()).isEmpty();
      assertThat(broken.terminationUri()).isEqualTo(TRUNK);
      assertThat(broken.transport()).isEqualTo("TCP");
      assertThat(inspections.get(2).result().authUsername()).isEqualTo("scalai_user");
      assertThat(sim.requests().writes(RetellSimulator.workspaceId(KEY))).as("inspect is read-only").isZero();
      ctx.completeNow();
    })));
  }

  @Test
  void inspectAfterSyncIsOk(Vertx vertx, VertxTestContext ctx) {
    sim.seedBroken(KEY, N1, TRUNK);
    InspectNumber inspect = new InspectNumber(key(), N1, TRUNK, USERNAME);
    request(vertx, Retell.NUMBER_INSPECT, inspect, Inspection.class)
        .compose(before -> {
          ctx.verify(() -> assertThat(before.status()).isEqualTo(InspectionStatus.MISSING_USERNAME));
          return request(vertx, Retell.NUMBER_SYNC, new SyncNumber(key(), N1, target(), false, null),
              SyncResult.class);
        })
        .compose(synced -> request(vertx, Retell.NUMBER_INSPECT, inspect, Inspection.class))
        .onComplete(ctx.succeeding(after -> ctx.verify(() -> {
          assertThat(after.status()).isEqualTo(InspectionStatus.OK);
          assertThat(after.authUsername()).isEqualTo(USERNAME);
          ctx.completeNow();
        })));
  }
}
