package dev.trunkline.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trunkline.contract.Addresses;
import dev.trunkline.contract.Bus;
import dev.trunkline.contract.CredentialPurpose;
import dev.trunkline.contract.Secret;
import dev.trunkline.contract.StoreMessages.AcquireLock;
import dev.trunkline.contract.StoreMessages.LockReply;
import dev.trunkline.contract.StoreMessages.PutPendingSip;
import dev.trunkline.contract.StoreMessages.ReleaseLock;
import dev.trunkline.contract.StoreMessages.SipCredentials;
import dev.trunkline.contract.TenantRef;
import dev.trunkline.twilio.TenantLock;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * 409s of docs/api.md that a client acts on ("retry", "run setup first") and that no gateway test produced, over
 * real HTTP against the real services: {@code TENANT_BUSY} while another setup holds the tenant's lock, and
 * {@code SETUP_INCOMPLETE} for a rotation while a setup's written-ahead password is open. Each changes nothing at
 * Twilio, and the advice in it works: the retry after the lock is free sets the trunk up, setup then lets the
 * rotation run.
 */
@ExtendWith(VertxExtension.class)
class DocumentedConflictsTest {
  private static TrunklineHarness h;

  // A short lock wait, so that the busy answer comes quickly.
  @RegisterExtension
  static final SharedHarness HARNESS = SharedHarness.of(
      new JsonObject().put("twilio", new JsonObject().put("lockTimeoutMs", 500)), harness -> h = harness);

  private record Tenant(String id, String token, String accountSid) {}

  private static Future<Tenant> connected() {
    String id = TrunklineHarness.newTenant();
    Tenant t = new Tenant(id, h.token(id), "AC" + id + "00000000");
    return h.call(HttpMethod.PUT, h.path(id, "/twilio"), t.token(), new JsonObject().put("accountSid", t.accountSid())
            .put("authToken", h.secret(TrunklineHarness.randomSecret("twtok"))))
        .compose(r -> h.call(HttpMethod.PUT, h.path(id, "/retell"), t.token(),
            new JsonObject().put("apiKey", h.secret(TrunklineHarness.randomSecret("retell")))))
        .map(r -> t);
  }

  private static Future<HttpResponse<Buffer>> call(Tenant t, HttpMethod method, String rest) {
    return h.call(method, h.path(t.id(), rest), t.token(), null);
  }

  private static long twilioWrites(Tenant t) {
    return h.twilio.requests().writes(t.accountSid());
  }

  @Test
  void aSetupWhileAnotherHoldsTheTenantsLockIs409TenantBusyAndARetryLaterSetsUp(VertxTestContext test) {
    connected().compose(t -> {
      String owner = "another-gateway-node";
      long writes = twilioWrites(t);
      return Bus.request(h.vertx, Addresses.Store.LOCK_ACQUIRE, new AcquireLock(TenantLock.name(t.id()), owner,
              60_000), LockReply.class, 10_000, "test")
          .compose(held -> {
            test.verify(() -> assertThat(held.held()).as("the test holds the tenant's lock").isTrue());
            return call(t, HttpMethod.POST, "/twilio/setup");
          })
          .compose(busy -> {
            test.verify(() -> {
              JsonObject error = GatewayEdgeTest.assertError(busy, 409, "TENANT_BUSY");
              assertThat(error.getString("message")).isNotBlank();
              assertThat(twilioWrites(t)).as("Twilio writes while busy").isEqualTo(writes);
              assertThat(h.twilio.trunks(t.accountSid())).isEmpty();
            });
            return h.bus(Addresses.Store.LOCK_RELEASE, new ReleaseLock(TenantLock.name(t.id()), owner));
          })
          .compose(v -> call(t, HttpMethod.POST, "/twilio/setup"))
          .map(retried -> {
            test.verify(() -> {
              assertThat(retried.statusCode()).as(retried.bodyAsString()).isEqualTo(201);
              assertThat(h.twilio.trunks(t.accountSid())).hasSize(1);
            });
            return retried;
          });
    }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void aRotationWhileASetupIsHalfDoneIs409SetupIncompleteAndRunsOnceSetupHasFinished(VertxTestContext test) {
    connected().compose(t -> call(t, HttpMethod.POST, "/twilio/setup")
        .compose(setUp -> {
          String username = setUp.bodyAsJsonObject().getJsonObject("data").getString("username");
          // What a setup that wrote a new password ahead and then stopped leaves in the store.
          return h.bus(Addresses.Store.SIP_PENDING_PUT, new PutPendingSip(t.id(), username,
              new Secret(h.secret(TrunklineHarness.randomSecret("Pw1"))), CredentialPurpose.SETUP, null));
        })
        .compose(v -> {
          long writes = twilioWrites(t);
          return call(t, HttpMethod.POST, "/twilio/credentials/rotate").map(refused -> {
            test.verify(() -> {
              GatewayEdgeTest.assertError(refused, 409, "SETUP_INCOMPLETE");
              assertThat(twilioWrites(t)).as("Twilio writes of the refused rotation").isEqualTo(writes);
            });
            return refused;
          });
        })
        .compose(v -> call(t, HttpMethod.POST, "/twilio/setup"))
        .compose(repaired -> {
          test.verify(() -> assertThat(repaired.statusCode()).as(repaired.bodyAsString()).isEqualTo(200));
          return call(t, HttpMethod.POST, "/twilio/credentials/rotate");
        })
        .compose(rotated -> Bus.request(h.vertx, Addresses.Store.SIP_GET, new TenantRef(t.id()),
            SipCredentials.class, 10_000, "test").map(sip -> {
              h.secret(sip.password().reveal());
              test.verify(() -> {
                assertThat(rotated.statusCode()).as(rotated.bodyAsString()).isEqualTo(200);
                assertThat(rotated.bodyAsJsonObject().getJsonObject("data").getBoolean("finished")).isTrue();
                assertThat(sip.pending()).isNull();
              });
              return sip;
            })))
        .onComplete(test.succeedingThenComplete());
  }
}
