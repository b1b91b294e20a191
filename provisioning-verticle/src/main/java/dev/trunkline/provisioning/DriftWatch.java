package dev.trunkline.provisioning;

import dev.trunkline.contract.ClientFailures;
import dev.trunkline.contract.NodeDeaths;
import dev.trunkline.contract.StoreClient;
import dev.trunkline.contract.StoreMessages.DriftSummary;
import dev.trunkline.contract.StoreMessages.DriftSweep;
import dev.trunkline.contract.StoreMessages.ListDriftTenants;
import dev.trunkline.contract.StoreMessages.ListNumbers;
import dev.trunkline.contract.StoreMessages.PutDriftTenant;
import dev.trunkline.contract.StoreMessages.RetellStatus;
import dev.trunkline.contract.TenantRef;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The drift watch (docs/drift.md): one node of the cluster at a time (the holder of {@link DriftLease}) walks every
 * tenant that has a trunk and inspects each of its numbers in Retell ({@link DriftCheck}), the inspections spread
 * evenly over {@code drift.periodSeconds} and never faster than {@code drift.maxPerSecond}, at most
 * {@link #MAX_IN_FLIGHT} at once.
 *
 * <p>Memory holds one tenant's page of numbers, never the whole list. Where the sweep is ({@link DriftSweep}: the
 * tenant, the last number of the last finished page, when the sweep started) is saved in the store after every page,
 * so a restarted node, or the node that takes the lease over, goes on from there; a page cut short is inspected
 * again, which is harmless. A tenant's sweep summary is saved when its walk ends.
 *
 * <p>Each tenant's walk is one request id ({@code drift-<subaccountId>-<sweep start>}), so in the Retell service's
 * budget it is one bulk flow of the tenant's lane: a user's own request of the tenant goes ahead of it.
 *
 * <p>Everything runs on the verticle's context; a lost lease stops new work at once (what is in flight ends).
 */
final class DriftWatch {
  private static final Logger LOG = LoggerFactory.getLogger(DriftWatch.class);
  static final int MAX_IN_FLIGHT = 4;

  private final Vertx vertx;
  private final ProvisioningConfig config;
  private final ProvisioningConfig.Drift drift;
  private final NodeDeaths deaths;
  private final DriftCheck check;
  private final DriftMetrics metrics;
  private final StoreClient store;
  private final DriftLease lease;

  private long leaseTimer = -1;
  private long paceTimer = -1;
  private boolean stopped;
  /** Bumped when the lease is lost: answers of work started before are ignored. */
  private int generation;

  private DriftSweep cursor;
  private boolean busy;
  private DriftCheck.Tenant tenant;
  private ServiceCalls tenantUp;
  private final ArrayDeque<String> pending = new ArrayDeque<>();
  /** The loaded page, once its numbers are queued: its last number and whether the tenant has more. */
  private Page page;
  private int inFlight;
  private long lastStartMs;
  private Tally tally;
  private final Map<String, Long> sweepStatuses = new HashMap<>();

  private record Page(String last, boolean lastOfTenant) {}

  DriftWatch(Vertx vertx, ProvisioningConfig config, FixCredentialsFlow fix, NodeDeaths deaths) {
    this.vertx = vertx;
    this.config = config;
    this.drift = config.drift();
    this.deaths = deaths;
    this.metrics = DriftMetrics.forVertxRegistry();
    this.check = new DriftCheck(fix, new DriftEvents(vertx), metrics, config.perNumberTimeoutMs(),
        drift.periodSeconds() * 1000);
    this.store = new ServiceCalls(vertx, config.busTimeoutMs(), "drift-sweep", null, () -> false, null).store();
    this.lease = new DriftLease(store, drift.leaseMs(), System::currentTimeMillis);
  }

  void start() {
    leaseTimer = vertx.setPeriodic(1, Math.max(100, drift.leaseMs() / 3), id -> tick());
  }

  Future<Void> stop() {
    stopped = true;
    vertx.cancelTimer(leaseTimer);
    vertx.cancelTimer(paceTimer);
    return lease.release();
  }

  private void tick() {
    if (stopped) {
      return;
    }
    lease.tick().onSuccess(held -> {
      if (!held) {
        if (cursor != null) {
          LOG.info("drift sweep: this node no longer holds the sweep's lease; another node goes on");
          forget();
        }
        return;
      }
      if (cursor == null && !busy) {
        busy = true;
        int gen = generation;
        store.driftSweep().onComplete(ar -> {
          if (gen != generation) {
            return;
          }
          busy = false;
          if (ar.succeeded()) {
            DriftSweep saved = ar.result();
            cursor = saved.startedAt() == 0 ? new DriftSweep(null, null, now(), 0, 0) : saved;
            LOG.info("drift sweep: this node holds the sweep's lease ({}); {}", lease.owner(), cursor.tenant() == null
                ? "next sweep at " + cursor.startedAt() : "resuming in subaccount " + cursor.tenant()
                    + " after " + (cursor.after() == null ? "its start" : cursor.after()));
          }
          pump();
        });
      } else {
        pump();
      }
    });
  }

