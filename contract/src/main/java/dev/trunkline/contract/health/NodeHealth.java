package dev.trunkline.contract.health;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import io.vertx.ext.healthchecks.CheckResult;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A node's liveness and readiness checks (vertx-health-check), one per Vert.x instance, which every
 * {@link HealthCheckProvider} of the node adds itself to. Several providers (the instances of one verticle, or
 * two parts that care about the same dependency) may register the same name: that check is up only when all of
 * theirs are, and says why not with the first failing one's reason.
 *
 * <p>Readiness always has {@code deployed}: the launcher marks the node deployed when every verticle of its roles
 * has started ({@value #STATE_MAP} local map, {@value #DEPLOYED_KEY}).
 */
public final class NodeHealth implements Shareable {
  /** A procedure that has not answered by then counts as down. */
  public static final long PROCEDURE_TIMEOUT_MS = 5_000;
  public static final String STATE_MAP = "trunkline";
  public static final String DEPLOYED_KEY = "deployed";
  /** Set (true) in {@value #STATE_MAP} when the launcher begins a graceful stop: see {@link #stopping}. */
  public static final String STOPPING_KEY = "stopping";
  private static final String MAP = "trunkline.health";
  private static final String KEY = "node";

  private final Kind liveness;
  private final Kind readiness;

  private NodeHealth(Vertx vertx) {
    this.liveness = new Kind(HealthChecks.create(vertx));
    this.readiness = new Kind(HealthChecks.create(vertx));
    readiness.add(NodeHealth.class, "deployed", promise -> promise.complete(
        vertx.sharedData().getLocalMap(STATE_MAP).get(DEPLOYED_KEY) == Boolean.TRUE ? Checks.up()
            : Checks.down("deployment is not complete")));
  }

  /** The launcher begins a graceful stop: readiness is down from now on, and {@link #stopping} is true. */
  public static void markStopping(Vertx vertx) {
    vertx.sharedData().getLocalMap(STATE_MAP).put(STOPPING_KEY, Boolean.TRUE);
    vertx.sharedData().getLocalMap(STATE_MAP).remove(DEPLOYED_KEY);
  }

  /**
   * Whether the node is stopping gracefully: its gateway then asks each HTTP client to close its connection after
   * the answer, so that none is idle, about to be reused, when the gateway closes its connections.
   */
  public static boolean stopping(Vertx vertx) {
    return vertx.sharedData().getLocalMap(STATE_MAP).get(STOPPING_KEY) == Boolean.TRUE;
  }

  /** The node's checks, created with the first provider. */
  public static NodeHealth of(Vertx vertx) {
    LocalMap<String, NodeHealth> map = vertx.sharedData().getLocalMap(MAP);
    NodeHealth existing = map.get(KEY);
    if (existing != null) {
      return existing;
    }
    NodeHealth created = new NodeHealth(vertx);
    NodeHealth raced = map.putIfAbsent(KEY, created);
    return raced == null ? created : raced;
  }

  /** Adds the provider's checks; {@code owner} identifies them for {@link #remove} (usually the verticle). */
  public void add(Object owner, HealthCheckProvider provider) {
    provider.registerReadinessChecks((name, procedure) -> readiness.add(owner, name, procedure));
    provider.registerLivenessChecks((name, procedure) -> liveness.add(owner, name, procedure));
  }

  /** Removes every check {@code owner} added (a check no one else registered disappears). */
  public void remove(Object owner) {
    readiness.remove(owner);
    liveness.remove(owner);
  }

  public Future<CheckResult> live() {
    return liveness.checks.checkStatus();
  }

  public Future<CheckResult> ready() {
    return readiness.checks.checkStatus();
  }

  /**
   * The HTTP body of a probe, in the format {@code /health/ready} has always had: {@code {"status": "UP"|"DOWN",
   * "checks": {name: {"status": ..., "reason": ..., other data}}}}.
   */
  public static JsonObject body(CheckResult result) {
    JsonObject checks = new JsonObject();
    boolean up = true;
    for (CheckResult check : result.getChecks() == null ? List.<CheckResult>of() : result.getChecks()) {
      Status status = check.getStatus();
      boolean ok = status != null && status.isOk();
      up &= ok;
      JsonObject data = status == null || status.getData() == null ? new JsonObject() : status.getData().copy();
      if (status != null && status.isProcedureInError()) {
        // vertx-health-check's own failure data: a timeout or an exception of the procedure.
        Object cause = data.remove("cause");
        data.remove("procedure-execution-failure");
        data.put("reason", "Timeout".equals(cause) ? "no answer within " + PROCEDURE_TIMEOUT_MS + " ms"
            : "the check failed");
      }
      checks.put(check.getId(), new JsonObject().put("status", ok ? "UP" : "DOWN").mergeIn(data));
    }
    return new JsonObject().put("status", up ? "UP" : "DOWN").put("checks", checks);
  }

  /** One kind of check (liveness or readiness): the procedures behind each name, by owner. */
  private static final class Kind {
    private final HealthChecks checks;
    private final Map<String, Map<Object, List<Handler<Promise<Status>>>>> byName = new ConcurrentHashMap<>();

    Kind(HealthChecks checks) {
      this.checks = checks;
    }

    synchronized void add(Object owner, String name, Handler<Promise<Status>> procedure) {
      Map<Object, List<Handler<Promise<Status>>>> owners = byName.get(name);
      if (owners == null) {
        Map<Object, List<Handler<Promise<Status>>>> created = new ConcurrentHashMap<>();
        byName.put(name, created);
        checks.register(name, PROCEDURE_TIMEOUT_MS, promise -> all(created, promise));
        owners = created;
      }
      owners.computeIfAbsent(owner, o -> new CopyOnWriteArrayList<>()).add(procedure);
    }

    synchronized void remove(Object owner) {
      for (String name : List.copyOf(byName.keySet())) {
        Map<Object, List<Handler<Promise<Status>>>> owners = byName.get(name);
        if (owners.remove(owner) != null && owners.isEmpty()) {
          byName.remove(name);
          checks.unregister(name);
        }
      }
    }

    /** Up when every owner's procedure is; otherwise the first failure's data. */
    private static void all(Map<Object, List<Handler<Promise<Status>>>> owners, Promise<Status> result) {
      List<Future<Status>> answers = new ArrayList<>();
      for (Handler<Promise<Status>> procedure : owners.values().stream().flatMap(List::stream).toList()) {
        Promise<Status> one = Promise.promise();
        try {
          procedure.handle(one);
        } catch (RuntimeException e) {
          one.tryComplete(Checks.down("the check failed: " + e.getClass().getSimpleName()));
        }
        answers.add(one.future().otherwise(err -> Checks.down("the check failed: " + err.getClass().getSimpleName())));
      }
      Future.join(answers).onComplete(ignored -> {
        JsonObject data = new JsonObject();
        for (Future<Status> answer : answers) {
          Status status = answer.result();
          if (!status.isOk()) {
            result.tryComplete(status);
            return;
          }
          if (status.getData() != null) {
            data.mergeIn(status.getData());
          }
        }
        result.tryComplete(Status.OK(data));
      });
    }
  }
}
