package dev.trunkline.retell;

import static dev.trunkline.retell.Fixture.KEY;
import static dev.trunkline.retell.Fixture.N2;
import static dev.trunkline.retell.Fixture.TRUNK;
import static dev.trunkline.retell.Fixture.USERNAME;
import static dev.trunkline.retell.Fixture.failure;
import static dev.trunkline.retell.Fixture.key;
import static dev.trunkline.retell.Fixture.request;
import static dev.trunkline.retell.Fixture.target;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trunkline.contract.Addresses.Retell;
import dev.trunkline.contract.RetellMessages.SyncNumber;
import dev.trunkline.contract.RetellMessages.SyncResult;
import dev.trunkline.simulators.FaultRule;
import dev.trunkline.simulators.RetellSimulator;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * docs/event-bus.md, Retell's common failures: 409 {@code RETELL_CONFLICT} when Retell kept answering 409 after the
 * retries (a 409 is retried like a 5xx), with the last upstream status and the attempts in its details; nothing was
 * changed in Retell.
 */
@ExtendWith(VertxExtension.class)
class RetellConflictTest {
  private static final String PATCH_PATH = "/update-phone-number/*";
  private RetellSimulator sim;

  @BeforeEach
  void start(Vertx vertx, VertxTestContext ctx) {
    Fixture.simulator(vertx).onComplete(ctx.succeeding(s -> {
      sim = s;
      sim.seedBroken(KEY, N2, TRUNK);
      ctx.completeNow();
    }));
  }

  @AfterEach
  void stop(VertxTestContext ctx) {
    sim.close().onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void aRetellThatKeepsAnswering409IsRetellConflictAfterTheRetries(Vertx vertx, VertxTestContext ctx) {
    sim.faults().add(FaultRule.on("PATCH", PATCH_PATH).error(409));
    Fixture.deploy(vertx, Fixture.config(sim.baseUrl()), 1)
        .compose(id -> request(vertx, Retell.NUMBER_SYNC, new SyncNumber(key(), N2, target(), false, null),
            SyncResult.class))
        .onComplete(ctx.failing(failure(ctx, 409, "RETELL_CONFLICT", se -> {
          assertThat(se.details().getInteger("upstreamStatus")).isEqualTo(409);
          // maxRetries 2 in the fixture: three attempts, as Retell saw them.
          assertThat(se.details().getInteger("attempts")).isEqualTo(3);
          assertThat(sim.requests().count("PATCH", PATCH_PATH)).isEqualTo(3);
          assertThat(sim.number(KEY, N2).orElseThrow().getJsonObject("sip_outbound_trunk_config")
              .getString("auth_username")).isNotEqualTo(USERNAME);
        })));
  }
}