  private void forget() {
    generation++;
    cursor = null;
    busy = false;
    tenant = null;
    page = null;
    pending.clear();
    inFlight = 0;
    tally = null;
  }

  /** Starts whatever is due, or loads what comes next, or waits for the next number's time. */
  private void pump() {
    if (stopped || cursor == null || busy || !lease.held()) {
      return;
    }
    long now = now();
    if (!pending.isEmpty()) {
      startDue(now);
      return;
    }
    if (inFlight > 0) {
      return; // the page finishes before the cursor moves past it
    }
    if (page != null) {
      pageFinished();
    } else if (cursor.tenant() == null) {
      if (now < cursor.startedAt()) {
        wake(cursor.startedAt() - now);
      } else {
        beginSweep();
      }
    } else {
      loadPage();
    }
  }

  private void startDue(long now) {
    while (inFlight < MAX_IN_FLIGHT && !pending.isEmpty()) {
      long due = dueAt(cursor.position());
      if (now < due) {
        wake(due - now);
        return;
      }
      String number = pending.poll();
      cursor = new DriftSweep(cursor.tenant(), cursor.after(), cursor.startedAt(), cursor.numberCount(),
          cursor.position() + 1);
      lastStartMs = now;
      inFlight++;
      int gen = generation;
      check.run(tenantUp, tenant, number).onComplete(ar -> {
        if (gen != generation) {
          return;
        }
        inFlight--;
        if (ar.succeeded()) {
          count(ar.result());
        }
        pump();
      });
    }
  }

  /**
   * When the number at {@code position} may start: its even share of the period (the count taken when the sweep
   * began; numbers added since go at the rate cap), and never sooner than the rate cap after the last one.
   */
  private long dueAt(long position) {
    long minGapMs = (long) Math.ceil(1000 / drift.maxPerSecond());
    long periodMs = drift.periodSeconds() * 1000;
    long spacing = Math.max(minGapMs, periodMs / Math.max(1, cursor.numberCount()));
    long even = cursor.startedAt() + Math.min(position, cursor.numberCount()) * spacing;
    return Math.max(even, lastStartMs + minGapMs);
  }

  private void wake(long delayMs) {
    if (paceTimer != -1) {
      vertx.cancelTimer(paceTimer);
    }
    paceTimer = vertx.setTimer(Math.max(1, delayMs), id -> {
      paceTimer = -1;
      pump();
    });
  }

  /** The sweep's first step: how many numbers to spread over the period, and the first tenant. */
  private void beginSweep() {
    bookkeeping(store.driftTenants(new ListDriftTenants(1, null)), first -> {
      long count = first.numberCount() == null ? 0 : first.numberCount();
      sweepStatuses.clear();
      LOG.info("drift sweep started: {} numbers over {} s", count, drift.periodSeconds());
      String tenantId = first.items().isEmpty() ? null : first.items().get(0);
      cursor = new DriftSweep(tenantId, null, cursor.startedAt(), count, 0);
      return tenantId == null ? endSweep() : saveCursor();
    });
  }

  /** The tenant's next page of live numbers, with what they are checked against (reloaded per page). */
  private void loadPage() {
    String id = cursor.tenant();
    ServiceCalls up = new ServiceCalls(vertx, config.busTimeoutMs(), "drift-" + id + "-" + cursor.startedAt(), id,
        () -> stopped || !lease.held(), deaths);
    Future<DriftCheck.Tenant> target = AuditFlow.target(up, id)
        .compose(t -> up.store().driftTenant(new TenantRef(id)).map(d -> new DriftCheck.Tenant(id, t, d.policy())));
    Future<Void> loaded = target.compose(t -> up.store().listNumbers(new ListNumbers(id, config.listPageSize(),
            cursor.after()))
        .map(numbers -> {
          if (tally == null || !id.equals(tally.subaccountId)) {
            // Resumed inside the tenant (another node began its walk): the walk began no later than the sweep.
            tally = new Tally(id, cursor.after() == null ? now() : cursor.startedAt());
          }
          if (cursor.after() == null && (tenant == null || !id.equals(tenant.subaccountId()))) {
            // The walk's first page: the trunk at Twilio once per tenant per sweep, beside the numbers.
            check.trunk(up, t);
          }
          tenant = t;
          tenantUp = up;
          numbers.items().stream().filter(n -> n.retellStatus() != RetellStatus.REMOVED)
              .forEach(n -> pending.add(n.phoneNumber()));
          String last = numbers.items().isEmpty() ? cursor.after()
              : numbers.items().get(numbers.items().size() - 1).phoneNumber();
          page = new Page(last, numbers.next() == null || numbers.next().isEmpty());
          return null;
        }));
    bookkeeping(loaded.recover(err -> {
      if (TenantSecrets.notFound(err) || err instanceof dev.trunkline.contract.ServiceException se
          && se.status() == 409) {
        // No trunk any more (torn down since the list was read): nothing of it to check.
        page = new Page(cursor.after(), true);
        return Future.succeededFuture();
      }
      return Future.failedFuture(err);
    }), v -> Future.succeededFuture());
  }

