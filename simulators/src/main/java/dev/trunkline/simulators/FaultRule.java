package dev.trunkline.simulators;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * One fault injection rule: which requests it matches (HTTP method or any, and a path glob where {@code *} matches
 * within one path segment and {@code **} matches across segments), what it does ({@link FaultKind}) and how often:
 * for the next {@code times} matching requests (then it expires), with {@code probability} per matching request, or
 * both (each firing consumes one of the times).
 *
 * <p>Build one with {@link #on(String, String)} and the fluent setters, then hand it to {@link Faults#add}.
 */
public final class FaultRule {

  private static final AtomicLong IDS = new AtomicLong();

  private final String id = "fault-" + IDS.incrementAndGet();
  private final String method;
  private final String pathGlob;
  private final Pattern pathPattern;
  private FaultKind kind = FaultKind.ERROR;
  private long latencyMs;
  private int status = 500;
  private Integer errorCode;
  private String message;
  private int retryAfterSeconds = 1;
  private double probability = 1.0;
  private final AtomicInteger remaining = new AtomicInteger(-1);
  private final AtomicLong fired = new AtomicLong();
  // HOLD: requests waiting for release(), and tests waiting for requests to be held. Guarded by "this".
  private boolean released;
  private int heldCount;
  private final List<Runnable> holding = new ArrayList<>();
  private final List<HeldWatcher> heldWatchers = new ArrayList<>();

  private record HeldWatcher(int count, Context context, Promise<Void> promise) {}

  /** Default bound of a hold whose {@code latencyMs} is 0. */
  static final long DEFAULT_HOLD_MS = 60_000;

  private FaultRule(String method, String pathGlob) {
    this.method = method == null || method.isBlank() || "*".equals(method)
        ? null : method.trim().toUpperCase(Locale.ROOT);
    this.pathGlob = pathGlob == null || pathGlob.isBlank() ? "/**" : pathGlob.trim();
    this.pathPattern = compileGlob(this.pathGlob);
  }

  /** A rule for {@code method} ({@code null} or {@code "*"} = any) on paths matching {@code pathGlob}. */
  public static FaultRule on(String method, String pathGlob) {
    return new FaultRule(method, pathGlob);
  }

  /** Decodes the admin endpoint's JSON form (see docs/simulators.md). */
  public static FaultRule fromJson(JsonObject json) {
    FaultRule rule = on(json.getString("method"), json.getString("path"));
    rule.kind = FaultKind.parse(json.getString("kind", "ERROR"));
    rule.latencyMs = json.getLong("latencyMs", 0L);
    rule.status = json.getInteger("status", rule.kind == FaultKind.TOO_MANY_REQUESTS ? 429 : 500);
    rule.errorCode = json.getInteger("code");
    rule.message = json.getString("message");
    rule.retryAfterSeconds = json.getInteger("retryAfterSeconds", 1);
    rule.probability = json.getDouble("probability", 1.0);
    Integer times = json.getInteger("times");
    if (times != null) {
      rule.times(times);
    }
    return rule.validated();
  }

  public FaultRule latency(long millis) {
    this.kind = FaultKind.LATENCY;
    this.latencyMs = millis;
    return this;
  }

  public FaultRule error(int status) {
    return error(status, null, null);
  }

  /** Answer {@code status}; {@code code}/{@code message} override the simulator's default error body values. */
  public FaultRule error(int status, Integer code, String message) {
    this.kind = FaultKind.ERROR;
    this.status = status;
    this.errorCode = code;
    this.message = message;
    return this;
  }

  public FaultRule tooManyRequests(int retryAfterSeconds) {
    this.kind = FaultKind.TOO_MANY_REQUESTS;
    this.status = 429;
    this.retryAfterSeconds = retryAfterSeconds;
    return this;
  }

  public FaultRule dropConnection() {
    this.kind = FaultKind.DROP_CONNECTION;
    return this;
  }

  public FaultRule dropResponse() {
    this.kind = FaultKind.DROP_RESPONSE;
    return this;
  }

  /**
   * Holds each matching request until {@link #release()} is called, or at most {@code maxMillis}; then the request
   * goes on (later rules apply, then the simulator handles it). {@link #whenHeld(int)} tells a test that a request
   * is being held, so it can act while that request is provably in flight.
   */
  public FaultRule hold(long maxMillis) {
    this.kind = FaultKind.HOLD;
    this.latencyMs = maxMillis;
    return this;
  }

  /** Lets every held request go on, and every later matching request pass without waiting. */
  public void release() {
    List<Runnable> resume;
    synchronized (this) {
      released = true;
      resume = new ArrayList<>(holding);
      holding.clear();
    }
    resume.forEach(Runnable::run);
  }

  /** How many requests this rule has held so far (released ones included). */
  public synchronized int held() {
    return heldCount;
  }

  /**
   * Completes once this rule has held {@code count} requests (at once if it already has), on the caller's context
   * when there is one.
   */
  public Future<Void> whenHeld(int count) {
    Promise<Void> promise = Promise.promise();
    Context context = Vertx.currentContext();
    synchronized (this) {
      if (heldCount < count) {
        heldWatchers.add(new HeldWatcher(count, context, promise));
        return promise.future();
      }
    }
    complete(new HeldWatcher(count, context, promise));
    return promise.future();
  }

  /** Called by {@link Faults} on the simulator's event loop: parks {@code resume} until release or the bound. */
  void hold(Vertx vertx, Runnable resume) {
    AtomicBoolean once = new AtomicBoolean();
    Runnable go = () -> {
      if (once.compareAndSet(false, true)) {
        resume.run();
      }
    };
    List<HeldWatcher> ready = new ArrayList<>();
    synchronized (this) {
      if (released) {
        ready = null;
      } else {
        holding.add(go);
        heldCount++;
        for (Iterator<HeldWatcher> it = heldWatchers.iterator(); it.hasNext(); ) {
          HeldWatcher w = it.next();
          if (w.count() <= heldCount) {
            ready.add(w);
            it.remove();
          }
        }
      }
    }
    if (ready == null) {
      go.run();
      return;
    }
    long bound = latencyMs > 0 ? latencyMs : DEFAULT_HOLD_MS;
    vertx.setTimer(bound, t -> {
      synchronized (this) {
        holding.remove(go);
      }
      go.run();
    });
    ready.forEach(FaultRule::complete);
  }

  private static void complete(HeldWatcher w) {
    if (w.context() == null) {
      w.promise().tryComplete();
    } else {
      w.context().runOnContext(v -> w.promise().tryComplete());
    }
  }

  /** Fire for the next {@code n} matching requests only, then expire. */
  public FaultRule times(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("times must be >= 1");
    }
    remaining.set(n);
    return this;
  }

  /** Fire for each matching request with this probability (0..1). */
  public FaultRule probability(double p) {
    this.probability = p;
    return this;
  }

  FaultRule validated() {
    if (probability < 0 || probability > 1) {
      throw new IllegalArgumentException("probability must be within 0..1");
    }
    if (latencyMs < 0 || latencyMs > 600_000) {
      throw new IllegalArgumentException("latencyMs must be within 0..600000");
    }
    if (status < 400 || status > 599) {
      throw new IllegalArgumentException("status must be a 4xx or 5xx code");
    }
    if (retryAfterSeconds < 0) {
      throw new IllegalArgumentException("retryAfterSeconds must be >= 0");
    }
    return this;
  }

  boolean matches(String requestMethod, String path) {
    return (method == null || method.equals(requestMethod)) && pathPattern.matcher(path).matches();
  }

  /**
   * Decides whether this rule fires for a matching request, consuming one of its remaining times if it does. Safe to
   * call from several threads: the decrement is a compare-and-set loop.
   */
  boolean tryFire() {
    if (probability < 1.0 && ThreadLocalRandom.current().nextDouble() >= probability) {
      return false;
    }
    while (true) {
      int left = remaining.get();
      if (left == 0) {
        return false;
      }
      if (left < 0 || remaining.compareAndSet(left, left - 1)) {
        fired.incrementAndGet();
        return true;
      }
    }
  }

  boolean expired() {
    return remaining.get() == 0;
  }

  public String id() {
    return id;
  }

  public FaultKind kind() {
    return kind;
  }

  public long latencyMs() {
    return latencyMs;
  }

  public int status() {
    return status;
  }

  public Integer errorCode() {
    return errorCode;
  }

  public String message() {
    return message;
  }

  public int retryAfterSeconds() {
    return retryAfterSeconds;
  }

  /** How many times the rule has fired so far. */
  public long fired() {
    return fired.get();
  }

  public JsonObject toJson() {
    return new JsonObject().put("id", id).put("method", method == null ? "*" : method).put("path", pathGlob)
        .put("kind", kind.name()).put("latencyMs", latencyMs).put("status", status).put("code", errorCode)
        .put("message", message).put("retryAfterSeconds", retryAfterSeconds).put("probability", probability)
        .put("remaining", remaining.get() < 0 ? null : remaining.get()).put("fired", fired.get())
        .put("held", held());
  }

  /** {@code *} = any characters but '/', {@code **} = anything; everything else is literal. */
  static Pattern compileGlob(String glob) {
    StringBuilder regex = new StringBuilder();
    int i = 0;
    while (i < glob.length()) {
      char c = glob.charAt(i);
      if (c == '*') {
        if (i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
          regex.append(".*");
          i += 2;
        } else {
          regex.append("[^/]*");
          i++;
        }
      } else {
        int next = glob.indexOf('*', i);
        int end = next < 0 ? glob.length() : next;
        regex.append(Pattern.quote(glob.substring(i, end)));
        i = end;
      }
    }
    return Pattern.compile(regex.toString());
  }
}
