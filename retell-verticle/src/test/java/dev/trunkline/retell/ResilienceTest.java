package dev.trunkline.retell;

import static dev.trunkline.contract.testing.SecretAssertions.assertNoSecret;
import static dev.trunkline.contract.testing.SecretAssertions.assertNoSecrets;
import static dev.trunkline.contract.testing.SecretAssertions.secrets;
import static dev.trunkline.retell.Fixture.KEY;
import static dev.trunkline.retell.Fixture.N1;
import static dev.trunkline.retell.Fixture.PASSWORD;
import static dev.trunkline.retell.Fixture.TRUNK;
import static dev.trunkline.retell.Fixture.USERNAME;
import static dev.trunkline.retell.Fixture.failure;
import static dev.trunkline.retell.Fixture.key;
import static dev.trunkline.retell.Fixture.request;
import static dev.trunkline.retell.Fixture.target;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trunkline.contract.Addresses.Retell;
import dev.trunkline.contract.RetellMessages.ImportNumber;
import dev.trunkline.contract.RetellMessages.InspectNumber;
import dev.trunkline.contract.RetellMessages.Inspection;
import dev.trunkline.contract.RetellMessages.KeyVerified;
import dev.trunkline.contract.RetellMessages.NumberRef;
import dev.trunkline.contract.RetellMessages.RetellNumber;
import dev.trunkline.contract.RetellMessages.SyncNumber;
import dev.trunkline.contract.RetellMessages.SyncOutcome;
import dev.trunkline.contract.RetellMessages.SyncResult;
import dev.trunkline.contract.RetellMessages.VerifyKey;
import dev.trunkline.contract.testing.NoSecretsLogged;
import dev.trunkline.simulators.FaultRule;
import dev.trunkline.simulators.RetellSimulator;
import dev.trunkline.contract.Bus;
import dev.trunkline.contract.ServiceException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Retries, Retry-After, timeouts, lost connections and a dead upstream, with faults injected into the Retell
 * simulator. The simulator counts the requests it received, so "how many attempts" is what Retell saw.
 */
@ExtendWith(VertxExtension.class)
class ResilienceTest {
  @RegisterExtension
  static final NoSecretsLogged LOGS = new NoSecretsLogged(Fixture.SECRETS);

  private static final String GET_PATH = "/get-phone-number/*";
  private static final String PATCH_PATH = "/update-phone-number/*";

  private RetellSimulator sim;

  @BeforeEach
  void start(Vertx vertx, VertxTestContext ctx) {
    Fixture.simulator(vertx).onComplete(ctx.succeeding(s -> {
      sim = s;
      sim.seed(KEY, Fixture.seedBody(N1, TRUNK, USERNAME, PASSWORD));
      ctx.completeNow();
    }));
  }

  @AfterEach
  void stop(VertxTestContext ctx) {
    sim.close().onComplete(ctx.succeedingThenComplete());
  }

  private Future<String> deploy(Vertx vertx) {
    return deploy(vertx, Fixture.config(sim.baseUrl()));
  }

  private static Future<String> deploy(Vertx vertx, JsonObject config) {
    return Fixture.deploy(vertx, config, 1);
  }

  private static Future<RetellNumber> get(Vertx vertx) {
    return request(vertx, Retell.NUMBER_GET, new NumberRef(key(), N1), RetellNumber.class);
  }

  @Test
  void a429ThenSuccessIsOneSuccess(Vertx vertx, VertxTestContext ctx) {
    sim.seedBroken(KEY, Fixture.N2, TRUNK);
    sim.faults().add(FaultRule.on("PATCH", PATCH_PATH).tooManyRequests(0).times(1));
    deploy(vertx)
        .compose(id -> request(vertx, Retell.NUMBER_SYNC, new SyncNumber(key(), Fixture.N2, target(), false, null),
            SyncResult.class))
        .onComplete(ctx.succeeding(result -> ctx.verify(() -> {
          assertThat(result.outcome()).isEqualTo(SyncOutcome.UPDATED);
          assertThat(result.authUsername()).isEqualTo(USERNAME);
          assertThat(sim.requests().count("PATCH", PATCH_PATH)).as("one 429, one success").isEqualTo(2);
          assertThat(sim.checkPassword(KEY, Fixture.N2, PASSWORD)).isTrue();
          ctx.completeNow();
        })));
  }

