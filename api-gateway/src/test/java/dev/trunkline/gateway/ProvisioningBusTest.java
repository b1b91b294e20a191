package dev.trunkline.gateway;

import static dev.trunkline.contract.testing.SecretAssertions.assertNoSecrets;
import static dev.trunkline.contract.testing.SecretAssertions.secrets;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trunkline.contract.Addresses;
import dev.trunkline.contract.Bus;
import dev.trunkline.contract.ProvisioningClient;
import dev.trunkline.contract.ProvisioningMessages.Audit;
import dev.trunkline.contract.ProvisioningMessages.CompletedEvent;
import dev.trunkline.contract.ProvisioningMessages.Fix;
import dev.trunkline.contract.ProvisioningMessages.FlowReply;
import dev.trunkline.contract.ProvisioningMessages.ImportNumber;
import dev.trunkline.contract.ProvisioningMessages.NumberEvent;
import dev.trunkline.contract.ProvisioningMessages.Outcome;
import dev.trunkline.contract.ProvisioningMessages.PurchaseNumber;
import dev.trunkline.contract.ProvisioningMessages.Report;
import dev.trunkline.contract.ServiceException;
import dev.trunkline.contract.StoreMessages.RetellStatus;
import dev.trunkline.contract.testing.Await;
import dev.trunkline.gateway.TrunklineHarness.Tenant;
import dev.trunkline.simulators.FaultRule;
import dev.trunkline.simulators.RetellSimulator;
import io.vertx.core.Future;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The provisioning service as a sibling verticle sees it (docs/event-bus.md): the flows on
 * {@code trunkline.provisioning.v1.*} through {@link ProvisioningClient}, the same answer as the REST API for the
 * same request, a per-number event for each number and a completion event, clear 4xx failures for a tenant that
 * does not exist or a malformed request, a cancel that stops a fan-out, and a fan-out that answers before its
 * caller's timeout instead of running past it.
 */
class ProvisioningBusTest {
  private static final int NUMBERS = 12;
  private static TrunklineHarness h;
  private static ProvisioningClient client;

  @RegisterExtension
  static final SharedHarness HARNESS = SharedHarness.of(new JsonObject().put("provisioning", new JsonObject()
      .put("fixConcurrency", 2).put("perNumberTimeoutMs", 5_000).put("listPageSize", 5)), harness -> h = harness);

  @BeforeAll
  static void start() {
    client = new ProvisioningClient(h.vertx, 30_000, 60_000);
  }

