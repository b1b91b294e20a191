package dev.trunkline.simulators;

import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.ext.web.RoutingContext;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The fault injection rules of one simulator, changeable at runtime from Java ({@code sim.faults()}) or over HTTP
 * ({@code /__admin/faults}). Rules are tried in the order they were added; a firing {@link FaultKind#LATENCY} rule
 * delays the request and lets later rules still apply, and so does a {@link FaultKind#HOLD} rule once released; any
 * other firing rule decides the request's fate.
 */
public final class Faults {

  /** Bounded so a runaway script cannot make every request scan an ever-growing list. */
  static final int MAX_RULES = 256;

  private final List<FaultRule> rules = new CopyOnWriteArrayList<>();

  /** Adds a rule and returns it (its {@link FaultRule#id()} removes it again). */
  public FaultRule add(FaultRule rule) {
    rule.validated();
    if (rules.size() >= MAX_RULES) {
      throw new IllegalStateException("too many fault rules (max " + MAX_RULES + ")");
    }
    rules.add(rule);
    return rule;
  }

  /** Removes a rule; requests a removed hold rule was holding go on. */
  public boolean remove(String id) {
    Optional<FaultRule> rule = find(id);
    rule.ifPresent(r -> {
      rules.remove(r);
      r.release();
    });
    return rule.isPresent();
  }

  /** Removes every rule; requests held by any of them go on. */
  public void clear() {
    List<FaultRule> all = List.copyOf(rules);
    rules.clear();
    all.forEach(FaultRule::release);
  }

  public List<FaultRule> rules() {
    return List.copyOf(rules);
  }

  public Optional<FaultRule> find(String id) {
    return rules.stream().filter(r -> r.id().equals(id)).findFirst();
  }

  public JsonArray toJson() {
    JsonArray array = new JsonArray();
    rules.forEach(r -> array.add(r.toJson()));
    return array;
  }

  /** The router handler applying the rules to API requests (admin requests never reach it). */
  Handler<RoutingContext> handler(Vertx vertx, ErrorWriter errors) {
    return ctx -> apply(vertx, errors, ctx, List.copyOf(rules), 0);
  }

  private void apply(Vertx vertx, ErrorWriter errors, RoutingContext ctx, List<FaultRule> snapshot, int from) {
    String method = ctx.request().method().name();
    String path = ctx.normalizedPath();
    for (int i = from; i < snapshot.size(); i++) {
      FaultRule rule = snapshot.get(i);
      if (!rule.matches(method, path) || !rule.tryFire()) {
        continue;
      }
      if (rule.expired() && rule.kind() != FaultKind.HOLD) {
        // An expired hold stays listed (it fires no more) so that it can still be released by id.
        rules.remove(rule);
      }
      int next = i + 1;
      switch (rule.kind()) {
        case LATENCY -> {
          // The timer keeps the event loop free; later rules are evaluated once the delay is over.
          vertx.setTimer(Math.max(1, rule.latencyMs()), t -> apply(vertx, errors, ctx, snapshot, next));
          return;
        }
        case ERROR -> {
          errors.write(ctx, rule.status(), rule.errorCode(), rule.message());
          return;
        }
        case TOO_MANY_REQUESTS -> {
          ctx.response().putHeader("Retry-After", Integer.toString(rule.retryAfterSeconds()));
          errors.write(ctx, 429, rule.errorCode(), rule.message());
          return;
        }
        case DROP_CONNECTION -> {
          ctx.request().connection().close();
          return;
        }
        case HOLD -> {
          // Parked until the test releases the rule (or its bound passes); resumed on this event loop.
          Context context = vertx.getOrCreateContext();
          rule.hold(vertx, () -> context.runOnContext(v -> apply(vertx, errors, ctx, snapshot, next)));
          return;
        }
        case DROP_RESPONSE -> {
          ctx.put(Replies.DROP_RESPONSE_KEY, Boolean.TRUE);
          ctx.next();
          return;
        }
        default -> throw new IllegalStateException(rule.kind().name());
      }
    }
    ctx.next();
  }
}
