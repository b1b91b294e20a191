package dev.trunkline.app;

import dev.trunkline.app.TestCluster.Api;
import io.vertx.core.json.JsonObject;
import java.net.ConnectException;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

/**
 * A client keeping a tenant's API busy through one or more gateways, as a load balancer spreads it: a buyer (each
 * purchase with its own Idempotency-Key, retried with the same key until it is 201, as a careful client does), a
 * lister ({@code GET /phone-numbers}) and a fixer ({@code POST /twilio/fix-retell-credentials}). A gateway that
 * refuses the connection (stopped) is skipped for the other, as a load balancer does. Every answer is recorded
 * with when it was asked and answered, so a test can count what failed and what was in flight at an event.
 */
final class ApiLoad implements AutoCloseable {
  /** One request: its operation, when it was sent and answered (System.nanoTime), its status and error code. */
  record Call(String op, long sentAt, long answeredAt, int status, String code, String detail) {
    boolean failed() {
      return status >= 400 || status == 0;
    }

    boolean inFlightAt(long instant) {
      return sentAt < instant && answeredAt > instant;
    }

    @Override
    public String toString() {
      return op + " " + status + (code == null ? "" : " " + code) + " (" + (answeredAt - sentAt) / 1_000_000 + " ms)";
    }
  }

  /** How long the buyer backs off before it retries a failed purchase (a client's pace, not a wait for the test). */
  private static final long RETRY_BACKOFF_MS = 200;
  private static final int MAX_ATTEMPTS = 40;

  private final List<Api> gateways;
  private final int firstAreaCode;
  private final ExecutorService workers = Executors.newFixedThreadPool(3);
  private final AtomicBoolean stopping = new AtomicBoolean();
  private final AtomicInteger next = new AtomicInteger();
  private final AtomicInteger roundRobin = new AtomicInteger();
  private final List<Call> calls = new ArrayList<>();
  /** The numbers whose purchase answered 201, and those given up on (no 201 within the attempts). */
  private final Set<String> bought = new TreeSet<>();
  private final Set<String> abandoned = new TreeSet<>();
  private final Set<String> replayed = new TreeSet<>();
  private final Set<String> recordedByImport = new TreeSet<>();

  /**
   * @param firstAreaCode the buyer buys the simulator's numbers {@code +1 AAA 555 01NN} from this area code on
   *     (a hundred per area code)
   */
  ApiLoad(List<Api> gateways, int firstAreaCode) {
    this.gateways = gateways;
    this.firstAreaCode = firstAreaCode;
  }

  ApiLoad start() {
    workers.submit(() -> loop(this::buyOne));
    workers.submit(() -> loop(() -> send("list", "GET", "/phone-numbers?limit=200", null, Map.of())));
    workers.submit(() -> loop(() -> send("fix", "POST", "/twilio/fix-retell-credentials", new JsonObject(),
        Map.of())));
    return this;
  }

  /** Stops sending; the buyer finishes the purchase it is retrying first. */
  void stop() throws InterruptedException {
    stopping.set(true);
    workers.shutdown();
    if (!workers.awaitTermination(180, TimeUnit.SECONDS)) {
      workers.shutdownNow();
      throw new AssertionError("the load's workers did not stop within 180 s");
    }
  }

  @Override
  public void close() {
    stopping.set(true);
    workers.shutdownNow();
  }

  synchronized List<Call> calls() {
    return List.copyOf(calls);
  }

  synchronized List<Call> calls(Predicate<Call> which) {
    return calls.stream().filter(which).toList();
  }

  synchronized int size() {
    return calls.size();
  }

  synchronized Set<String> bought() {
    return new TreeSet<>(bought);
  }

  synchronized Set<String> abandoned() {
    return new TreeSet<>(abandoned);
  }

  /** Numbers whose 201 came as a replay of an earlier attempt's (Idempotent-Replayed). */
  synchronized Set<String> replayed() {
    return new TreeSet<>(replayed);
  }

  /** Numbers answered 502 PURCHASED_NOT_RECORDED and then recorded by an import, as that answer says to. */
  synchronized Set<String> recordedByImport() {
    return new TreeSet<>(recordedByImport);
  }

  private void loop(Runnable one) {
    while (!stopping.get()) {
      one.run();
    }
  }

  /** One number, retried with the same key until 201 (or a final refusal, or the attempts run out). */
  private void buyOne() {
    int n = next.getAndIncrement();
    String number = String.format("+1%d55501%02d", firstAreaCode + n / 100, n % 100);
    Map<String, String> key = Map.of("Idempotency-Key", "load-" + number.substring(1));
    JsonObject body = new JsonObject().put("phoneNumber", number);
    for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      HttpResponse<String> r = send("purchase", "POST", "/twilio/phoneNumbers/purchase", body, key);
      if (r != null && r.statusCode() == 201) {
        synchronized (this) {
          bought.add(number);
          if (r.headers().firstValue("Idempotent-Replayed").isPresent()) {
            replayed.add(number);
          }
        }
        return;
      }
      if (r != null && r.statusCode() == 502 && r.body().contains("PURCHASED_NOT_RECORDED")) {
        // Bought but not recorded: what the answer tells a client to do is import it (which records it).
        HttpResponse<String> imported = send("import", "POST", "/twilio/phoneNumbers/import", body, Map.of());
        if (imported != null && imported.statusCode() == 201) {
          synchronized (this) {
            bought.add(number);
            recordedByImport.add(number);
          }
          return;
        }
        continue;
      }
      if (r != null && r.statusCode() < 500 && r.statusCode() != 409 && r.statusCode() != 429) {
        break; // refused for good: nothing to retry
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(RETRY_BACKOFF_MS));
    }
    synchronized (this) {
      abandoned.add(number);
    }
  }

  /** Sends through the next gateway (round robin), skipping one that refuses the connection; records the answer. */
  private HttpResponse<String> send(String op, String method, String rest, JsonObject body,
      Map<String, String> headers) {
    int first = Math.floorMod(roundRobin.getAndIncrement(), gateways.size());
    long sentAt = System.nanoTime();
    String rid = "load-" + op + "-" + java.util.UUID.randomUUID();
    Map<String, String> withId = new java.util.HashMap<>(headers);
    withId.put("X-Request-Id", rid);
    headers = withId;
    Exception last = null;
    for (int i = 0; i < gateways.size(); i++) {
      Api api = gateways.get((first + i) % gateways.size());
      try {
        HttpResponse<String> r = api.send(method, rest, body, headers);
        String code = null;
        if (r.statusCode() >= 400) {
          try {
            code = new JsonObject(r.body()).getJsonObject("error").getString("code");
          } catch (RuntimeException notJson) {
            code = "(not JSON)";
          }
        }
        record(new Call(op, sentAt, System.nanoTime(), r.statusCode(), code,
            r.statusCode() >= 400 ? rid + " via " + api.port() + ": " + r.body() : null));
        return r;
      } catch (ConnectException refused) {
        last = refused; // that gateway is down: the balancer sends to the next
      } catch (Exception e) {
        last = e;
        break; // the connection broke with the request on it: the client sees an error
      }
    }
    record(new Call(op, sentAt, System.nanoTime(), 0, last == null ? "?" : last.getClass().getSimpleName(),
        rid + ": " + last));
    return null;
  }

  private synchronized void record(Call call) {
    calls.add(call);
  }
}