  private void pageFinished() {
    Page done = page;
    page = null;
    if (!done.lastOfTenant()) {
      cursor = new DriftSweep(cursor.tenant(), done.last(), cursor.startedAt(), cursor.numberCount(),
          cursor.position());
      busyUntil(saveCursor());
      return;
    }
    String finished = cursor.tenant();
    Future<Void> summary = tally != null && finished.equals(tally.subaccountId)
        ? store.putDriftTenant(new PutDriftTenant(finished, null, tally.summary(now()))).mapEmpty()
        : Future.succeededFuture();
    tally = null;
    tenant = null;
    bookkeeping(summary.compose(v -> store.driftTenants(new ListDriftTenants(1, finished))), next -> {
      if (next.items().isEmpty()) {
        return endSweep();
      }
      cursor = new DriftSweep(next.items().get(0), null, cursor.startedAt(), cursor.numberCount(),
          cursor.position());
      return saveCursor();
    });
  }

  /** The next sweep starts one period after this one started, or now when this one ran longer. */
  private Future<Void> endSweep() {
    long next = Math.max(now(), cursor.startedAt() + drift.periodSeconds() * 1000);
    metrics.sweepFinished(sweepStatuses);
    long took = now() - cursor.startedAt();
    if (took > drift.periodSeconds() * 1000 + drift.periodSeconds() * 100) {
      LOG.warn("drift sweep took {} ms, longer than its period of {} s: {} numbers at drift.maxPerSecond {} need "
          + "more time; raise drift.maxPerSecond or drift.periodSeconds", took, drift.periodSeconds(),
          cursor.position(), drift.maxPerSecond());
    }
    LOG.info("drift sweep finished: {} numbers checked in {} ms; by status {}; next sweep in {} ms",
        cursor.position(), now() - cursor.startedAt(), sweepStatuses, next - now());
    cursor = new DriftSweep(null, null, next, 0, 0);
    return saveCursor();
  }

  private Future<Void> saveCursor() {
    return store.putDriftSweep(cursor).mapEmpty();
  }

  private void busyUntil(Future<Void> step) {
    bookkeeping(step, v -> Future.succeededFuture());
  }

  /**
   * A store round trip of the sweep's own: nothing else starts meanwhile; on failure the sweep waits for the next
   * lease tick and tries again from where it was.
   */
  private <T> void bookkeeping(Future<T> step, java.util.function.Function<T, Future<Void>> then) {
    busy = true;
    int gen = generation;
    step.compose(then).onComplete(ar -> {
      if (gen != generation) {
        return;
      }
      busy = false;
      if (ar.failed()) {
        LOG.warn("drift sweep: a store step failed ({}); trying again shortly",
            ClientFailures.sanitize(ar.cause()).code());
        return; // the lease tick pumps again
      }
      pump();
    });
  }

  private void count(DriftCheck.Outcome outcome) {
    sweepStatuses.merge(outcome.statusNow(), 1L, Long::sum);
    if (tally != null) {
      tally.add(outcome);
    }
  }

  private static long now() {
    return System.currentTimeMillis();
  }

  /** One tenant's counts in this sweep. */
  private static final class Tally {
    final String subaccountId;
    final long startedAt;
    int checked;
    int ok;
    int drifted;
    int errors;
    int repaired;
    int repairFailed;

    Tally(String subaccountId, long startedAt) {
      this.subaccountId = subaccountId;
      this.startedAt = startedAt;
    }

    void add(DriftCheck.Outcome o) {
      checked++;
      switch (o.found()) {
        case "OK" -> ok++;
        case "ERROR" -> errors++;
        default -> drifted++;
      }
      if ("REPAIRED".equals(o.repair())) {
        repaired++;
      } else if ("REPAIR_FAILED".equals(o.repair())) {
        repairFailed++;
      }
    }

    DriftSummary summary(long finishedAt) {
      return new DriftSummary(startedAt, finishedAt, checked, ok, drifted, errors, repaired, repairFailed);
    }
  }
}
