package dev.trunkline.gateway;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/** The suite's secret scan can fail: a planted leak in a log line, and one in a response, are both caught. */
@ExtendWith(VertxExtension.class)
class SecretScanSelfTest {

  @Test
  void aSecretInALogLineOrAResponseIsCaught(Vertx vertx, VertxTestContext test) {
    TrunklineHarness.start(vertx, new JsonObject(), false)
        .compose(h -> h.call(HttpMethod.GET, "/health/live", null, null).map(r -> h))
        .compose(h -> {
          String planted = h.secret(TrunklineHarness.randomSecret("planted"));
          LoggerFactory.getLogger("leaky.component").info("connecting with token {}", planted);
          test.verify(() -> assertThatThrownBy(h::assertNoSecretLeaked).isInstanceOf(AssertionError.class)
              .hasMessageContaining("a captured log event"));
          // A response carrying a secret (the request id is echoed by design, so plant one there).
          String echoed = h.secret("echoed-secret-" + TrunklineHarness.newTenant());
          return h.send(h.request(HttpMethod.GET, "/health/live", null).putHeader("X-Request-Id", echoed), null)
              .map(r -> h);
        })
        .onComplete(test.succeeding(h -> test.verify(() -> {
          h.logs().clear(); // the access log has it too; leave only the response to be caught
          LoggerFactory.getLogger("quiet.component").info("nothing secret here");
          assertThatThrownBy(h::assertNoSecretLeaked).isInstanceOf(AssertionError.class)
              .hasMessageContaining("a response");
          test.completeNow();
        })));
  }
}
