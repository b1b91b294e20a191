package dev.trunkline.gateway;

import static dev.trunkline.contract.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trunkline.contract.Addresses;
import dev.trunkline.contract.Bus;
import dev.trunkline.contract.ProvisioningClient;
import dev.trunkline.contract.ProvisioningMessages.Fix;
import dev.trunkline.contract.ProvisioningMessages.FlowReply;
import dev.trunkline.contract.ProvisioningMessages.Report;
import dev.trunkline.contract.StoreMessages.RetellStatus;
import dev.trunkline.contract.testing.Await;
import dev.trunkline.gateway.TrunklineHarness.Tenant;
import dev.trunkline.simulators.FaultRule;
import dev.trunkline.simulators.RetellSimulator;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryContext;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An operation's results live in the store, not in a node's heap (issue 16): they are written while the fan-out
 * runs, the fan-out waits for the store when the writes fall behind, a synchronous answer carries at most
 * {@code provisioning.replyMaxResults} of them (beyond: 202 and the Location, where they are paged), and a bus reply
 * of the fix address carries counts instead of an unbounded list.
 */
@ExtendWith(VertxExtension.class)
class OperationResultsTest {
  private static final int NUMBERS = 12;
  private static final int REPLY_MAX = 5;
  private static final int CONCURRENCY = 4;
  private static final String FIX = "/twilio/fix-retell-credentials";
  private static TrunklineHarness h;

  @RegisterExtension
  static final SharedHarness HARNESS = SharedHarness.of(new JsonObject()
        .put("gateway", new JsonObject().put("operationSyncWaitMs", 20_000))
        .put("provisioning", new JsonObject().put("fixConcurrency", CONCURRENCY).put("perNumberTimeoutMs", 10_000)
            .put("listPageSize", 50).put("replyMaxResults", REPLY_MAX)),
      harness -> h = harness).clearingFaults();

  @Test
  void aSynchronousFixWithMoreResultsThanOneAnswerCarriesAnswers202AndTheStoreHasThemWhileItRuns() {
    Tenant t = seedBrokenTenant("+1650571", NUMBERS);
    // The last number is held: the operation is still running when the test reads what was recorded.
    String last = String.format("%04d", NUMBERS - 1);
    FaultRule held = h.retell.faults().add(FaultRule.on("PATCH", "/update-phone-number/*" + last).hold(30_000));

    HttpResponse<Buffer> answer = await(h.call(HttpMethod.POST, h.path(t.id(), FIX), h.token(t.id()),
        new JsonObject()));
    assertThat(answer.statusCode()).as("more results than replyMaxResults: " + answer.bodyAsString())
        .isEqualTo(202);
    assertThat(answer.getHeader("Preference-Applied")).as("the client did not ask for it").isNull();
    assertThat(answer.bodyAsJsonObject().getString("message")).contains("more than " + REPLY_MAX + " results");
    String location = answer.getHeader("Location");
    assertThat(location).startsWith(h.path(t.id(), "/operations/"));

    // While the last number is held, the others' results are already in the store, readable a page at a time.
    await(held.whenHeld(1));
    JsonObject running = await(Await.until(h.vertx, "the other numbers recorded", Duration.ofSeconds(20),
        () -> h.call(HttpMethod.GET, location + "?limit=" + REPLY_MAX, h.token(t.id()), null).map(r -> {
          JsonObject data = r.bodyAsJsonObject().getJsonObject("data");
          return data.getLong("done") == NUMBERS - 1 ? data : null;
        })));
    assertThat(running.getString("state")).isEqualTo("running");
    assertThat(running.getJsonArray("results")).hasSize(REPLY_MAX);
    assertThat(running.getValue("next")).as("more than one page").isNotNull();

    held.release();
    JsonObject done = awaitState(t, location, "succeeded");
    JsonObject report = done.getJsonObject("report");
    assertThat(report.getString("message")).isEqualTo("Fixed credentials for 12 of 12 phone numbers");
    assertThat(report.getJsonObject("data").getInteger("total")).isEqualTo(NUMBERS);
    assertThat(report.getJsonObject("data").containsKey("resultsOmitted")).isFalse();
    assertThat(pagedNumbers(t, location)).hasSize(NUMBERS);
  }

  @Test
  void aBusFixOfMoreNumbersThanOneReplyCarriesCountsInsteadOfTheList() {
    Tenant t = seedBrokenTenant("+1650572", NUMBERS);
    ProvisioningClient client = new ProvisioningClient(h.vertx, 30_000, 60_000);

    FlowReply reply = await(client.fix(new Fix(t.id(), null, false, false), Bus.newRequestId()));

    assertThat(reply.status()).isEqualTo(200);
    Report report = reply.report();
    assertThat(report.total()).isEqualTo(NUMBERS);
    assertThat(report.successCount()).isEqualTo(NUMBERS);
    JsonObject data = new JsonObject(reply.body()).getJsonObject("data");
    assertThat(data.getJsonArray("results")).as("no list beyond replyMaxResults").isNull();
    assertThat(data.getInteger("resultsOmitted")).isEqualTo(NUMBERS);
  }

