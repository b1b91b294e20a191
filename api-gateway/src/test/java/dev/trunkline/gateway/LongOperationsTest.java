package dev.trunkline.gateway;

import static dev.trunkline.contract.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trunkline.contract.StoreMessages.RetellStatus;
import dev.trunkline.contract.testing.Await;
import dev.trunkline.gateway.TrunklineHarness.Tenant;
import dev.trunkline.simulators.FaultRule;
import dev.trunkline.simulators.RetellSimulator;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Audits, fixes and rotations as operations over real HTTP (docs/api.md "Long operations"): {@code Prefer:
 * respond-async} answers 202 with a Location at once, the operation is polled to its end with its results paged
 * from the store, a DELETE stops it starting numbers, a second request joins the running one, a synchronous request
 * that outlasts {@code gateway.operationSyncWaitMs} answers 202 too, and another tenant's operation is not found.
 * Retell holds (HOLD) the calls of the flow under test, so "running" is a fact the test controls, not a race.
 */
@ExtendWith(VertxExtension.class)
class LongOperationsTest {
  private static final int NUMBERS = 12;
  private static final int CONCURRENCY = 2;
  private static final String FIX = "/twilio/fix-retell-credentials";
  private static TrunklineHarness h;

  @RegisterExtension
  static final SharedHarness HARNESS = SharedHarness.of(new JsonObject()
        .put("gateway", new JsonObject().put("operationSyncWaitMs", 1_500))
        .put("provisioning", new JsonObject().put("fixConcurrency", CONCURRENCY).put("perNumberTimeoutMs", 10_000)
            .put("listPageSize", 5)),
      harness -> h = harness).clearingFaults();

  @Test
  void respondAsyncAnswers202AtOnceAndThePollEndsWithTheSynchronousReportPaged() {
    Tenant t = seedBrokenTenant("+1650557");
    FaultRule held = h.retell.faults().add(FaultRule.on("PATCH", "/update-phone-number/*").hold(30_000));

    HttpResponse<Buffer> accepted = fixAsync(t);
    assertThat(accepted.statusCode()).as(accepted.bodyAsString()).isEqualTo(202);
    assertThat(accepted.getHeader("Preference-Applied")).isEqualTo("respond-async");
    String location = accepted.getHeader("Location");
    assertThat(location).startsWith(h.path(t.id(), "/operations/"));
    JsonObject first = accepted.bodyAsJsonObject().getJsonObject("data");
    assertThat(first.getString("state")).isEqualTo("running");
    assertThat(first.getString("kind")).isEqualTo("fix");

    await(held.whenHeld(CONCURRENCY));
    JsonObject running = get(t, location);
    assertThat(running.getString("state")).isEqualTo("running");
    assertThat(running.getLong("done")).isZero();

    held.release();
    JsonObject done = awaitState(t, location, "succeeded");
    assertThat(done.getLong("done")).isEqualTo(NUMBERS);
    assertThat(done.getLong("successCount")).isEqualTo(NUMBERS);
    assertThat(done.getLong("finishedAt")).isGreaterThanOrEqualTo(done.getLong("startedAt"));
    JsonObject report = done.getJsonObject("report");
    assertThat(report.getString("message")).isEqualTo("Fixed credentials for " + NUMBERS + " of " + NUMBERS
        + " phone numbers");
    assertThat(report.getJsonObject("data").getInteger("total")).isEqualTo(NUMBERS);

    // Every number's result, a page at a time from the store.
    Set<String> numbers = new HashSet<>();
    String next = null;
    int pages = 0;
    do {
      JsonObject page = get(t, location + "?limit=5" + (next == null ? "" : "&after=" + next));
      JsonArray results = page.getJsonArray("results");
      assertThat(results.size()).isLessThanOrEqualTo(5);
      results.forEach(r -> numbers.add(((JsonObject) r).getString("phoneNumber")));
      next = page.getValue("next") == null ? null : page.getValue("next").toString();
      pages++;
    } while (next != null);
    assertThat(pages).isEqualTo(3);
    assertThat(numbers).hasSize(NUMBERS);

    JsonArray listed = await(h.call(HttpMethod.GET, h.path(t.id(), "/operations"), h.token(t.id()), null))
        .bodyAsJsonObject().getJsonObject("data").getJsonArray("operations");
    assertThat(listed.getJsonObject(0).getString("location")).isEqualTo(location);
  }

  @Test
  void aSecondFixWhileOneRunsJoinsItInsteadOfASecondFanOut() {
    Tenant t = seedBrokenTenant("+1650558");
    String workspace = RetellSimulator.workspaceId(t.apiKey());
    FaultRule held = h.retell.faults().add(FaultRule.on("PATCH", "/update-phone-number/*").hold(30_000));
    long before = h.retell.requests().writes(workspace);

    String location = fixAsync(t).getHeader("Location");
    await(held.whenHeld(CONCURRENCY));
    HttpResponse<Buffer> second = await(h.call(HttpMethod.POST, h.path(t.id(), FIX), h.token(t.id()),
        new JsonObject()));
    assertThat(second.statusCode()).as(second.bodyAsString()).isEqualTo(200);
    assertThat(second.getHeader("Location")).isEqualTo(location);
    assertThat(second.bodyAsJsonObject().getJsonObject("data").getString("state")).isEqualTo("running");

    held.release();
    awaitState(t, location, "succeeded");
    assertThat(h.retell.requests().writes(workspace) - before).as("one Retell update per number, not two")
        .isEqualTo(NUMBERS);
  }

