package dev.trunkline.gateway;

import static dev.trunkline.contract.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trunkline.contract.Addresses;
import dev.trunkline.contract.StoreMessages.RetellStatus;
import dev.trunkline.contract.UriEncoding;
import dev.trunkline.gateway.TrunklineHarness.Tenant;
import dev.trunkline.simulators.FaultRule;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The drift watch against the simulators, over real HTTP and the real store: numbers broken in Retell behind
 * Trunkline's back (empty auth_username, wrong termination URI, deleted) are reported within a (short) period on the
 * tenant's drift address and by {@code GET /drift}, then repaired once the tenant's policy is {@code repair}; a
 * number whose repair keeps failing backs off instead of being hammered. No secret in any event, response or log.
 */
@ExtendWith(VertxExtension.class)
class DriftWatchTest {
  private static final int PERIOD_SECONDS = 2;
  private static final Duration WITHIN = Duration.ofSeconds(PERIOD_SECONDS * 4L + 10);

  private TrunklineHarness h;

  @AfterEach
  void closeHarness() {
    if (h != null) {
      await(h.close());
    }
  }

  private TrunklineHarness start(Vertx vertx) {
    return start(vertx, new JsonObject());
  }

  private TrunklineHarness start(Vertx vertx, JsonObject more) {
    JsonObject overrides = new JsonObject().put("drift", new JsonObject().put("enabled", true)
        .put("periodSeconds", PERIOD_SECONDS).put("maxPerSecond", 50).put("leaseMs", 3_000)).mergeIn(more, true);
    h = await(TrunklineHarness.start(vertx, overrides, true));
    return h;
  }

  /** Every event on the tenant's drift address, as received. */
  private static List<JsonObject> follow(Vertx vertx, String tenant) {
    List<JsonObject> events = new CopyOnWriteArrayList<>();
    await(vertx.eventBus().<JsonObject>consumer(Addresses.Events.drift(tenant), m -> events.add(m.body()))
        .completion());
    return events;
  }

  private static List<String> numbersOf(List<JsonObject> events, String type) {
    return events.stream().filter(e -> type.equals(e.getString("type"))).map(e -> e.getString("phoneNumber"))
        .distinct().sorted().toList();
  }

  private void seedCorrect(Tenant t, String phone) {
    h.retell.seed(t.apiKey(), new JsonObject().put("phone_number", phone).put("termination_uri", t.terminationUri())
        .put("auth_username", t.username()).put("auth_password", t.password()));
  }

  /** Somebody changes the number in Retell's console: a real PATCH (or DELETE) to the Retell API. */
  private Future<HttpResponse<Buffer>> retellConsole(Vertx vertx, HttpMethod method, String path, JsonObject body,
      String apiKey) {
    WebClient web = WebClient.create(vertx);
    var request = web.requestAbs(method, h.retell.baseUrl() + path).bearerTokenAuthentication(apiKey);
    return (body == null ? request.send() : request.sendJsonObject(body)).andThen(ar -> web.close());
  }

  private JsonObject drift(Tenant t) {
    HttpResponse<Buffer> r = await(h.call(HttpMethod.GET, h.path(t.id(), "/drift"), h.token(t.id()), null));
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    return r.bodyAsJsonObject().getJsonObject("data");
  }

  private static String statusesOf(JsonObject drift) {
    return drift.getJsonArray("numbers").stream().map(o -> (JsonObject) o)
        .map(n -> n.getString("phoneNumber") + "=" + n.getString("status")).collect(Collectors.joining(","));
  }

