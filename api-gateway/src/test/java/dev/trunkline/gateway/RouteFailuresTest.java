package dev.trunkline.gateway;

import static dev.trunkline.contract.testing.SecretAssertions.assertNoSecrets;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trunkline.simulators.FaultRule;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The failure paths of every route against the real services and simulators: a tenant Trunkline has never
 * seen, a tenant that connected but never ran setup, and Twilio or Retell failing underneath. Each must be
 * the right 4xx/5xx in the one error format, never a 500.
 */
@ExtendWith(VertxExtension.class)
class RouteFailuresTest {
  private static TrunklineHarness h;

  @RegisterExtension
  static final SharedHarness HARNESS = SharedHarness.of(new JsonObject(), harness -> h = harness).clearingFaults();

  private record Expect(HttpMethod method, String path, Object body, int status, String code) {}

  private static Future<List<HttpResponse<Buffer>>> run(String tenant, List<Expect> expectations) {
    String token = h.token(tenant);
    Future<List<HttpResponse<Buffer>>> chain = Future.succeededFuture(new ArrayList<>());
    for (Expect e : expectations) {
      chain = chain.compose(list -> h.send(h.request(e.method(), h.path(tenant, e.path()), token)
          .putHeader("Idempotency-Key", "k-" + list.size()), e.body()).map(r -> {
            list.add(r);
            return list;
          }));
    }
    return chain;
  }

  private static void check(List<Expect> expectations, List<HttpResponse<Buffer>> responses) {
    for (int i = 0; i < expectations.size(); i++) {
      Expect e = expectations.get(i);
      GatewayEdgeTest.assertError(responses.get(i), e.status(), e.code());
    }
  }

  /** Connects a tenant's Twilio account and Retell key through the API (no setup). */
  private static Future<String> connectedTenant() {
    String tenant = TrunklineHarness.newTenant();
    String token = h.token(tenant);
    return h.call(HttpMethod.PUT, h.path(tenant, "/twilio"), token, new JsonObject()
            .put("accountSid", "AC" + tenant + "00000000")
            .put("authToken", h.secret(TrunklineHarness.randomSecret("twtok"))))
        .compose(r -> h.call(HttpMethod.PUT, h.path(tenant, "/retell"), token,
            new JsonObject().put("apiKey", h.secret(TrunklineHarness.randomSecret("retell")))))
        .map(r -> tenant);
  }

  private static final JsonObject NUMBER = new JsonObject().put("phoneNumber", "+13125550150");

  @Test
  void readyWhenDeployedAndTheStoreAnswers(VertxTestContext test) {
    h.call(HttpMethod.GET, "/health/ready", null, null).onComplete(test.succeeding(r -> test.verify(() -> {
      assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
      JsonObject checks = r.bodyAsJsonObject().getJsonObject("checks");
      assertThat(checks.getJsonObject("store").getString("status")).isEqualTo("UP");
      assertThat(checks.getJsonObject("deployed").getString("status")).isEqualTo("UP");
      test.completeNow();
    })));
  }

  @Test
  void anUnknownTenantIs404Everywhere(VertxTestContext test) {
    List<Expect> expected = List.of(
        new Expect(HttpMethod.POST, "/twilio/setup", null, 404, "TWILIO_ACCOUNT_NOT_FOUND"),
        new Expect(HttpMethod.GET, "/twilio/trunk", null, 404, "TWILIO_ACCOUNT_NOT_FOUND"),
        new Expect(HttpMethod.GET, "/twilio/availablePhoneNumbers", null, 404, "TWILIO_ACCOUNT_NOT_FOUND"),
        new Expect(HttpMethod.POST, "/twilio/phoneNumbers/purchase", NUMBER, 404, "CONNECTOR_NOT_FOUND"),
        new Expect(HttpMethod.POST, "/twilio/phoneNumbers/import", NUMBER, 404, "CONNECTOR_NOT_FOUND"),
        new Expect(HttpMethod.DELETE, "/phone-numbers/%2B13125550150", null, 404, "NUMBER_NOT_FOUND"),
        new Expect(HttpMethod.GET, "/twilio/retell-credentials", null, 404, "CONNECTOR_NOT_FOUND"),
        new Expect(HttpMethod.POST, "/twilio/fix-retell-credentials", null, 404, "CONNECTOR_NOT_FOUND"),
        new Expect(HttpMethod.POST, "/twilio/credentials/rotate", null, 404, "TWILIO_ACCOUNT_NOT_FOUND"));
    run(TrunklineHarness.newTenant(), expected).onComplete(test.succeeding(rs -> test.verify(() -> {
      check(expected, rs);
      test.completeNow();
    })));
  }

