package dev.trunkline.gateway;

import static dev.trunkline.contract.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trunkline.contract.Addresses;
import dev.trunkline.contract.Secret;
import dev.trunkline.contract.StoreMessages;
import dev.trunkline.contract.testing.Await;
import dev.trunkline.gateway.TrunklineHarness.Tenant;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two tenants share one Retell API key (and so one rate limit). Tenant A runs a 120-number fix (a second one joins
 * it, a one-number fix is beyond A's fan-out slot); tenant B's one-number fix is served in its fair share, right away, instead of after A's queue. Measured in
 * Retell requests, not in milliseconds: how many of A's PATCHes Retell received while B's fix ran.
 */
@ExtendWith(VertxExtension.class)
class FairShareTest {
  private static final int A_NUMBERS = 120;
  /** One per tenant: A's bulk fix holds it, so A's one-number fix is refused while B's is served. */
  private static final int MAX_FAN_OUTS = 1;
  private static TrunklineHarness h;

  @BeforeAll
  static void start(Vertx vertx, VertxTestContext test) {
    JsonObject overrides = new JsonObject()
        .put("retell", new JsonObject().put("rateLimitPerSecond", 40).put("rateLimitBurst", 5))
        .put("gateway", new JsonObject().put("fixConcurrency", 32).put("perNumberTimeoutMs", 30_000)
            .put("busTimeoutMs", 60_000).put("maxFanOutsPerTenant", MAX_FAN_OUTS));
    TrunklineHarness.start(vertx, overrides, true).onComplete(test.succeeding(harness -> {
      h = harness;
      test.completeNow();
    }));
  }

  @AfterAll
  static void noSecretLeaked() {
    h.assertNoSecretLeaked();
  }

  private static Future<HttpResponse<Buffer>> fix(Tenant t, JsonObject body) {
    return h.call(HttpMethod.POST, h.path(t.id(), "/twilio/fix-retell-credentials"), h.token(t.id()), body);
  }

  private static long patches() {
    return h.retell.requests().count("PATCH", "/update-phone-number/*");
  }

  @Test
  void aTenantsBulkFixesDoNotStallAnotherTenantsOneNumberFixOnTheSameKey() throws Exception {
    Tenant a = await(h.seedTenant());
    Tenant seededB = await(h.seedTenant());
    // B uses A's key: both draw on the same Retell rate limit.
    await(h.bus(Addresses.Store.RETELL_KEY_PUT, new StoreMessages.PutRetellKey(seededB.id(), new Secret(a.apiKey()))));
    List<String> aNumbers = IntStream.range(0, A_NUMBERS).mapToObj(i -> String.format("+1415555%04d", i)).toList();
    aNumbers.forEach(n -> h.retell.seedBroken(a.apiKey(), n, a.terminationUri()));
    await(h.saveNumbers(a, StoreMessages.RetellStatus.IMPORTED, aNumbers));
    String bNumber = "+16465550199";
    h.retell.seedBroken(a.apiKey(), bNumber, seededB.terminationUri());
    await(h.saveNumbers(seededB, StoreMessages.RetellStatus.IMPORTED, List.of(bNumber)));

    // A's whole-tenant fix is one operation: a second one joins it (issue 16) instead of a second fan-out.
    List<Future<HttpResponse<Buffer>>> bulk = new ArrayList<>();
    bulk.add(fix(a, new JsonObject()));
    // A's fan-out is running and queued in the key's limit: 120 PATCHes at 40/s take about 3 s.
    Await.until("A's fix to have sent 10 PATCHes", Duration.ofSeconds(30), () -> patches() >= 10);
    HttpResponse<Buffer> joined = await(fix(a, new JsonObject()));
    assertThat(joined.statusCode()).as(joined.bodyAsString()).isEqualTo(200);
    assertThat(joined.bodyAsJsonObject().getJsonObject("data").getString("state")).isEqualTo("running");
    // A one-number fix is a fan-out of its own, beyond A's one slot.
    HttpResponse<Buffer> refused = await(fix(a, new JsonObject().put("phoneNumber", "+14155550000")));
    assertThat(refused.statusCode()).as(refused.bodyAsString()).isEqualTo(429);
    assertThat(refused.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("TOO_MANY_FAN_OUTS");
    assertThat(refused.getHeader("Retry-After")).isNotBlank();

    long before = patches();
    HttpResponse<Buffer> bFix = await(fix(seededB, new JsonObject()));
    long aPatchesDuringB = patches() - before - 1;
    assertThat(bFix.statusCode()).as(bFix.bodyAsString()).isEqualTo(200);
    for (Future<HttpResponse<Buffer>> f : bulk) {
      HttpResponse<Buffer> r = await(f);
      assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    }
    long aQueuedWhenBArrived = (long) A_NUMBERS - before;
    System.out.println("fair share: A had " + aQueuedWhenBArrived + " PATCHes still to send when B's fix began;"
        + " Retell received " + aPatchesDuringB + " of them while B's one-number fix ran");
    // First come, first served would put B behind every A request already waiting (dozens); its fair share
    // puts it behind at most a few.
    assertThat(aQueuedWhenBArrived).as("A still had a queue when B arrived").isGreaterThan(40);
    assertThat(aPatchesDuringB).isLessThanOrEqualTo(8);
  }

  @Test
  void underRetellsOwnLimitABulkFixStillDoesNotStallAnotherTenantsOneNumberFix() throws Exception {
    // Now Retell limits the key (10/s, 429 with Retry-After), below the client's 40/s: the client has to find the
    // rate from Retell's 429s while A's fix runs. B's one-number fix is still served in its share, and no number
    // of either tenant ends RETELL_RATE_LIMITED: the 429s are paced away, not reported.
    Tenant a = await(h.seedTenant());
    Tenant seededB = await(h.seedTenant());
    await(h.bus(Addresses.Store.RETELL_KEY_PUT, new StoreMessages.PutRetellKey(seededB.id(), new Secret(a.apiKey()))));
    int aNumbers = 60;
    List<String> numbers = IntStream.range(0, aNumbers).mapToObj(i -> String.format("+1415556%04d", i)).toList();
    numbers.forEach(n -> h.retell.seedBroken(a.apiKey(), n, a.terminationUri()));
    await(h.saveNumbers(a, StoreMessages.RetellStatus.IMPORTED, numbers));
    String bNumber = "+16465550198";
    h.retell.seedBroken(a.apiKey(), bNumber, seededB.terminationUri());
    await(h.saveNumbers(seededB, StoreMessages.RetellStatus.IMPORTED, List.of(bNumber)));
    h.retell.rateLimitPerSecond(10);
    long start = patches();
    try {
      Future<HttpResponse<Buffer>> bulk = fix(a, new JsonObject());
      // A's fan-out runs into Retell's limit: wait for Retell's first 429s.
      Await.until("Retell's first 429 to A's fan-out", Duration.ofSeconds(30), Duration.ofMillis(5),
          () -> h.retell.rateLimited() >= 1);
      long before = patches();
      HttpResponse<Buffer> bFix = await(fix(seededB, new JsonObject()));
      long patchesDuringB = patches() - before;
      assertThat(bFix.statusCode()).as(bFix.bodyAsString()).isEqualTo(200);
      HttpResponse<Buffer> aFix = await(bulk);
      assertThat(aFix.statusCode()).as(aFix.bodyAsString()).isEqualTo(200);
      assertThat(aFix.bodyAsJsonObject().getJsonObject("data").getInteger("successCount")).isEqualTo(aNumbers);
      assertThat(aFix.bodyAsString()).doesNotContain("RETELL_RATE_LIMITED");
      long aPatchesBeforeB = before - start;
      System.out.println("fair share under Retell's limit: Retell answered " + h.retell.rateLimited()
          + " 429s; it had received " + aPatchesBeforeB + " of A's PATCHes (429s included) for " + aNumbers
          + " numbers when B's fix began, and " + patchesDuringB + " PATCHes (B's included) while it ran");
      assertThat(h.retell.rateLimited()).as("Retell did limit the key").isPositive();
      assertThat(aPatchesBeforeB).as("A still had most of its numbers to go when B arrived").isLessThan(40);
      assertThat(patchesDuringB).isLessThanOrEqualTo(10);
    } finally {
      h.retell.rateLimitPerSecond(0);
    }
  }
}