  @Test
  void numbersBrokenBehindTrunklinesBackAreReportedWithinAPeriodAndRepairedUnderTheRepairPolicy(Vertx vertx) {
    start(vertx);
    Tenant t = await(h.seedTenant());
    String emptied = "+14155550301";
    String moved = "+14155550302";
    String deleted = "+14155550303";
    String fine = "+14155550304";
    List<String> all = List.of(emptied, moved, deleted, fine);
    // In Retell first: a sweep may look at a number as soon as the store has it.
    all.forEach(n -> seedCorrect(t, n));
    await(h.saveNumbers(t, RetellStatus.IMPORTED, all));
    List<JsonObject> events = follow(vertx, t.id());

    // A first sweep finds all four OK: nothing to report.
    dev.trunkline.contract.testing.Await.until("a sweep has seen the tenant", WITHIN,
        () -> drift(t).getValue("lastSweep") != null);
    assertThat(numbersOf(events, "drift.found")).isEmpty();

    // Behind Trunkline's back, in Retell's console.
    await(retellConsole(vertx, HttpMethod.PATCH, "/update-phone-number/" + UriEncoding.rfc3986(emptied),
        new JsonObject().put("auth_username", ""), t.apiKey()));
    await(retellConsole(vertx, HttpMethod.PATCH, "/update-phone-number/" + UriEncoding.rfc3986(moved),
        new JsonObject().put("termination_uri", "elsewhere.pstn.twilio.com"), t.apiKey()));
    await(retellConsole(vertx, HttpMethod.DELETE, "/delete-phone-number/" + UriEncoding.rfc3986(deleted), null,
        t.apiKey()));

    dev.trunkline.contract.testing.Await.until("the three drifted numbers reported", WITHIN,
        () -> numbersOf(events, "drift.found").size() == 3, () -> events.toString());
    assertThat(numbersOf(events, "drift.found")).containsExactly(emptied, moved, deleted);
    JsonObject found = events.stream().filter(e -> emptied.equals(e.getString("phoneNumber"))).findFirst()
        .orElseThrow();
    assertThat(found.getString("status")).isEqualTo("MISSING_USERNAME");
    assertThat(found.getString("policy")).isEqualTo("report");
    assertThat(found.getLong("driftedSince")).isNotNull();
    // Under "report" nothing is written to Retell: the numbers stay broken.
    assertThat(h.retell.number(t.apiKey(), emptied).orElseThrow().getJsonObject("sip_outbound_trunk_config")
        .getString("auth_username")).isEmpty();
    assertThat(h.retell.number(t.apiKey(), deleted)).isEmpty();
    assertThat(numbersOf(events, "drift.repaired")).isEmpty();

    JsonObject report = drift(t);
    assertThat(report.getString("policy")).isEqualTo("report");
    assertThat(statusesOf(report)).isEqualTo(emptied + "=MISSING_USERNAME," + moved + "=WRONG_TERMINATION_URI,"
        + deleted + "=NOT_IN_RETELL");

    // Another tenant's token does not see or change this tenant's watch.
    Tenant other = await(h.seedTenant());
    HttpResponse<Buffer> foreign = await(h.call(HttpMethod.GET, h.path(t.id(), "/drift"), h.token(other.id()), null));
    assertThat(foreign.statusCode()).isEqualTo(403);
    HttpResponse<Buffer> bad = await(h.call(HttpMethod.PUT, h.path(t.id(), "/drift/policy"), h.token(t.id()),
        new JsonObject().put("policy", "fix-everything")));
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("INVALID_FIELD");

    HttpResponse<Buffer> set = await(h.call(HttpMethod.PUT, h.path(t.id(), "/drift/policy"), h.token(t.id()),
        new JsonObject().put("policy", "repair")));
    assertThat(set.statusCode()).as(set.bodyAsString()).isEqualTo(200);
    assertThat(set.bodyAsJsonObject().getJsonObject("data").getString("policy")).isEqualTo("repair");

    dev.trunkline.contract.testing.Await.until("the three drifted numbers repaired", WITHIN,
        () -> numbersOf(events, "drift.repaired").size() == 3, () -> events.toString());
    for (String phone : List.of(emptied, moved, deleted)) {
      JsonObject config = h.retell.number(t.apiKey(), phone).orElseThrow()
          .getJsonObject("sip_outbound_trunk_config");
      assertThat(config.getString("auth_username")).as(phone).isEqualTo(t.username());
      assertThat(config.getString("termination_uri")).as(phone).isEqualTo(t.terminationUri());
      assertThat(h.retell.checkPassword(t.apiKey(), phone, t.password())).as(phone).isTrue();
    }
    assertThat(drift(t).getJsonArray("numbers")).isEmpty();
    assertThat(numbersOf(events, "drift.found")).doesNotContain(fine);
    for (JsonObject e : events) {
      assertThat(e.encode()).doesNotContain(t.password()).doesNotContain(t.apiKey());
    }
    h.assertNoSecretLeaked();
  }

