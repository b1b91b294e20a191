package dev.trunkline.gateway;

import dev.trunkline.provisioning.PurchaseFlow;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trunkline.contract.Addresses;
import dev.trunkline.contract.Bus;
import dev.trunkline.contract.RetellMessages.ImportNumber;
import dev.trunkline.contract.RetellMessages.RetellNumber;
import dev.trunkline.contract.RetellMessages.SipTarget;
import dev.trunkline.contract.Secret;
import dev.trunkline.contract.StoreMessages.ClaimIdempotency;
import dev.trunkline.contract.StoreMessages.ClaimState;
import dev.trunkline.contract.StoreMessages.IdempotencyClaim;
import dev.trunkline.contract.StoreMessages.PhoneNumber;
import dev.trunkline.contract.StoreMessages.SipCredentials;
import dev.trunkline.contract.TenantRef;
import dev.trunkline.contract.TenantNumber;
import dev.trunkline.contract.TwilioMessages.TrunkNumber;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A purchase whose gateway died between claiming its Idempotency-Key and finishing: the claim stays
 * IN_PROGRESS in the real store. Until its lease runs out a retry with the key is 409 and says when to retry;
 * after it, the retry takes the claim over and the purchase converges on whatever the dead attempt had done: the
 * number is bought at Twilio once, imported into Retell once, recorded once. The "dead gateway" is played on the
 * bus with the addresses and messages the gateway itself uses, up to the point where it died.
 */
@ExtendWith(VertxExtension.class)
class PurchaseLeaseTest {
  private static final int LEASE_SECONDS = 4;
  private static TrunklineHarness h;

  /** How far the dead attempt got. */
  private enum DiedAfter { CLAIM, TWILIO_PURCHASE, RETELL_IMPORT }

  /** A set-up tenant, and the Retell imports counted before its test (the tests of this class run one by one). */
  private record Tenant(String id, String token, String retellKey, long retellImportsBefore) {
    String accountSid() {
      return "AC" + id + "00000000";
    }
  }

  @RegisterExtension
  static final SharedHarness HARNESS = SharedHarness.of(new JsonObject()
      .put("store", new JsonObject().put("idempotencyLeaseSeconds", LEASE_SECONDS)), harness -> h = harness);

  // Assertions run inside the chain (a failed one fails the chain, so nothing runs on into the next test).

  @Test
  void aRetryIs409WithRetryAfterUntilTheLeaseRunsOutThenItBuysTheNumber(VertxTestContext test) {
    String phone = "+16465550131";
    setUpTenant().compose(tenant -> diedAfter(tenant, "key-a", phone, DiedAfter.CLAIM)
        .compose(claimed -> purchase(tenant, "key-a", phone).compose(early -> {
          JsonObject error = GatewayEdgeTest.assertError(early, 409, "IDEMPOTENCY_IN_PROGRESS");
          assertThat(early.getHeader("Retry-After")).as("Retry-After").isNotNull();
          long retryAfter = Long.parseLong(early.getHeader("Retry-After"));
          assertThat(retryAfter).isBetween(1L, (long) LEASE_SECONDS);
          assertThat(error.getString("message")).contains("retry in " + retryAfter + " s");
          assertThat(error.getJsonObject("details").getLong("retryAfterSeconds")).isEqualTo(retryAfter);
          return afterTheLease(claimed);
        }))
        .compose(v -> purchase(tenant, "key-a", phone))
        .compose(retried -> purchase(tenant, "key-a", phone).map(replay -> List.of(retried, replay)))
        .compose(rs -> stateOf(tenant).map(state -> {
          HttpResponse<Buffer> retried = rs.get(0);
          assertThat(retried.statusCode()).as(retried.bodyAsString()).isEqualTo(201);
          assertThat(retried.bodyAsJsonObject().getJsonObject("data").getString("retellStatus"))
              .isEqualTo("IMPORTED");
          HttpResponse<Buffer> replay = rs.get(1);
          assertThat(replay.statusCode()).isEqualTo(201);
          assertThat(replay.getHeader("Idempotent-Replayed")).isEqualTo("true");
          assertThat(replay.bodyAsJsonObject()).isEqualTo(retried.bodyAsJsonObject());
          assertConverged(tenant, phone, state);
          return state;
        })))
        .onComplete(test.succeeding(v -> test.completeNow()));
  }