  @Test
  void aTenantWithoutSetupIs409WhereATrunkIsNeeded(VertxTestContext test) {
    List<Expect> expected = List.of(
        new Expect(HttpMethod.POST, "/twilio/phoneNumbers/purchase", NUMBER, 409, "SETUP_REQUIRED"),
        new Expect(HttpMethod.POST, "/twilio/phoneNumbers/import", NUMBER, 409, "SETUP_REQUIRED"),
        new Expect(HttpMethod.GET, "/twilio/retell-credentials", null, 409, "SETUP_REQUIRED"),
        new Expect(HttpMethod.POST, "/twilio/fix-retell-credentials", null, 409, "SETUP_REQUIRED"),
        new Expect(HttpMethod.POST, "/twilio/credentials/rotate", null, 409, "TRUNK_NOT_SET_UP"));
    connectedTenant().compose(tenant -> run(tenant, expected).compose(rs -> h.call(HttpMethod.GET,
            h.path(tenant, "/twilio/trunk"), h.token(tenant), null).map(status -> {
              rs.add(status);
              return rs;
            })))
        .onComplete(test.succeeding(rs -> test.verify(() -> {
          check(expected, rs);
          HttpResponse<Buffer> status = rs.get(expected.size());
          assertThat(status.statusCode()).isEqualTo(200);
          assertThat(status.bodyAsJsonObject().getJsonObject("data").getBoolean("exists")).isFalse();
          test.completeNow();
        })));
  }

  @Test
  void upstreamTroubleIs502Or429NotA500AndNotTheClientsFault(VertxTestContext test) {
    connectedTenant().compose(tenant -> {
      String token = h.token(tenant);
      List<Future<HttpResponse<Buffer>>> calls = new ArrayList<>();
      h.twilio.faults().add(FaultRule.on("POST", "/v1/Trunks").error(500).times(1));
      return h.call(HttpMethod.POST, h.path(tenant, "/twilio/setup"), token, null)
          .compose(setupFailed -> {
            calls.add(Future.succeededFuture(setupFailed));
            // Twilio asks for a wait longer than the caller waits: the 429 is passed on at once (a shorter one is
            // waited out and retried, TwilioClientTest).
            h.twilio.faults().add(FaultRule.on("GET", "/2010-04-01/Accounts/*/AvailablePhoneNumbers/**")
                .tooManyRequests(600).times(1));
            return h.call(HttpMethod.GET, h.path(tenant, "/twilio/availablePhoneNumbers"), token, null);
          })
          .compose(limited -> {
            calls.add(Future.succeededFuture(limited));
            // An outage while verifying is an outage (502), not "your credentials are wrong" (422). A fresh
            // account SID: the simulator authenticates before it injects faults.
            h.twilio.faults().add(FaultRule.on("GET", "/2010-04-01/Accounts/*").error(503).times(1));
            return h.call(HttpMethod.PUT, h.path(tenant, "/twilio"), token, new JsonObject()
                .put("accountSid", "AC" + TrunklineHarness.newTenant() + "00000000")
                .put("authToken", h.secret("another-token-1")));
          })
          .compose(outage -> {
            calls.add(Future.succeededFuture(outage));
            h.retell.faults().add(FaultRule.on("GET", "/v2/list-phone-numbers").error(401).times(1));
            return h.call(HttpMethod.PUT, h.path(tenant, "/retell"), token,
                new JsonObject().put("apiKey", h.secret(TrunklineHarness.randomSecret("revoked"))));
          })
          .compose(refused -> {
            calls.add(Future.succeededFuture(refused));
            // After the failed attempt, setup converges.
            return h.call(HttpMethod.POST, h.path(tenant, "/twilio/setup"), token, null);
          })
          .compose(setupOk -> {
            calls.add(Future.succeededFuture(setupOk));
            return h.call(HttpMethod.POST, h.path(tenant, "/twilio/phoneNumbers/import"), token,
                new JsonObject().put("phoneNumber", "+13125550199"));
          })
          .map(notOwned -> {
            calls.add(Future.succeededFuture(notOwned));
            return calls.stream().map(Future::result).toList();
          });
    }).onComplete(test.succeeding(rs -> test.verify(() -> {
      GatewayEdgeTest.assertError(rs.get(0), 502, "TWILIO_ERROR");
      JsonObject limited = GatewayEdgeTest.assertError(rs.get(1), 429, "TWILIO_RATE_LIMITED");
      assertThat(rs.get(1).getHeader("Retry-After")).isNotNull();
      assertThat(limited.getString("message")).isNotBlank();
      GatewayEdgeTest.assertError(rs.get(2), 502, "TWILIO_ERROR");
      GatewayEdgeTest.assertError(rs.get(3), 422, "INVALID_RETELL_KEY");
      // The failed attempt created no trunk: this run creates it.
      assertThat(rs.get(4).statusCode()).as(rs.get(4).bodyAsString()).isEqualTo(201);
      assertThat(rs.get(4).bodyAsJsonObject().getJsonObject("data").getBoolean("created")).isTrue();
      GatewayEdgeTest.assertError(rs.get(5), 404, "NUMBER_NOT_FOUND");
      test.completeNow();
    })));
  }