  /** A dry run changes nothing: it is its own kind, so it runs beside a real fix instead of joining it. */
  @Test
  void aDryRunWhileAFixRunsIsItsOwnOperationNotTheFix() {
    Tenant t = seedBrokenTenant("+1650563");
    FaultRule held = h.retell.faults().add(FaultRule.on("PATCH", "/update-phone-number/*").hold(30_000));
    String fix = fixAsync(t).getHeader("Location");
    await(held.whenHeld(CONCURRENCY));

    HttpResponse<Buffer> dryRun = await(h.send(h.request(HttpMethod.POST, h.path(t.id(), FIX), h.token(t.id()))
        .putHeader("Prefer", "respond-async"), new JsonObject().put("dryRun", true)));
    assertThat(dryRun.statusCode()).as("not joined to the running fix: " + dryRun.bodyAsString()).isEqualTo(202);
    String dry = dryRun.getHeader("Location");
    assertThat(dry).isNotEqualTo(fix);
    assertThat(dryRun.bodyAsJsonObject().getJsonObject("data").getString("kind")).isEqualTo("fix-dry-run");
    // It ends while the fix is still held: nothing it does waits for the fix.
    JsonObject report = awaitState(t, dry, "succeeded").getJsonObject("report");
    assertThat(report.getString("message")).isEqualTo("Dry run: " + NUMBERS + " of " + NUMBERS
        + " phone numbers need fixing");
    assertThat(get(t, fix).getString("state")).isEqualTo("running");

    // And a real fix does not join a running dry run either: the fix's slot is the fix's.
    HttpResponse<Buffer> second = await(h.call(HttpMethod.POST, h.path(t.id(), FIX), h.token(t.id()),
        new JsonObject()));
    assertThat(second.getHeader("Location")).as("the running fix is joined, not the dry run").isEqualTo(fix);

    held.release();
    awaitState(t, fix, "succeeded");
  }

  @Test
  void deleteStopsStartingNumbersAndTheReportSaysWhatWasDone() {
    Tenant t = seedBrokenTenant("+1650559");
    String workspace = RetellSimulator.workspaceId(t.apiKey());
    FaultRule held = h.retell.faults().add(FaultRule.on("PATCH", "/update-phone-number/*").hold(30_000));
    long before = h.retell.requests().writes(workspace);

    String location = fixAsync(t).getHeader("Location");
    await(held.whenHeld(CONCURRENCY));
    HttpResponse<Buffer> cancel = await(h.call(HttpMethod.DELETE, location, h.token(t.id()), null));
    assertThat(cancel.statusCode()).as(cancel.bodyAsString()).isEqualTo(200);
    assertThat(cancel.bodyAsJsonObject().getJsonObject("data").getBoolean("cancelRequested")).isTrue();

    held.release();
    JsonObject cancelled = awaitState(t, location, "cancelled");
    assertThat(cancelled.getLong("done")).as("the numbers in flight finished, no others").isEqualTo(CONCURRENCY);
    assertThat(h.retell.requests().writes(workspace) - before).isEqualTo(CONCURRENCY);
    assertThat(cancelled.getJsonObject("report").getString("message"))
        .isEqualTo("Fixed credentials for " + CONCURRENCY + " of " + CONCURRENCY + " phone numbers");
  }

  @Test
  void aSynchronousFixThatOutlastsTheWaitAnswers202WithItsLocation() {
    Tenant t = seedBrokenTenant("+1650560");
    FaultRule held = h.retell.faults().add(FaultRule.on("PATCH", "/update-phone-number/*").hold(30_000));

    HttpResponse<Buffer> answer = await(h.call(HttpMethod.POST, h.path(t.id(), FIX), h.token(t.id()),
        new JsonObject()));
    assertThat(answer.statusCode()).as(answer.bodyAsString()).isEqualTo(202);
    assertThat(answer.getHeader("Preference-Applied")).as("the client did not ask for it").isNull();
    String location = answer.getHeader("Location");
    assertThat(location).startsWith(h.path(t.id(), "/operations/"));

    held.release();
    assertThat(awaitState(t, location, "succeeded").getLong("done")).isEqualTo(NUMBERS);
  }

  @Test
  void anotherTenantsOperationIsNotFound() {
    Tenant t = seedBrokenTenant("+1650561");
    String location = fixAsync(t).getHeader("Location");
    awaitState(t, location, "succeeded");
    Tenant other = await(h.seedTenant());
    String id = location.substring(location.lastIndexOf('/') + 1);
    String theirs = h.path(other.id(), "/operations/" + id);

    GatewayEdgeTest.assertError(await(h.call(HttpMethod.GET, theirs, h.token(other.id()), null)), 404,
        "OPERATION_NOT_FOUND");
    GatewayEdgeTest.assertError(await(h.call(HttpMethod.DELETE, theirs, h.token(other.id()), null)), 404,
        "OPERATION_NOT_FOUND");
    GatewayEdgeTest.assertError(await(h.call(HttpMethod.GET, h.path(t.id(), "/operations/not-an-id"),
        h.token(t.id()), null)), 404, "OPERATION_NOT_FOUND");
  }