  @Test
  void aRetryAfterTheLeaseConvergesOnANumberTheDeadAttemptBought(VertxTestContext test) {
    retryConverges(test, "+16465550132", DiedAfter.TWILIO_PURCHASE);
  }

  @Test
  void aRetryAfterTheLeaseConvergesOnANumberTheDeadAttemptBoughtAndImported(VertxTestContext test) {
    retryConverges(test, "+16465550133", DiedAfter.RETELL_IMPORT);
  }

  @Test
  void aRetryAfterTheLeaseReimportsANumberTheDeadAttemptImportedThatThenVanishedFromRetell(VertxTestContext test) {
    String phone = "+16465550134";
    setUpTenant().compose(tenant -> diedAfter(tenant, "key-vanished", phone, DiedAfter.RETELL_IMPORT)
        // Deleted in Retell behind Trunkline's back: Retell now answers 422 "Cannot find requested asset".
        .compose(claim -> h.client.deleteAbs(h.retell.baseUrl() + "/delete-phone-number/" + phone.replace("+", "%2B"))
            .bearerTokenAuthentication(tenant.retellKey()).timeout(10_000).send()
            .compose(deleted -> {
              assertThat(deleted.statusCode()).isEqualTo(204);
              return afterTheLease(claim);
            }))
        .compose(v -> purchase(tenant, "key-vanished", phone))
        .compose(retried -> stateOf(tenant).map(state -> {
          assertThat(retried.statusCode()).as(retried.bodyAsString()).isEqualTo(201);
          assertThat(retried.bodyAsJsonObject().getJsonObject("data").getString("retellStatus")).isEqualTo("IMPORTED");
          assertThat(h.retell.requests().count("POST", "/import-phone-number") - tenant.retellImportsBefore())
              .as("the dead attempt's import and the retry's re-import").isEqualTo(2);
          assertThat(state.numbers()).singleElement()
              .satisfies(n -> assertThat(n.retellStatus().name()).isEqualTo("IMPORTED"));
          JsonObject inRetell = h.retell.number(tenant.retellKey(), phone).orElseThrow();
          assertThat(inRetell.getJsonObject("sip_outbound_trunk_config").getString("auth_username"))
              .isEqualTo(state.sip().username());
          assertThat(h.retell.checkPassword(tenant.retellKey(), phone, state.sip().password().reveal())).isTrue();
          return state;
        })))
        .onComplete(test.succeeding(v -> test.completeNow()));
  }

  private void retryConverges(VertxTestContext test, String phone, DiedAfter died) {
    setUpTenant().compose(tenant -> diedAfter(tenant, "key-" + died, phone, died)
        .compose(this::afterTheLease)
        .compose(v -> purchase(tenant, "key-" + died, phone))
        .compose(retried -> stateOf(tenant).map(state -> {
          assertThat(retried.statusCode()).as(retried.bodyAsString()).isEqualTo(201);
          JsonObject data = retried.bodyAsJsonObject().getJsonObject("data");
          assertThat(data.getString("phoneNumber")).isEqualTo(phone);
          assertThat(data.getString("retellStatus")).isEqualTo("IMPORTED");
          assertConverged(tenant, phone, state);
          return state;
        })))
        .onComplete(test.succeeding(v -> test.completeNow()));
  }

  /** What the store holds for the tenant after the retry: its numbers and its SIP credentials. */
  private record Stored(List<PhoneNumber> numbers, SipCredentials sip) {}

  private static Future<Stored> stateOf(Tenant tenant) {
    return h.storedNumbers(tenant.id()).compose(numbers -> sip(tenant).map(sip -> new Stored(numbers, sip)));
  }