  @Test
  void exhaustedRetriesFailWithTheLastUpstreamStatus(Vertx vertx, VertxTestContext ctx) {
    sim.faults().add(FaultRule.on("GET", GET_PATH).error(500).times(1));
    sim.faults().add(FaultRule.on("GET", GET_PATH).error(503).times(1));
    sim.faults().add(FaultRule.on("GET", GET_PATH).error(502).times(1));
    deploy(vertx)
        .compose(id -> get(vertx))
        .onComplete(ctx.failing(failure(ctx, 502, "RETELL_ERROR", se -> {
          assertThat(se.details().getInteger("upstreamStatus")).isEqualTo(502);
          assertThat(se.details().getInteger("attempts")).isEqualTo(3);
          assertThat(sim.requests().count("GET", GET_PATH)).isEqualTo(3);
        })));
  }

  @Test
  void a429IsRetriedBeyondMaxRetriesWhileTheCallerWaits(Vertx vertx, VertxTestContext ctx) {
    // maxRetries is 2; five 429s in a row are still retried, the caller's 30 s allow it.
    sim.faults().add(FaultRule.on("GET", GET_PATH).tooManyRequests(0).times(5));
    deploy(vertx)
        .compose(id -> get(vertx))
        .onComplete(ctx.succeeding(number -> ctx.verify(() -> {
          assertThat(number.phoneNumber()).isEqualTo(N1);
          assertThat(sim.requests().count("GET", GET_PATH)).as("five 429s, then the answer").isEqualTo(6);
          ctx.completeNow();
        })));
  }