  @Test
  void aNumberWhoseRepairKeepsFailingBacksOffAndIsReportedNotHammered(Vertx vertx) {
    start(vertx);
    Tenant t = await(h.seedTenant());
    String stuck = "+14155550401";
    h.retell.seedBroken(t.apiKey(), stuck, t.terminationUri());
    h.retell.faults().add(FaultRule.on("PATCH", "/update-phone-number/*4155550401").error(500));
    await(h.saveNumbers(t, RetellStatus.IMPORTED, List.of(stuck)));
    await(h.call(HttpMethod.PUT, h.path(t.id(), "/drift/policy"), h.token(t.id()),
        new JsonObject().put("policy", "repair")));
    List<JsonObject> events = follow(vertx, t.id());

    // After a failed repair the next sweep leaves the number alone (and says so) rather than trying again.
    dev.trunkline.contract.testing.Await.until("a failed repair, then a sweep that backs off", WITHIN,
        () -> events.stream().anyMatch(e -> "drift.backing-off".equals(e.getString("type"))),
        () -> events.toString());
    List<String> types = events.stream().map(e -> e.getString("type")).toList();
    int failed = types.indexOf("drift.repair-failed");
    assertThat(failed).as(types.toString()).isNotNegative();
    assertThat(types.indexOf("drift.backing-off")).isGreaterThan(failed);
    JsonObject failure = events.get(failed);
    assertThat(failure.getString("code")).isNotBlank();
    assertThat(failure.getLong("nextRepairAt")).isGreaterThan(failure.getLong("checkedAt"));
    long attempts = events.stream().filter(e -> "drift.repair-failed".equals(e.getString("type"))).count();
    long sweeps = events.stream().filter(e -> "drift.found".equals(e.getString("type"))).count();
    assertThat(attempts).as(types.toString()).isLessThan(sweeps);
    JsonObject number = drift(t).getJsonArray("numbers").getJsonObject(0);
    assertThat(number.getInteger("repairFailures")).isGreaterThanOrEqualTo(1);
    assertThat(number.getString("status")).isEqualTo("MISSING_USERNAME");
  }

