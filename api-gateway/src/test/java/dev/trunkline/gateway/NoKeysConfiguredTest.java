package dev.trunkline.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * docs/api.md, "Authentication": with no JWT key configured every tenant route answers 401 (closed, never open),
 * and with no service token the service route answers 401. A second gateway runs beside the harness's with the
 * same configuration minus every key; a token the harness's gateway accepts is refused by it on every route, and
 * none of those requests reaches the bus.
 */
@ExtendWith(VertxExtension.class)
class NoKeysConfiguredTest {
  private static final String TENANT = "cccccccccccccccccccccccc";
  private static final AtomicInteger busMessages = new AtomicInteger();

  private static TrunklineHarness h;
  private static int closedPort;

  @BeforeAll
  static void start(Vertx vertx, VertxTestContext test) {
    vertx.eventBus().addOutboundInterceptor(ctx -> {
      if (ctx.message().address().startsWith("trunkline.")) {
        busMessages.incrementAndGet();
      }
      ctx.next();
    });
    // No service on the bus: a request that got past the guard would answer 503, never 401.
    TrunklineHarness.start(vertx, new JsonObject(), false)
        .compose(harness -> {
          h = harness;
          JsonObject closed = harness.config.copy();
          JsonObject gateway = closed.getJsonObject("gateway");
          gateway.remove("jwtSecret");
          gateway.remove("rs256PublicKeys");
          gateway.remove("serviceToken");
          // One instance on a port of its own (port 0 is fine for a single instance).
          closed.getJsonObject("http").put("port", 0);
          return vertx.deployVerticle(GatewayVerticle.class, new DeploymentOptions().setConfig(closed));
        })
        .onComplete(test.succeeding(id -> {
          closedPort = (Integer) vertx.sharedData().getLocalMap(GatewayVerticle.PORT_MAP)
              .get(GatewayVerticle.PORT_KEY);
          assertThat(closedPort).isNotEqualTo(h.port);
          test.completeNow();
        }));
  }

  @AfterAll
  static void noSecretLeaked() {
    h.assertNoSecretLeaked();
  }

  private static Future<HttpResponse<Buffer>> send(int port, Routes.Call call, String token) {
    HttpRequest<Buffer> request = h.client.request(call.method(), port, "127.0.0.1", call.uri(TENANT))
        .timeout(30_000).bearerTokenAuthentication(token);
    if (call.idempotencyKey() != null) {
      request.putHeader("Idempotency-Key", call.idempotencyKey());
    }
    return h.send(request, call.body());
  }

  @Test
  void everyTenantRouteIs401WithoutAKeyEvenForATokenThatWouldBeValid(VertxTestContext test) {
    String token = h.token(TENANT);
    String platform = h.token("*");
    int before = busMessages.get();
    Future<List<HttpResponse<Buffer>>> refused = Future.succeededFuture(new ArrayList<>());
    for (Routes.Call call : Routes.TENANT_ROUTES) {
      for (String t : List.of(token, platform)) {
        refused = refused.compose(list -> send(closedPort, call, t).map(r -> {
          list.add(r);
          return list;
        }));
      }
    }
    refused
        .compose(list -> {
          int busAfterClosed = busMessages.get();
          test.verify(() -> {
            assertThat(list).hasSize(2 * Routes.TENANT_ROUTES.size());
            for (HttpResponse<Buffer> r : list) {
              GatewayEdgeTest.assertError(r, 401, "UNAUTHORIZED");
            }
            assertThat(busAfterClosed - before).as("bus messages for refused requests").isZero();
          });
          // The same token on the gateway that has the key gets past authentication (to the absent services).
          Future<List<HttpResponse<Buffer>>> accepted = Future.succeededFuture(new ArrayList<>());
          for (Routes.Call call : Routes.TENANT_ROUTES) {
            accepted = accepted.compose(l -> send(h.port, call, token).map(r -> {
              l.add(r);
              return l;
            }));
          }
          return accepted;
        })
        .onComplete(test.succeeding(accepted -> test.verify(() -> {
          for (HttpResponse<Buffer> r : accepted) {
            GatewayEdgeTest.assertError(r, 503, "SERVICE_UNAVAILABLE");
          }
          test.completeNow();
        })));
  }

  @Test
  void theServiceRouteIs401WithoutAConfiguredServiceToken(VertxTestContext test) {
    String uri = h.path(TENANT, "/twilio-trunk");
    int before = busMessages.get();
    Future<HttpResponse<Buffer>> closed = h.send(h.client.request(HttpMethod.DELETE, closedPort, "127.0.0.1", uri)
        .timeout(30_000).putHeader("X-Service-Token", h.serviceToken), null);
    Future<HttpResponse<Buffer>> empty = h.send(h.client.request(HttpMethod.DELETE, closedPort, "127.0.0.1", uri)
        .timeout(30_000).putHeader("X-Service-Token", ""), null);
    Future.all(closed, empty)
        .compose(v -> {
          int busAfterClosed = busMessages.get();
          test.verify(() -> {
            GatewayEdgeTest.assertError(closed.result(), 401, "UNAUTHORIZED");
            GatewayEdgeTest.assertError(empty.result(), 401, "UNAUTHORIZED");
            assertThat(busAfterClosed - before).as("bus messages for refused requests").isZero();
          });
          return h.send(h.request(HttpMethod.DELETE, uri, null).putHeader("X-Service-Token", h.serviceToken), null);
        })
        .onComplete(test.succeeding(open -> test.verify(() -> {
          // The control: that token opens the route where it is configured.
          GatewayEdgeTest.assertError(open, 503, "SERVICE_UNAVAILABLE");
          test.completeNow();
        })));
  }
}
