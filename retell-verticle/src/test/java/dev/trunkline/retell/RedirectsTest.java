package dev.trunkline.retell;

import static dev.trunkline.contract.testing.SecretAssertions.assertNoSecrets;
import static dev.trunkline.retell.Fixture.N1;
import static dev.trunkline.retell.Fixture.N3;
import static dev.trunkline.retell.Fixture.TRUNK;
import static dev.trunkline.retell.Fixture.key;
import static dev.trunkline.retell.Fixture.request;
import static dev.trunkline.retell.Fixture.target;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trunkline.contract.Addresses.Retell;
import dev.trunkline.contract.RetellMessages.ImportNumber;
import dev.trunkline.contract.RetellMessages.InspectNumber;
import dev.trunkline.contract.RetellMessages.Inspection;
import dev.trunkline.contract.RetellMessages.KeyVerified;
import dev.trunkline.contract.RetellMessages.RetellNumber;
import dev.trunkline.contract.RetellMessages.VerifyKey;
import dev.trunkline.contract.ServiceException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A Retell base URL that answers 307 to another host must not get the tenant's API key sent there: the client
 * follows no redirect, and the call fails 502 {@code RETELL_REDIRECT} naming the status, never the Location. Two
 * real local servers: the "Retell" one redirects every request, the other records every request it receives.
 */
@ExtendWith(VertxExtension.class)
class RedirectsTest {
  /** In the Location's query, as a signed URL would carry a token: it must not show in the failure. */
  private static final String LOCATION_QUERY = "sig=elsewhere-7f3a9c";

  /** What the other host saw: method, path, and whether an Authorization header came (never its value). */
  private final List<String> seenElsewhere = new CopyOnWriteArrayList<>();

  @Test
  void keyVerificationInspectAndImportSendNothingToWhereA307Points(Vertx vertx, VertxTestContext ctx) {
    HttpServer elsewhere = vertx.createHttpServer().requestHandler(req -> req.body().onComplete(body -> {
      seenElsewhere.add(req.method() + " " + req.path() + " authorization=" + (req.getHeader("Authorization") != null));
      req.response().putHeader("content-type", "application/json").end("{}");
    }));
    Map<String, Future<?>> calls = new LinkedHashMap<>();
    elsewhere.listen(0, "127.0.0.1")
        .compose(other -> redirectingTo(vertx, other.actualPort()).listen(0, "127.0.0.1"))
        .compose(retell -> Fixture.deploy(vertx, Fixture.config("http://127.0.0.1:" + retell.actualPort()), 1))
        .compose(id -> {
          calls.put("key.verify", request(vertx, Retell.KEY_VERIFY, new VerifyKey(key()), KeyVerified.class));
          calls.put("number.inspect", request(vertx, Retell.NUMBER_INSPECT, new InspectNumber(key(), N1, TRUNK, "u"),
              Inspection.class));
          calls.put("number.import", request(vertx, Retell.NUMBER_IMPORT, new ImportNumber(key(), N3, target(), null),
              RetellNumber.class));
          return Future.join(List.copyOf(calls.values()));
        })
        .onComplete(ar -> ctx.verify(() -> {
          assertThat(seenElsewhere).as("requests the other host received").isEmpty();
          calls.forEach((what, call) -> {
            assertThat(call.failed()).as("%s failed", what).isTrue();
            assertThat(call.cause()).as("%s's failure", what).isInstanceOf(ServiceException.class);
            ServiceException se = (ServiceException) call.cause();
            assertNoSecrets("the failure of " + what, se.toWire(), Fixture.SECRETS);
            assertThat(se.status()).as("status of %s", se).isEqualTo(502);
            assertThat(se.code()).as("code of %s", se).isEqualTo("RETELL_REDIRECT");
            assertThat(se.details().getInteger("upstreamStatus")).isEqualTo(307);
            assertThat(se.getMessage()).contains("307");
            assertThat(se.toWire()).doesNotContain(LOCATION_QUERY).doesNotContain("Location");
          });
          ctx.completeNow();
        }));
  }

  /** Answers every request 307 to the same path on {@code port}, with a query of its own. */
  private static HttpServer redirectingTo(Vertx vertx, int port) {
    return vertx.createHttpServer().requestHandler((HttpServerRequest req) -> req.body().onComplete(body ->
        req.response().setStatusCode(307)
            .putHeader("Location", "http://127.0.0.1:" + port + req.path() + "?" + LOCATION_QUERY)
            .putHeader("content-type", "application/json")
            .end("{\"status\":\"error\",\"message\":\"moved to 127.0.0.1:" + port + "?" + LOCATION_QUERY + "\"}")));
  }
}