  @Test
  void theSweepAndAUsersFixTogetherNeverPushRetellIntoA429(Vertx vertx) {
    // Retell allows 20 requests per second per key; Trunkline's budget for a key is 10 (its ceiling), the sweep's
    // own cap 5 per second: the sweep goes through the same budget as the user's fix, so together they stay under.
    start(vertx, new JsonObject()
        .put("retell", new JsonObject().put("rateLimitPerSecond", 10).put("rateLimitBurst", 10))
        .put("drift", new JsonObject().put("periodSeconds", 4).put("maxPerSecond", 5)));
    h.retell.rateLimitPerSecond(20);
    Tenant t = await(h.seedTenant());
    List<String> nums = java.util.stream.IntStream.range(0, 40)
        .mapToObj(i -> String.format("+1415555%04d", 500 + i)).toList();
    nums.forEach(n -> h.retell.seedBroken(t.apiKey(), n, t.terminationUri()));
    await(h.saveNumbers(t, RetellStatus.IMPORTED, nums));
    List<JsonObject> events = follow(vertx, t.id());
    dev.trunkline.contract.testing.Await.until("the sweep is under way", WITHIN, () -> !events.isEmpty());

    // The fix only PATCHes; every GET of a number while it runs is one of the sweep's inspections.
    long inspectionsBefore = h.retell.requests().count("GET", "/get-phone-number/*");
    HttpResponse<Buffer> fixed = await(h.call(HttpMethod.POST, h.path(t.id(), "/twilio/fix-retell-credentials"),
        h.token(t.id()), new JsonObject()));
    long inspectionsDuring = h.retell.requests().count("GET", "/get-phone-number/*") - inspectionsBefore;

    assertThat(fixed.statusCode()).as(fixed.bodyAsString()).isEqualTo(200);
    assertThat(fixed.bodyAsJsonObject().getJsonObject("data").getInteger("successCount")).isEqualTo(40);
    assertThat(inspectionsDuring).as("the sweep kept running while the fix ran").isPositive();
    assertThat(h.retell.rateLimited()).as("429s Retell answered").isZero();
  }

  @Test
  void aTrunkBrokenAtTwilioBehindTrunklinesBackIsReportedOncePerSweep(Vertx vertx) {
    start(vertx);
    String tenant = TrunklineHarness.newTenant();
    String accountSid = "AC" + tenant + "00000000";
    String authToken = h.secret("the tenant's Twilio token", TrunklineHarness.randomSecret("tw"));
    String retellKey = h.secret("the tenant's Retell key", TrunklineHarness.randomSecret("retell"));
    String token = h.token(tenant);
    List<JsonObject> events = follow(vertx, tenant);
    assertThat(await(h.call(HttpMethod.PUT, h.path(tenant, "/twilio"), token, new JsonObject()
        .put("accountSid", accountSid).put("authToken", authToken))).statusCode()).isEqualTo(200);
    assertThat(await(h.call(HttpMethod.PUT, h.path(tenant, "/retell"), token, new JsonObject()
        .put("apiKey", retellKey))).statusCode()).isEqualTo(200);
    assertThat(await(h.call(HttpMethod.POST, h.path(tenant, "/twilio/setup"), token, new JsonObject()))
        .statusCode()).isEqualTo(201);

    // A sweep of the healthy trunk reports nothing about it.
    dev.trunkline.contract.testing.Await.until("a sweep has seen the tenant", WITHIN,
        () -> drift(new Tenant(tenant, retellKey, null, null, null, null)).getValue("lastSweep") != null);
    assertThat(events).noneMatch(e -> "drift.trunk".equals(e.getString("type")));

    // Somebody detaches the credential list from the trunk in Twilio's console.
    String trunkSid = h.twilio.trunks(accountSid).get(0).getString("sid");
    String listSid = h.twilio.credentialLists(accountSid).get(0).getString("sid");
    WebClient web = WebClient.create(vertx);
    HttpResponse<Buffer> detached = await(web.requestAbs(HttpMethod.DELETE, h.twilio.baseUrl() + "/v1/Trunks/"
        + trunkSid + "/CredentialLists/" + listSid).basicAuthentication(accountSid, authToken).send());
    web.close();
    assertThat(detached.statusCode()).isEqualTo(204);

    JsonObject reported = dev.trunkline.contract.testing.Await.value("the trunk's problem reported", WITHIN,
        () -> events.stream().filter(e -> "drift.trunk".equals(e.getString("type"))).findFirst().orElse(null),
        e -> true);
    assertThat(reported.getJsonArray("problems").getList())
        .contains("credential list not associated with the trunk");
    assertThat(reported.getString("phoneNumber")).isNull();
    assertThat(reported.getString("status")).isEqualTo("TRUNK_PROBLEMS");
    assertThat(reported.encode()).doesNotContain(authToken).doesNotContain(retellKey);
    h.assertNoSecretLeaked();
  }
}