  @Test
  void twilioTextEchoingTheTenantsTokenReachesTheClientRedacted(VertxTestContext test) {
    String tenant = TrunklineHarness.newTenant();
    String token = h.token(tenant);
    String accountSid = "AC" + tenant + "00000000";
    String authToken = h.secret("an echoed Twilio auth token", TrunklineHarness.randomSecret("twtok"));
    // What an upstream may echo besides the token itself; registered, so the class's scan of every response and
    // log line looks for them too.
    String basic = h.secret("the echoed token's Basic auth value", Base64.getEncoder()
        .encodeToString((accountSid + ":" + authToken).getBytes(StandardCharsets.UTF_8)));
    String piece = h.secret("12 characters of the echoed token", authToken.substring(6, 18));
    Map<String, String> echoed = Map.of("the token", authToken, "its Basic auth value", basic, "a piece of it", piece);
    h.call(HttpMethod.PUT, h.path(tenant, "/twilio"), token,
            new JsonObject().put("accountSid", accountSid).put("authToken", authToken))
        .compose(connected -> {
          h.twilio.faults().add(FaultRule.on("POST", "/v1/Trunks")
              .error(500, 20500, "echo " + authToken + " | " + basic + " | ..." + piece + "...").times(1));
          return h.call(HttpMethod.POST, h.path(tenant, "/twilio/setup"), token, null);
        })
        .onComplete(test.succeeding(r -> test.verify(() -> {
          assertNoSecrets("the setup response", r.bodyAsString(), echoed);
          JsonObject error = GatewayEdgeTest.assertError(r, 502, "TWILIO_ERROR");
          assertThat(error.getString("message"))
              .isEqualTo("Twilio CreateTrunk failed: echo [REDACTED] | [REDACTED] | ...[REDACTED]...");
          test.completeNow();
        })));
  }

  @Test
  void aPurchaseThatBuysNothingFreesItsKey(VertxTestContext test) {
    connectedTenant().compose(tenant -> h.call(HttpMethod.POST, h.path(tenant, "/twilio/setup"), h.token(tenant), null)
        .compose(v -> {
          // Not in the simulator's inventory: Twilio refuses, nothing is bought.
          return h.send(h.request(HttpMethod.POST, h.path(tenant, "/twilio/phoneNumbers/purchase"), h.token(tenant))
              .putHeader("Idempotency-Key", "same-key"), new JsonObject().put("phoneNumber", "+13125559999"));
        })
        .compose(refused -> h.send(h.request(HttpMethod.POST, h.path(tenant, "/twilio/phoneNumbers/purchase"),
                h.token(tenant)).putHeader("Idempotency-Key", "same-key"),
            new JsonObject().put("phoneNumber", "+13125550160")).map(bought -> List.of(refused, bought))))
        .onComplete(test.succeeding(rs -> test.verify(() -> {
          GatewayEdgeTest.assertError(rs.get(0), 409, "NUMBER_UNAVAILABLE");
          // The key was given back, so it can carry another request instead of answering 422.
          assertThat(rs.get(1).statusCode()).as(rs.get(1).bodyAsString()).isEqualTo(201);
          test.completeNow();
        })));
  }
}