  @Test
  void eventsStreamEachResultAndTheEndAndAReconnectResumesAfterLastEventId() {
    Tenant t = seedBrokenTenant("+1650562");
    FaultRule held = h.retell.faults().add(FaultRule.on("PATCH", "/update-phone-number/*").hold(30_000));
    String location = fixAsync(t).getHeader("Location");
    await(held.whenHeld(CONCURRENCY));

    // Opened while the operation runs: the stream stays open until its end.
    Future<HttpResponse<Buffer>> live = h.call(HttpMethod.GET, location + "/events", h.token(t.id()), null);
    held.release();
    HttpResponse<Buffer> whole = await(live);
    assertThat(whole.statusCode()).as(whole.bodyAsString()).isEqualTo(200);
    assertThat(whole.getHeader("Content-Type")).startsWith("text/event-stream");
    List<String[]> events = events(whole.bodyAsString());
    assertThat(events).hasSize(NUMBERS + 1);
    assertThat(events.subList(0, NUMBERS)).allSatisfy(e -> assertThat(e[1]).isEqualTo("number"));
    String[] end = events.get(NUMBERS);
    assertThat(end[1]).isEqualTo("completed");
    assertThat(new JsonObject(end[2]).getString("state")).isEqualTo("succeeded");

    // A client that saw the first five reconnects with the fifth's id: the rest, then the end.
    HttpResponse<Buffer> resumed = await(h.send(h.request(HttpMethod.GET, location + "/events", h.token(t.id()))
        .putHeader("Last-Event-ID", events.get(4)[0]), null));
    List<String[]> rest = events(resumed.bodyAsString());
    assertThat(rest).hasSize(NUMBERS - 5 + 1);
    assertThat(rest.get(0)[0]).isEqualTo(events.get(5)[0]);
    assertThat(rest.get(rest.size() - 1)[1]).isEqualTo("completed");

    Tenant other = await(h.seedTenant());
    String id = location.substring(location.lastIndexOf('/') + 1);
    GatewayEdgeTest.assertError(await(h.call(HttpMethod.GET, h.path(other.id(), "/operations/" + id + "/events"),
        h.token(other.id()), null)), 404, "OPERATION_NOT_FOUND");
  }

  /** Each event as {id, event, data}; comment lines skipped. */
  private static List<String[]> events(String stream) {
    List<String[]> out = new java.util.ArrayList<>();
    for (String block : stream.split("\n\n")) {
      String id = null;
      String event = null;
      String data = null;
      for (String line : block.split("\n")) {
        if (line.startsWith("id: ")) {
          id = line.substring(4);
        } else if (line.startsWith("event: ")) {
          event = line.substring(7);
        } else if (line.startsWith("data: ")) {
          data = line.substring(6);
        }
      }
      if (event != null) {
        out.add(new String[] {id, event, data});
      }
    }
    return out;
  }

  // ---- helpers ---------------------------------------------------------------------------------------

  /** Asks for an asynchronous fix; it must be accepted (202) with a Location, whatever the test goes on to check. */
  private static HttpResponse<Buffer> fixAsync(Tenant t) {
    HttpResponse<Buffer> r = await(h.send(h.request(HttpMethod.POST, h.path(t.id(), FIX), h.token(t.id()))
        .putHeader("Prefer", "respond-async"), new JsonObject()));
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(202);
    assertThat(r.getHeader("Location")).as("the operation's Location").isNotBlank();
    return r;
  }

  private static JsonObject get(Tenant t, String uri) {
    HttpResponse<Buffer> r = await(h.call(HttpMethod.GET, uri, h.token(t.id()), null));
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    return r.bodyAsJsonObject().getJsonObject("data");
  }

  private static JsonObject awaitState(Tenant t, String location, String state) {
    return await(Await.until(h.vertx, "operation " + location + " to be " + state, Duration.ofSeconds(30),
        () -> h.call(HttpMethod.GET, location, h.token(t.id()), null).map(r -> {
          JsonObject data = r.bodyAsJsonObject().getJsonObject("data");
          return data != null && state.equals(data.getString("state")) ? data : null;
        })));
  }

  private static Tenant seedBrokenTenant(String prefix) {
    List<String> numbers = IntStream.range(0, NUMBERS).mapToObj(i -> String.format("%s%04d", prefix, i)).toList();
    Future<Tenant> seeded = h.seedTenant()
        .compose(t -> h.saveNumbers(t, RetellStatus.IMPORTED, numbers).map(v -> t))
        .map(t -> {
          numbers.forEach(n -> h.retell.seedBroken(t.apiKey(), n, t.terminationUri()));
          return t;
        });
    return await(seeded);
  }
}