  @Test
  void theFanOutWaitsForTheStoreInsteadOfPilingResultsUpInTheHeap() {
    int numbers = 600;
    Tenant t = seedBrokenTenant("+1650573", numbers);
    String workspace = RetellSimulator.workspaceId(t.apiKey());
    long before = h.retell.requests().writes(workspace);
    // The store takes no result while the test holds its progress writes (a store far slower than Retell).
    List<DeliveryContext<Object>> heldWrites = new CopyOnWriteArrayList<>();
    Handler<DeliveryContext<Object>> slowStore = dc -> {
      if (Addresses.Store.OPERATION_PROGRESS.equals(dc.message().address())) {
        heldWrites.add(dc);
      } else {
        dc.next();
      }
    };
    h.vertx.eventBus().addOutboundInterceptor(slowStore);
    String location;
    try {
      HttpResponse<Buffer> accepted = await(h.send(h.request(HttpMethod.POST, h.path(t.id(), FIX), h.token(t.id()))
          .putHeader("Prefer", "respond-async"), new JsonObject()));
      assertThat(accepted.statusCode()).as(accepted.bodyAsString()).isEqualTo(202);
      location = accepted.getHeader("Location");

      // Retell's writes stop short of the tenant's numbers: two batches wait for the store, and those in flight end.
      long stalled = await(Await.until(h.vertx, "the fan-out to stop or to end", Duration.ofSeconds(30),
          new StableCount(() -> h.retell.requests().writes(workspace) - before, numbers)));
      assertThat(stalled).as("numbers fixed while the store took no result")
          .isLessThan(numbers).isLessThanOrEqualTo(400 + CONCURRENCY);
    } finally {
      h.vertx.eventBus().removeOutboundInterceptor(slowStore);
      heldWrites.forEach(DeliveryContext::next);
    }
    JsonObject done = awaitState(t, location, "succeeded");
    assertThat(done.getLong("done")).isEqualTo(numbers);
    assertThat(h.retell.requests().writes(workspace) - before).isEqualTo(numbers);
  }

  /**
   * Polled (every 10 ms): the count once it reached {@code all}, or once it reached the recorder's two batches (400:
   * the fan-out pauses only then) and has not moved for 50 polls in a row; null until then.
   */
  private static final class StableCount implements java.util.function.Supplier<Future<Long>> {
    private final java.util.function.LongSupplier count;
    private final long all;
    private long last = -1;
    private int unchanged;

    StableCount(java.util.function.LongSupplier count, long all) {
      this.count = count;
      this.all = all;
    }

    @Override
    public Future<Long> get() {
      long now = count.getAsLong();
      unchanged = now == last && now > 0 ? unchanged + 1 : 0;
      last = now;
      return Future.succeededFuture(now >= all || (now >= 400 && unchanged >= 50) ? now : null);
    }
  }

  // ---- helpers ---------------------------------------------------------------------------------------

  private static Set<String> pagedNumbers(Tenant t, String location) {
    Set<String> numbers = new HashSet<>();
    String next = null;
    do {
      JsonObject page = get(t, location + "?limit=" + REPLY_MAX + (next == null ? "" : "&after=" + next));
      JsonArray results = page.getJsonArray("results");
      assertThat(results.size()).isLessThanOrEqualTo(REPLY_MAX);
      results.forEach(r -> numbers.add(((JsonObject) r).getString("phoneNumber")));
      next = page.getValue("next") == null ? null : page.getValue("next").toString();
    } while (next != null);
    return numbers;
  }

  private static JsonObject get(Tenant t, String uri) {
    HttpResponse<Buffer> r = await(h.call(HttpMethod.GET, uri, h.token(t.id()), null));
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    return r.bodyAsJsonObject().getJsonObject("data");
  }

  private static JsonObject awaitState(Tenant t, String location, String state) {
    return await(Await.until(h.vertx, "operation " + location + " to be " + state, Duration.ofSeconds(60),
        () -> h.call(HttpMethod.GET, location, h.token(t.id()), null).map(r -> {
          JsonObject data = r.bodyAsJsonObject().getJsonObject("data");
          return data != null && state.equals(data.getString("state")) ? data : null;
        })));
  }

  private static Tenant seedBrokenTenant(String prefix, int count) {
    List<String> numbers = IntStream.range(0, count).mapToObj(i -> String.format("%s%04d", prefix, i)).toList();
    Future<Tenant> seeded = h.seedTenant()
        .compose(t -> h.saveNumbers(t, RetellStatus.IMPORTED, numbers).map(v -> t))
        .map(t -> {
          numbers.forEach(n -> h.retell.seedBroken(t.apiKey(), n, t.terminationUri()));
          return t;
        });
    return await(seeded);
  }
}
