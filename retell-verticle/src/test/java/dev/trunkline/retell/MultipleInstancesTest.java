package dev.trunkline.retell;

import static dev.trunkline.retell.Fixture.KEY;
import static dev.trunkline.retell.Fixture.PASSWORD;
import static dev.trunkline.retell.Fixture.TRUNK;
import static dev.trunkline.retell.Fixture.USERNAME;
import static dev.trunkline.retell.Fixture.key;
import static dev.trunkline.retell.Fixture.request;
import static dev.trunkline.retell.Fixture.target;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.trunkline.contract.Addresses.Retell;
import dev.trunkline.contract.RetellMessages.SyncNumber;
import dev.trunkline.contract.RetellMessages.SyncOutcome;
import dev.trunkline.contract.RetellMessages.SyncResult;
import dev.trunkline.contract.testing.NoSecretsLogged;
import dev.trunkline.simulators.RetellSimulator;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Several instances consume the same addresses; every request is independent of which one serves it. */
@ExtendWith(VertxExtension.class)
class MultipleInstancesTest {
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
  void fortySyncsOverThreeInstancesAllRepairTheirNumber(Vertx vertx, VertxTestContext ctx) {
    List<String> numbers = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      String n = String.format("+4474800%05d", i);
      numbers.add(n);
      sim.seedBroken(KEY, n, TRUNK);
    }
    List<Future<SyncResult>> syncs = new ArrayList<>();
    int earlier = httpLog().size();
    Fixture.deploy(vertx, Fixture.config(sim.baseUrl()), 3).compose(id -> {
      numbers.forEach(n -> syncs.add(request(vertx, Retell.NUMBER_SYNC, new SyncNumber(key(), n, target(), false,
          null), SyncResult.class)));
      return Future.all(syncs);
    }).onComplete(ctx.succeeding(all -> ctx.verify(() -> {
      for (int i = 0; i < numbers.size(); i++) {
        SyncResult result = syncs.get(i).result();
        assertThat(result.phoneNumber()).isEqualTo(numbers.get(i));
        assertThat(result.outcome()).isEqualTo(SyncOutcome.UPDATED);
        assertThat(sim.checkPassword(KEY, numbers.get(i), PASSWORD)).isTrue();
        assertThat(sim.number(KEY, numbers.get(i)).orElseThrow().getJsonObject("sip_outbound_trunk_config")
            .getString("auth_username")).isEqualTo(USERNAME);
      }
      assertThat(sim.requests().count("PATCH", "/update-phone-number/*")).isEqualTo(40);
      Set<String> loops = httpLog().stream().skip(earlier).map(ILoggingEvent::getThreadName)
          .collect(Collectors.toSet());
      assertThat(loops).as("event loops that served the requests").hasSizeGreaterThanOrEqualTo(2);
      ctx.completeNow();
    })));
  }

  @Test
  void undeployingOneInstanceLeavesTheOthersServing(Vertx vertx, VertxTestContext ctx) {
    sim.seedBroken(KEY, "+447480800001", TRUNK);
    Fixture.deploy(vertx, Fixture.config(sim.baseUrl()), 1)
        .compose(first -> Fixture.deploy(vertx, Fixture.config(sim.baseUrl()), 1).compose(second ->
            vertx.undeploy(first)))
        .compose(v -> request(vertx, Retell.NUMBER_SYNC,
            new SyncNumber(key(), "+447480800001", target(), false, null), SyncResult.class))
        .onComplete(ctx.succeeding(result -> ctx.verify(() -> {
          assertThat(result.outcome()).isEqualTo(SyncOutcome.UPDATED);
          ctx.completeNow();
        })));
  }

  /** What the Retell client logged in this class so far. */
  private static List<ILoggingEvent> httpLog() {
    return LOGS.capture().events(RetellHttp.class.getName());
  }
}