  @Test
  void aFixOverTheBusReportsEachNumberAsItCompletesAndAnswersAsTheRestApiDoes() throws Exception {
    Tenant t = seedBrokenTenant("+1415666", NUMBERS);
    String requestId = Bus.newRequestId();
    List<JsonObject> raw = new CopyOnWriteArrayList<>();
    List<NumberEvent> numbers = new CopyOnWriteArrayList<>();
    List<CompletedEvent> completions = new CopyOnWriteArrayList<>();
    MessageConsumer<JsonObject> rawTap = h.vertx.eventBus().consumer(Addresses.Events.numbers(t.id()),
        m -> raw.add(m.body()));
    MessageConsumer<JsonObject> follower = ProvisioningClient.follow(h.vertx, t.id(), e -> {
      if (requestId.equals(e.requestId())) {
        numbers.add(e);
      }
    }, e -> {
      if (requestId.equals(e.requestId())) {
        completions.add(e);
      }
    });
    await(Future.all(rawTap.completion(), follower.completion()));
    try {
      FlowReply reply = await(client.fix(new Fix(t.id(), null, false, false), requestId));

      assertThat(reply.status()).isEqualTo(200);
      assertThat(reply.outcome()).isEqualTo(Outcome.ALL_OK);
      assertThat(reply.succeeded()).isTrue();
      Report report = reply.report();
      assertThat(report.total()).isEqualTo(NUMBERS);
      assertThat(report.successCount()).isEqualTo(NUMBERS);
      assertThat(report.results()).allSatisfy(r -> assertThat(r.authUsername()).isEqualTo(t.username()));

      awaitUntil(() -> completions.size() == 1, "the completion event");
      assertThat(numbers).hasSize(NUMBERS);
      assertThat(numbers.stream().map(NumberEvent::index).collect(Collectors.toSet()))
          .isEqualTo(IntStream.range(0, NUMBERS).boxed().collect(Collectors.toSet()));
      assertThat(numbers).allSatisfy(e -> {
        assertThat(e.flow()).isEqualTo("fix");
        assertThat(e.subaccountId()).isEqualTo(t.id());
        assertThat(e.result().success()).isTrue();
        assertThat(e.result().phoneNumber()).isEqualTo(report.results().get(e.index()).phoneNumber());
      });
      CompletedEvent done = completions.get(0);
      assertThat(done.status()).isEqualTo(200);
      assertThat(done.outcome()).isEqualTo(Outcome.ALL_OK);
      assertThat(done.total()).isEqualTo(NUMBERS);
      assertThat(done.successCount()).isEqualTo(NUMBERS);
      assertThat(done.error()).isNull();
      // No event carries a secret: the tenant's SIP password and Retell key appear in none of them.
      assertNoSecrets("progress events", raw.stream().map(JsonObject::encode).toList(),
          secrets("SIP password", t.password(), "Retell key", t.apiKey()));

      // The same request over HTTP: the same status and body, number for number.
      JsonObject http = await(h.call(HttpMethod.POST, h.path(t.id(), "/twilio/fix-retell-credentials"),
          h.token(t.id()), new JsonObject())).bodyAsJsonObject();
      JsonObject bus = new JsonObject(reply.body());
      assertThat(http.getString("message")).isEqualTo(bus.getString("message"));
      assertThat(http.getJsonObject("data").getInteger("total")).isEqualTo(NUMBERS);
      assertThat(http.getJsonObject("data").getJsonArray("results").stream()
          .map(r -> ((JsonObject) r).getString("phoneNumber")).toList())
          .isEqualTo(report.results().stream().map(r -> r.phoneNumber()).toList());
    } finally {
      rawTap.unregister();
      follower.unregister();
    }
  }

  @Test
  void aTenantThatDoesNotExistIsA404AndAMalformedRequestA400NamingTheField() throws Exception {
    ServiceException unknown = failure(client.fix(new Fix(TrunklineHarness.newTenant(), null, false, false), "t1"));
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.code()).isEqualTo("CONNECTOR_NOT_FOUND");

    ServiceException badTenant = failure(client.audit(new Audit("not-a-tenant", null), "t2"));
    assertThat(badTenant.status()).isEqualTo(400);
    assertThat(badTenant.code()).isEqualTo("INVALID_FIELD");
    assertThat(badTenant.details().getString("field")).isEqualTo("subaccountId");

    ServiceException badNumber = failure(client.importNumber(new ImportNumber(TrunklineHarness.newTenant(), "12"),
        "t3"));
    assertThat(badNumber.code()).isEqualTo("INVALID_FIELD");
    assertThat(badNumber.details().getString("field")).isEqualTo("phoneNumber");