  @Test
  void endless429sFailRateLimitedJustBeforeTheCallersDeadline(Vertx vertx, VertxTestContext ctx) {
    sim.faults().add(FaultRule.on("GET", GET_PATH).tooManyRequests(0));
    long[] started = new long[1];
    deploy(vertx)
        .compose(id -> {
          started[0] = System.nanoTime();
          return Bus.request(vertx, Retell.NUMBER_GET, new NumberRef(key(), N1), RetellNumber.class, 3_000, null);
        })
        .onComplete(ctx.failing(failure(ctx, 429, "RETELL_RATE_LIMITED", se -> {
          // Retell's answer, given while the caller still waits (not the bus timeout's 504).
          assertThat(se.details().getInteger("upstreamStatus")).isEqualTo(429);
          assertThat(se.details().getInteger("attempts")).isGreaterThan(3);
          assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started[0])).isLessThan(3_000);
        })));
  }

  @Test
  void withoutADeadline429sCountAsRetries(Vertx vertx, VertxTestContext ctx) {
    // A sender that does not say how long it waits: 429s are retried maxRetries times, as any failure.
    sim.faults().add(FaultRule.on("GET", GET_PATH).tooManyRequests(0));
    deploy(vertx)
        .compose(id -> vertx.eventBus().request(Retell.NUMBER_GET,
            dev.trunkline.contract.Json.toJson(new NumberRef(key(), N1)),
            new DeliveryOptions().setSendTimeout(30_000)))
        .recover(err -> Future.failedFuture(ServiceException.from(err)))
        .onComplete(ctx.failing(failure(ctx, 429, "RETELL_RATE_LIMITED", se -> {
          assertThat(se.details().getInteger("upstreamStatus")).isEqualTo(429);
          assertThat(se.details().getInteger("attempts")).isEqualTo(3);
          assertThat(sim.requests().count("GET", GET_PATH)).isEqualTo(3);
        })));
  }

  @Test
  void a429sRetryAfterHoldsEveryRequestOfTheKey(Vertx vertx, VertxTestContext ctx) {
    // Retell limits the key, not the number: after its 429 with Retry-After 1 s, a request for another number
    // with the same key waits the second out too.
    sim.seed(KEY, Fixture.seedBody(Fixture.N3, TRUNK, USERNAME, PASSWORD));
    sim.faults().add(FaultRule.on("GET", GET_PATH).tooManyRequests(1).times(1));
    long handledBefore = retryAfterLines();
    deploy(vertx).compose(id -> {
      Future<RetellNumber> first = get(vertx);
      Promise<Long> otherMs = Promise.promise();
      // Once the client has handled Retell's 429 (it logs the Retry-After it honours), ask for the other number.
      vertx.setPeriodic(5, timer -> {
        if (retryAfterLines() > handledBefore) {
          vertx.cancelTimer(timer);
          long asked = System.nanoTime();
          request(vertx, Retell.NUMBER_GET, new NumberRef(key(), Fixture.N3), RetellNumber.class)
              .map(n -> TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - asked))
              .onComplete(otherMs);
        }
      });
      return Future.all(first, otherMs.future()).map(all -> otherMs.future().result());
    }).onComplete(ctx.succeeding(ms -> ctx.verify(() -> {
      assertThat(ms).as("the other number's request waited for the key's hold").isGreaterThanOrEqualTo(800);
      ctx.completeNow();
    })));
  }

  @Test
  void maxRetriesZeroMeansOneAttempt(Vertx vertx, VertxTestContext ctx) {
    sim.faults().add(FaultRule.on("GET", GET_PATH).error(503));
    JsonObject config = Fixture.config(sim.baseUrl());
    config.getJsonObject("retell").put("maxRetries", 0);
    deploy(vertx, config)
        .compose(id -> get(vertx))
        .onComplete(ctx.failing(failure(ctx, 502, "RETELL_ERROR", se -> {
          assertThat(se.details().getInteger("upstreamStatus")).isEqualTo(503);
          assertThat(sim.requests().count("GET", GET_PATH)).isEqualTo(1);
        })));
  }

  @Test
  void retryAfterIsHonoured(Vertx vertx, VertxTestContext ctx) {
    // Backoff alone would retry after 5-10 ms (retryBaseDelayMs 10); Retell asks for a second.
    sim.faults().add(FaultRule.on("GET", GET_PATH).tooManyRequests(1).times(1));
    deploy(vertx).compose(id -> {
      long started = System.nanoTime();
      return get(vertx).map(number -> TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }).onComplete(ctx.succeeding(elapsedMs -> ctx.verify(() -> {
      assertThat(elapsedMs).as("waited for Retry-After").isGreaterThanOrEqualTo(1_000);
      assertThat(sim.requests().count("GET", GET_PATH)).isEqualTo(2);
      ctx.completeNow();
    })));
  }

  private static long retryAfterLines() {
    return LOGS.lines().stream().filter(line -> line.contains("RetellHttp") && line.contains("(Retry-After)"))
        .count();
  }

  @Test
  void aRetryAfterBeyondTheCapFailsAtOnce(Vertx vertx, VertxTestContext ctx) {
    sim.faults().add(FaultRule.on("GET", GET_PATH).tooManyRequests(30));
    deploy(vertx)
        .compose(id -> get(vertx))
        .onComplete(ctx.failing(failure(ctx, 429, "RETELL_RATE_LIMITED", se -> {
          assertThat(se.details().getLong("retryAfterMs")).isEqualTo(30_000L);
          assertThat(se.details().getInteger("attempts")).isEqualTo(1);
          assertThat(sim.requests().count("GET", GET_PATH)).isEqualTo(1);
        })));
  }

  @Test
  void aLostReplyIsRetriedAndTheIdempotentUpdateSucceeds(Vertx vertx, VertxTestContext ctx) {
    sim.seedBroken(KEY, Fixture.N2, TRUNK);
    // Retell applies the PATCH, the reply never arrives: the retry sends the same update again.
    sim.faults().add(FaultRule.on("PATCH", PATCH_PATH).dropResponse().times(1));
    deploy(vertx)
        .compose(id -> request(vertx, Retell.NUMBER_SYNC, new SyncNumber(key(), Fixture.N2, target(), false, null),
            SyncResult.class))
        .onComplete(ctx.succeeding(result -> ctx.verify(() -> {
          assertThat(result.outcome()).isEqualTo(SyncOutcome.UPDATED);
          assertThat(sim.requests().count("PATCH", PATCH_PATH)).isEqualTo(2);
          ctx.completeNow();
        })));
  }

  @Test
  void droppedConnectionsAreRetried(Vertx vertx, VertxTestContext ctx) {
    sim.faults().add(FaultRule.on("GET", GET_PATH).dropConnection().times(2));
    deploy(vertx)
        .compose(id -> get(vertx))
        .onComplete(ctx.succeeding(number -> ctx.verify(() -> {
          assertThat(number.authUsername()).isEqualTo(USERNAME);
          assertThat(sim.requests().count("GET", GET_PATH)).isEqualTo(3);
          ctx.completeNow();
        })));
  }

  @Test
  void aSlowRetellTimesOutOnEveryAttemptThenFailsWith504(Vertx vertx, VertxTestContext ctx) {
    // Retell holds every read: no attempt can be answered in time, however the machine schedules.
    FaultRule held = sim.faults().add(FaultRule.on("GET", GET_PATH).hold(10_000));
    JsonObject config = Fixture.config(sim.baseUrl());
    config.getJsonObject("retell").put("requestTimeoutMs", 200);
    deploy(vertx, config)
        .compose(id -> get(vertx))
        .onComplete(ctx.failing(failure(ctx, 504, "RETELL_TIMEOUT", se -> {
          assertThat(se.details().getInteger("attempts")).isEqualTo(3);
          // An attempt whose 200 ms ran out before it reached Retell (a loaded machine) is not seen there.
          assertThat(sim.requests().count("GET", GET_PATH)).isBetween(1L, 3L);
          assertThat(held.held()).as("attempts held by Retell").isPositive();
        })));
  }

  @Test
  void aSlowFirstAttemptIsRetriedWithinTheTimeout(Vertx vertx, VertxTestContext ctx) {
    // Retell holds the first read that reaches it; the ones after are answered at once.
    FaultRule held = sim.faults().add(FaultRule.on("GET", GET_PATH).hold(10_000).times(1));
    JsonObject config = Fixture.config(sim.baseUrl());
    config.getJsonObject("retell").put("requestTimeoutMs", 300);
    deploy(vertx, config)
        .compose(id -> get(vertx))
        .onComplete(ctx.succeeding(number -> ctx.verify(() -> {
          assertThat(number.phoneNumber()).isEqualTo(N1);
          assertThat(held.held()).as("the first attempt reached Retell and was held").isEqualTo(1);
          // Two attempts; a third only if a loaded machine let an answered one also run out of its 300 ms.
          assertThat(sim.requests().count("GET", GET_PATH)).isBetween(2L, 3L);
          ctx.completeNow();
        })));
  }

  @Test
  void aDeadUpstreamIsUnreachableAfterRetries(Vertx vertx, VertxTestContext ctx) {
    // A port that was just free and is closed again: connections are refused.
    vertx.createHttpServer().requestHandler(req -> req.response().end()).listen(0, "127.0.0.1")
        .compose(server -> server.close().map(v -> server.actualPort()))
        .compose(port -> deploy(vertx, Fixture.config("http://127.0.0.1:" + port)))
        .compose(id -> request(vertx, Retell.NUMBER_INSPECT, new InspectNumber(key(), N1, TRUNK, USERNAME),
            Inspection.class))
        .onComplete(ctx.failing(failure(ctx, 502, "RETELL_UNREACHABLE", se ->
            assertThat(se.details().getInteger("attempts")).isEqualTo(3))));
  }

  @Test
  void aFailingRetellIsAFailureOfInspectNeverAStatus(Vertx vertx, VertxTestContext ctx) {
    sim.faults().add(FaultRule.on("GET", GET_PATH).error(500));
    deploy(vertx)
        .compose(id -> request(vertx, Retell.NUMBER_INSPECT, new InspectNumber(key(), N1, TRUNK, USERNAME),
            Inspection.class))
        .onComplete(ctx.failing(failure(ctx, 502, "RETELL_ERROR",
            se -> assertThat(se.details().getInteger("upstreamStatus")).isEqualTo(500))));
  }

  @Test
  void aRefusedKeyIsNotRetriedAnd502OutsideKeyVerify(Vertx vertx, VertxTestContext ctx) {
    sim.faults().add(FaultRule.on("GET", GET_PATH).error(401));
    deploy(vertx)
        .compose(id -> get(vertx))
        .onComplete(ctx.failing(failure(ctx, 502, "RETELL_UNAUTHORIZED", se -> {
          assertThat(se.details().getInteger("upstreamStatus")).isEqualTo(401);
          assertThat(sim.requests().count("GET", GET_PATH)).isEqualTo(1);
        })));
  }

  @Test
  void keyVerifyReportsARefusedKeyAs400(Vertx vertx, VertxTestContext ctx) {
    sim.faults().add(FaultRule.on("GET", "/v2/list-phone-numbers").error(401));
    deploy(vertx)
        .compose(id -> request(vertx, Retell.KEY_VERIFY, new VerifyKey(key()), KeyVerified.class))
        .onComplete(ctx.failing(failure(ctx, 400, "RETELL_UNAUTHORIZED", se -> {
          assertThat(se.details().getInteger("upstreamStatus")).isEqualTo(401);
          assertNoSecret("the refusal's message", se.getMessage(), "the API key", KEY);
        })));
  }

  @Test
  void retellsRejectionIsPassedOnWithSecretsBlanked(Vertx vertx, VertxTestContext ctx) {
    // An upstream that echoes what it was sent must not make the key or password travel further.
    sim.faults().add(FaultRule.on("POST", "/import-phone-number")
        .error(400, null, "bad request from " + KEY + " with password " + PASSWORD));
    deploy(vertx)
        .compose(id -> request(vertx, Retell.NUMBER_IMPORT, new ImportNumber(key(), Fixture.N3, target(), null),
            RetellNumber.class))
        .onComplete(ctx.failing(failure(ctx, 422, "RETELL_REJECTED", se -> {
          // First: the wire form holds the message, which the contains(...) below prints when it fails.
          assertNoSecrets("the failure as it crosses the bus", se.toWire(),
              secrets("the API key", KEY, "the SIP password", PASSWORD));
          assertThat(se.details().getInteger("upstreamStatus")).isEqualTo(400);
          assertThat(se.getMessage()).contains("bad request from [REDACTED] with password [REDACTED]");
          assertThat(sim.requests().count("POST", "/import-phone-number")).as("400 is not retried").isEqualTo(1);
        })));
  }
}
