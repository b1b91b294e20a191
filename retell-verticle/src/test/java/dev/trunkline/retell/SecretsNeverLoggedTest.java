package dev.trunkline.retell;

import static dev.trunkline.contract.testing.SecretAssertions.assertNoSecrets;
import static dev.trunkline.retell.Fixture.DEFAULT_KEY;
import static dev.trunkline.retell.Fixture.KEY;
import static dev.trunkline.retell.Fixture.N1;
import static dev.trunkline.retell.Fixture.N2;
import static dev.trunkline.retell.Fixture.N3;
import static dev.trunkline.retell.Fixture.PASSWORD;
import static dev.trunkline.retell.Fixture.TRUNK;
import static dev.trunkline.retell.Fixture.key;
import static dev.trunkline.retell.Fixture.request;
import static dev.trunkline.retell.Fixture.target;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trunkline.contract.Addresses.Retell;
import dev.trunkline.contract.RetellMessages.ImportNumber;
import dev.trunkline.contract.RetellMessages.InspectNumber;
import dev.trunkline.contract.RetellMessages.Inspection;
import dev.trunkline.contract.RetellMessages.KeyVerified;
import dev.trunkline.contract.RetellMessages.KeyedNumber;
import dev.trunkline.contract.RetellMessages.RetellNumber;
import dev.trunkline.contract.RetellMessages.SyncNumber;
import dev.trunkline.contract.RetellMessages.SyncResult;
import dev.trunkline.contract.RetellMessages.VerifyKey;
import dev.trunkline.contract.ServiceException;
import dev.trunkline.contract.testing.NoSecretsLogged;
import dev.trunkline.simulators.FaultRule;
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

/**
 * Runs every operation, successes and failures (retries, timeouts, a refused key, a verification mismatch, an
 * upstream that echoes secrets), with every logger open to TRACE, and checks that no API key and no
 * password appears in any captured log line or in any failure that crossed the bus.
 */
@ExtendWith(VertxExtension.class)
class SecretsNeverLoggedTest {
  @RegisterExtension
  static final NoSecretsLogged LOGS = new NoSecretsLogged(Fixture.SECRETS);


  private RetellSimulator sim;

  @BeforeEach
  void start(Vertx vertx, VertxTestContext ctx) {
    Fixture.simulator(vertx).onComplete(ctx.succeeding(s -> {
      sim = s;
      ctx.completeNow();
    }));
  }

  @AfterEach
  void stop(VertxTestContext ctx) {
    sim.close().onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void theScanFindsASecretWhenThereIsOne() {
    assertThatThrownBy(() -> assertNoSecrets("a line", List.of("import +14155550100 password=" + PASSWORD),
        Fixture.SECRETS)).isInstanceOf(AssertionError.class).hasMessageContaining("secret 'the SIP password'");
    assertThatThrownBy(() -> assertNoSecrets("a line", List.of("Authorization: Bearer " + KEY), Fixture.SECRETS))
        .isInstanceOf(AssertionError.class).hasMessageContaining("secret 'the API key'");
  }

  @Test
  void noKeyOrPasswordInAnyLogLineOrFailure(Vertx vertx, VertxTestContext ctx) {
    sim.seedBroken(KEY, N1, TRUNK);
    sim.seedBroken(DEFAULT_KEY, N2, TRUNK);
    sim.faults().add(FaultRule.on("PATCH", "/update-phone-number/*").tooManyRequests(0).times(1));
    sim.faults().add(FaultRule.on("POST", "/import-phone-number")
        .error(400, null, "rejected " + KEY + " / " + PASSWORD).times(1));
    sim.faults().add(FaultRule.on("GET", "/v2/list-phone-numbers").error(401).times(1));
    sim.faults().add(FaultRule.on("GET", "/get-phone-number/*").latency(3_000).times(1));
    JsonObject config = Fixture.config(sim.baseUrl());
    config.getJsonObject("retell").put("defaultApiKey", DEFAULT_KEY);
    List<Future<?>> calls = new ArrayList<>();
    Fixture.deploy(vertx, config, 2)
        .compose(id -> Fixture.deploy(vertx, () -> new RetellVerticle(VerificationTest.SwappedNamesClient::new),
            config, 1))
        .compose(id -> {
          calls.add(request(vertx, Retell.NUMBER_SYNC, new SyncNumber(key(), N1, target(), false, null),
              SyncResult.class));
          calls.add(request(vertx, Retell.NUMBER_SYNC, new SyncNumber(null, N2, target(), false, null),
              SyncResult.class));
          calls.add(request(vertx, Retell.NUMBER_IMPORT, new ImportNumber(key(), N3, target(), null),
              RetellNumber.class));
          // Not N3: had this import of N3 landed first, the import above (which meets the injected 400) would
          // read N3 back, find it and converge to success, and the run would exercise one failure path less.
          calls.add(request(vertx, Retell.NUMBER_SYNC, new SyncNumber(key(), "+14155550111", target(), true, "x"),
              SyncResult.class));
          calls.add(request(vertx, Retell.KEY_VERIFY, new VerifyKey(key()), KeyVerified.class));
          calls.add(request(vertx, Retell.NUMBER_GET, new KeyedNumber(key(), N1), RetellNumber.class));
          calls.add(request(vertx, Retell.NUMBER_INSPECT, new InspectNumber(key(), N1, TRUNK, "u"),
              Inspection.class));
          calls.add(request(vertx, Retell.NUMBER_SYNC,
              new SyncNumber(key(), N1, new dev.trunkline.contract.RetellMessages.SipTarget(TRUNK, "u", null, null),
                  false, null), SyncResult.class));
          return Future.join(calls);
        })
        .onComplete(ar -> ctx.verify(() -> {
          long failures = calls.stream().filter(Future::failed).count();
          assertThat(failures).as("the run exercised failure paths").isGreaterThanOrEqualTo(3);
          for (int i = 0; i < calls.size(); i++) {
            if (calls.get(i).failed()) {
              assertNoSecrets("the failure of call #" + (i + 1) + " as it crossed the bus",
                  ((ServiceException) calls.get(i).cause()).toWire(), Fixture.SECRETS);
            }
          }
          List<String> lines = LOGS.lines();
          // The scan first: the control after it prints every line when it fails.
          assertNoSecrets("a captured log event", lines, Fixture.SECRETS);
          assertThat(lines).as("the capture saw the operations")
              .anyMatch(l -> l.contains("retell update " + N1))
              .anyMatch(l -> l.contains("retell import " + N3))
              .anyMatch(l -> l.contains("-> 429"));
          ctx.completeNow();
        }));
  }
}
