package dev.trunkline.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trunkline.contract.Addresses;
import dev.trunkline.contract.Bus;
import dev.trunkline.contract.RetellMessages.KeyVerified;
import dev.trunkline.contract.ServiceException;
import dev.trunkline.contract.TwilioMessages.AccountInfo;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * docs/api.md, "What each route asks on the event bus": a service's own failure keeps its status and code, except
 * that 401/403 from a service (an upstream refused a stored credential) become 502, so they are never mistaken for
 * the caller's token being wrong. The real services never answer 401/403 on the bus today, so stand-ins play a
 * misbehaving service: the gateway and the provisioning service run alone and every store, Twilio and Retell address is consumed by a consumer (through the
 * contract's own {@link Bus#consumer}) that fails with the status under test. The verify addresses accept, so
 * PUT /twilio and PUT /retell reach their store writes: their 422 mapping is for a refused verification only.
 */
@ExtendWith(VertxExtension.class)
class ServiceRefusalTest {
  private static final String TENANT = "dddddddddddddddddddddddd";
  /** What every stand-in fails with; set by each test before it calls. */
  private static volatile ServiceException refusal;
  private static final Set<String> asked = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private static TrunklineHarness h;

  @RegisterExtension
  static final SharedHarness HARNESS = SharedHarness.withStandIns(new JsonObject(), ServiceRefusalTest::standIns,
      harness -> h = harness);

  private static void standIns(Vertx vertx) throws IllegalAccessException {
    for (String address : serviceAddresses()) {
      if (address.equals(Addresses.Twilio.ACCOUNT_VERIFY)) {
        Bus.consumer(vertx, address, JsonObject.class, req -> Future.succeededFuture(
            new AccountInfo("AC" + "0".repeat(32), "stand-in", "active")));
      } else if (address.equals(Addresses.Retell.KEY_VERIFY)) {
        Bus.consumer(vertx, address, JsonObject.class, req -> Future.succeededFuture(new KeyVerified(true)));
      } else {
        Bus.consumer(vertx, address, JsonObject.class, req -> {
          asked.add(address);
          return Future.failedFuture(refusal);
        });
      }
    }
  }

  /** Every address of the contract's Store, Twilio and Retell services. */
  private static Set<String> serviceAddresses() throws IllegalAccessException {
    Set<String> addresses = new TreeSet<>();
    for (Class<?> service : List.of(Addresses.Store.class, Addresses.Twilio.class, Addresses.Retell.class)) {
      for (Field f : service.getDeclaredFields()) {
        if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class
            && String.valueOf(f.get(null)).startsWith("trunkline.")) {
          addresses.add((String) f.get(null));
        }
      }
    }
    assertThat(addresses).contains(Addresses.Store.NUMBER_LIST, Addresses.Twilio.TRUNK_ENSURE,
        Addresses.Retell.NUMBER_SYNC);
    return addresses;
  }

  /** Every tenant route, then the service route, one after the other. */
  private static Future<List<HttpResponse<Buffer>>> everyRoute() {
    String token = h.token(TENANT);
    Future<List<HttpResponse<Buffer>>> chain = Future.succeededFuture(new ArrayList<>());
    for (Routes.Call call : Routes.TENANT_ROUTES) {
      chain = chain.compose(list -> {
        var request = h.request(call.method(), call.uri(TENANT), token);
        if (call.idempotencyKey() != null) {
          request.putHeader("Idempotency-Key", call.idempotencyKey());
        }
        return h.send(request, call.body()).map(r -> {
          list.add(r);
          return list;
        });
      });
    }
    return chain.compose(list -> h.send(h.request(HttpMethod.DELETE, h.path(TENANT, "/twilio-trunk"), null)
        .putHeader("X-Service-Token", h.serviceToken), null).map(r -> {
          list.add(r);
          return list;
        }));
  }

  private static void refusedEverywhere(VertxTestContext test, ServiceException refused) {
    refusal = refused;
    asked.clear();
    everyRoute().onComplete(test.succeeding(responses -> test.verify(() -> {
      assertThat(responses).hasSize(Routes.TENANT_ROUTES.size() + 1);
      for (HttpResponse<Buffer> r : responses) {
        JsonObject error = GatewayEdgeTest.assertError(r, 502, refused.code());
        assertThat(error.getString("message")).isEqualTo(refused.getMessage());
        assertThat(r.getHeader("WWW-Authenticate")).isNull();
      }
      // Each route met the refusal at its first address after any verify (the store for most, Twilio for setup,
      // trunk status and search; the tenant-wide audit, fix and rotation at the record of their operation).
      assertThat(asked).contains(Addresses.Store.TWILIO_ACCOUNT_PUT, Addresses.Store.RETELL_KEY_PUT,
          Addresses.Twilio.TRUNK_ENSURE, Addresses.Twilio.TRUNK_STATUS, Addresses.Twilio.NUMBERS_SEARCH,
          Addresses.Store.IDEMPOTENCY_CLAIM, Addresses.Store.SIP_GET, Addresses.Store.NUMBER_LIST,
          Addresses.Store.NUMBER_GET, Addresses.Store.OPERATION_CREATE);
      test.completeNow();
    })));
  }

  @Test
  void aService401IsA502OnEveryRouteWithTheServicesCode(VertxTestContext test) {
    refusedEverywhere(test, new ServiceException(401, "TWILIO_UNAUTHORIZED",
        "Twilio refused the stored credentials of this subaccount"));
  }

  @Test
  void aService403IsA502OnEveryRouteEvenWhenItsCodeLooksLikeTheCallersFault(VertxTestContext test) {
    refusedEverywhere(test, new ServiceException(403, "FORBIDDEN", "the upstream refused this operation"));
  }

  @Test
  void aService502WithoutACodeIsUpstreamError(VertxTestContext test) {
    refusal = new ServiceException(502, null, "the upstream failed");
    h.call(HttpMethod.GET, h.path(TENANT, "/phone-numbers"), h.token(TENANT), null)
        .onComplete(test.succeeding(r -> test.verify(() -> {
          GatewayEdgeTest.assertError(r, 502, "UPSTREAM_ERROR");
          test.completeNow();
        })));
  }
}