  /** Bought once, imported once with the trunk's credentials, recorded once as imported. */
  private static void assertConverged(Tenant tenant, String phone, Stored stored) {
    assertThat(h.twilio.requests().count("POST", "/2010-04-01/Accounts/" + tenant.accountSid()
        + "/IncomingPhoneNumbers.json")).as("numbers bought at Twilio").isEqualTo(1);
    assertThat(h.retell.requests().count("POST", "/import-phone-number") - tenant.retellImportsBefore())
        .as("imports into Retell").isEqualTo(1);
    assertThat(stored.numbers()).as("the tenant's recorded numbers").singleElement().satisfies(n -> {
      assertThat(n.phoneNumber()).isEqualTo(phone);
      assertThat(n.retellStatus().name()).isEqualTo("IMPORTED");
      assertThat(n.twilioSid()).startsWith("PN");
    });
    SipCredentials sip = stored.sip();
    JsonObject inRetell = h.retell.number(tenant.retellKey(), phone).orElseThrow();
    assertThat(inRetell.getJsonObject("sip_outbound_trunk_config").getString("auth_username"))
        .isEqualTo(sip.username());
    assertThat(h.retell.checkPassword(tenant.retellKey(), phone, sip.password().reveal())).isTrue();
  }

  // ---- the dead gateway, played on the bus up to where it died ------------------------------------------

  private static Future<IdempotencyClaim> diedAfter(Tenant tenant, String key, String phone, DiedAfter died) {
    Future<IdempotencyClaim> claimed = Bus.request(h.vertx, Addresses.Store.IDEMPOTENCY_CLAIM,
        new ClaimIdempotency(tenant.id(), key, PurchaseFlow.OPERATION, PurchaseFlow.requestHash(phone)),
        IdempotencyClaim.class, 10_000, "dead-gateway");
    return claimed.compose(claim -> {
      assertThat(claim.state()).isEqualTo(ClaimState.CLAIMED);
      if (died == DiedAfter.CLAIM) {
        return Future.succeededFuture(claim);
      }
      return Bus.request(h.vertx, Addresses.Twilio.NUMBERS_PURCHASE, new TenantNumber(tenant.id(), phone),
              TrunkNumber.class, 10_000, "dead-gateway")
          .compose(bought -> {
            if (died == DiedAfter.TWILIO_PURCHASE) {
              return Future.succeededFuture(claim);
            }
            return sip(tenant).compose(sip -> Bus.request(h.vertx, Addresses.Retell.NUMBER_IMPORT,
                new ImportNumber(new Secret(tenant.retellKey()), phone, new SipTarget(sip.terminationUri(),
                    sip.username(), sip.password(), sip.transport()), null),
                RetellNumber.class, 10_000, "dead-gateway")).map(imported -> claim);
          });
    });
  }

  /** Waits out the dead attempt's lease (measured from its claim, plus a margin). */
  private Future<Void> afterTheLease(IdempotencyClaim claim) {
    return h.vertx.timer(claim.leaseExpiresInMs() + 300).mapEmpty();
  }

  // ---- helpers ---------------------------------------------------------------------------------------

  /** Connects Twilio and Retell and runs setup through the API. */
  private static Future<Tenant> setUpTenant() {
    String id = TrunklineHarness.newTenant();
    String token = h.token(id);
    String retellKey = h.secret(TrunklineHarness.randomSecret("retell"));
    return h.call(HttpMethod.PUT, h.path(id, "/twilio"), token, new JsonObject()
            .put("accountSid", "AC" + id + "00000000")
            .put("authToken", h.secret(TrunklineHarness.randomSecret("twtok"))))
        .compose(r -> h.call(HttpMethod.PUT, h.path(id, "/retell"), token, new JsonObject().put("apiKey", retellKey)))
        .compose(r -> h.call(HttpMethod.POST, h.path(id, "/twilio/setup"), token, null))
        .map(setup -> {
          assertThat(setup.statusCode()).as(setup.bodyAsString()).isIn(200, 201);
          return new Tenant(id, token, retellKey, h.retell.requests().count("POST", "/import-phone-number"));
        });
  }

  private static Future<HttpResponse<Buffer>> purchase(Tenant tenant, String key, String phone) {
    return h.send(h.request(HttpMethod.POST, h.path(tenant.id(), "/twilio/phoneNumbers/purchase"), tenant.token())
        .putHeader("Idempotency-Key", key), new JsonObject().put("phoneNumber", phone));
  }

  private static Future<SipCredentials> sip(Tenant tenant) {
    return Bus.request(h.vertx, Addresses.Store.SIP_GET, new TenantRef(tenant.id()), SipCredentials.class, 10_000,
        "test").andThen(got -> {
          if (got.succeeded()) {
            h.secret(got.result().password().reveal());
          }
        });
  }
}