    ServiceException noKey = failure(client.purchase(new PurchaseNumber(TrunklineHarness.newTenant(),
        "+14155550100", null), "t4"));
    assertThat(noKey.status()).isEqualTo(400);
    assertThat(noKey.code()).isEqualTo("MISSING_FIELD");
    assertThat(noKey.details().getString("field")).isEqualTo("idempotencyKey");
  }

  @Test
  void aFailedFlowStillEndsWithACompletionEventThatSaysWhy() throws Exception {
    String tenant = TrunklineHarness.newTenant();
    String requestId = Bus.newRequestId();
    List<CompletedEvent> completions = new CopyOnWriteArrayList<>();
    MessageConsumer<JsonObject> follower = ProvisioningClient.follow(h.vertx, tenant, e -> { },
        completions::add);
    await(follower.completion());
    try {
      failure(client.audit(new Audit(tenant, null), requestId));
      awaitUntil(() -> completions.size() == 1, "the completion event");
      CompletedEvent done = completions.get(0);
      assertThat(done.requestId()).isEqualTo(requestId);
      assertThat(done.status()).isEqualTo(404);
      assertThat(done.outcome()).isEqualTo(Outcome.ALL_FAILED);
      assertThat(done.error().code()).isEqualTo("CONNECTOR_NOT_FOUND");
    } finally {
      follower.unregister();
    }
  }

  @Test
  void aCancelledFixStartsNoNewNumbersAndReportsTheOnesItStarted() throws Exception {
    int numbers = 40;
    Tenant t = seedBrokenTenant("+1415667", numbers);
    String workspace = RetellSimulator.workspaceId(t.apiKey());
    h.retell.faults().add(FaultRule.on("PATCH", "/update-phone-number/*").latency(300));
    try {
      String requestId = Bus.newRequestId();
      long before = h.retell.requests().writes(workspace);
      Future<FlowReply> running = client.fix(new Fix(t.id(), null, false, false), requestId);
      awaitUntil(() -> h.retell.requests().writes(workspace) > before, "the fix's first Retell update");
      // A cancel naming another tenant is ignored: a request id alone does not stop somebody's fix.
      client.cancel(TrunklineHarness.newTenant(), requestId);
      client.cancel(t.id(), requestId);
      FlowReply reply = await(running);
      Report report = reply.report();
      assertThat(report.total()).as("only the numbers started before the cancel").isBetween(1, numbers / 2);
      assertThat(report.successCount()).isEqualTo(report.total());
      assertThat(h.retell.requests().writes(workspace) - before)
          .as("no Retell update after the ones the report shows").isEqualTo(report.total());
    } finally {
      h.retell.faults().clear();
    }
  }

  @Test
  void aFanOutThatWouldOutlastItsCallersTimeoutAnswersWithWhatItDidBeforeThen() throws Exception {
    int numbers = 40;
    Tenant t = seedBrokenTenant("+1415668", numbers);
    h.retell.faults().add(FaultRule.on("PATCH", "/update-phone-number/*").latency(300));
    try {
      // 40 numbers, two at a time, 300 ms each: about 6 s in all. The caller waits 4 s.
      ProvisioningClient impatient = new ProvisioningClient(h.vertx, 30_000, 4_000);
      long started = System.nanoTime();
      FlowReply reply = await(impatient.fix(new Fix(t.id(), null, false, false), Bus.newRequestId()));
      long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
      assertThat(reply.status()).as("an answer, not a 504").isEqualTo(200);
      assertThat(reply.report().total()).isBetween(1, numbers - 1);
      assertThat(tookMs).isLessThan(4_000);
    } finally {
      h.retell.faults().clear();
    }
  }

  private static Tenant seedBrokenTenant(String prefix, int count) throws Exception {
    List<String> numbers = IntStream.range(0, count).mapToObj(i -> String.format("%s%04d", prefix, i)).toList();
    return await(h.seedTenant()
        .compose(t -> h.saveNumbers(t, RetellStatus.IMPORTED, numbers).map(v -> t))
        .map(t -> {
          numbers.forEach(n -> h.retell.seedBroken(t.apiKey(), n, t.terminationUri()));
          return t;
        }));
  }

  private static ServiceException failure(Future<?> future) {
    return Await.awaitFailure(future, ServiceException.class);
  }

  private static void awaitUntil(Await.Condition condition, String what) {
    Await.until(what, Duration.ofSeconds(20), condition);
  }

  private static <T> T await(Future<T> future) {
    return Await.await(future);
  }
}
