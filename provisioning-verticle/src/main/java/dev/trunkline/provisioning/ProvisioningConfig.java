package dev.trunkline.provisioning;

import dev.trunkline.contract.config.BusTimeout;
import dev.trunkline.contract.config.Option;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * The provisioning service's settings, from the {@code provisioning} section of the merged configuration
 * (docs/deployment.md). These keys lived in the {@code gateway} section while the flows ran in the gateway; a key
 * found only there is still read, with one warning that names the new place.
 *
 * @param fixConcurrency numbers of one audit, fix or rotation in flight at once
 * @param perNumberTimeoutMs the limit of one number's upstream work in a fan-out
 * @param busTimeoutMs the limit of each other request a flow makes on the bus (store, Twilio, Retell):
 *     {@code bus.timeoutMs} ({@link BusTimeout})
 * @param listPageSize numbers read from the store per page of a fan-out
 * @param rotationDrainTimeoutMs how long a rotation waits for purchases, imports and fixes that may still hand
 *     Retell the old credential before it answers "not finished"
 * @param credentialLeaseTtlMs expiry of a writer's credential lease (refreshed every third of it while the
 *     writer runs), so a dead node's leases do not block rotations for longer
 * @param maxFanOutsPerTenant audits, fixes and rotations one tenant may run at once on a node ({@link FanOutSlots})
 * @param drift the drift watch's settings, from the top-level {@code drift} section ({@link Drift}, docs/drift.md)
 * @param operationLeaseMs how long a running operation stays "running" without a word from its node (renewed every
 *     third of it); after that any reader marks it failed with the results it recorded
 * @param operationRetentionMs how long a finished operation and its results stay readable
 * @param replyMaxResults the most per-number results one answer of an audit, fix or rotation holds in memory and
 *     carries over the bus: a synchronous request with more answers 202 with its operation (whose results are paged
 *     from the store), a reply of the audit, fix or rotate address carries counts and {@code resultsOmitted}
 */
public record ProvisioningConfig(
    int fixConcurrency,
    long perNumberTimeoutMs,
    long busTimeoutMs,
    int listPageSize,
    long rotationDrainTimeoutMs,
    long credentialLeaseTtlMs,
    int maxFanOutsPerTenant,
    Drift drift,
    long operationLeaseMs,
    long operationRetentionMs,
    int replyMaxResults) {
  // The keys of the provisioning section, each with its type and default. They lived in the gateway section while
  // the flows ran in the gateway; the old names are still read, with a warning ({@link Option#formerly}).
  public static final Option<Integer> FIX_CONCURRENCY =
      Option.integer("provisioning.fixConcurrency", 32).formerly("gateway.fixConcurrency");
  public static final Option<Long> PER_NUMBER_TIMEOUT_MS =
      Option.longValue("provisioning.perNumberTimeoutMs", 15_000L).formerly("gateway.perNumberTimeoutMs");
  public static final Option<Integer> LIST_PAGE_SIZE =
      Option.integer("provisioning.listPageSize", 200).formerly("gateway.listPageSize");
  public static final Option<Long> ROTATION_DRAIN_TIMEOUT_MS =
      Option.longValue("provisioning.rotationDrainTimeoutMs", 30_000L).formerly("gateway.rotationDrainTimeoutMs");
  public static final Option<Long> CREDENTIAL_LEASE_TTL_MS =
      Option.longValue("provisioning.credentialLeaseTtlMs", 60_000L).formerly("gateway.credentialLeaseTtlMs");
  public static final Option<Integer> MAX_FAN_OUTS_PER_TENANT =
      Option.integer("provisioning.maxFanOutsPerTenant", 4).formerly("gateway.maxFanOutsPerTenant");
  /** Verticle instances per node (the launcher reads it; unset: one per core). */
  public static final Option<Integer> INSTANCES = Option.integer("provisioning.instances", null);

  // The drift watch's keys (top-level section drift, docs/drift.md).
  public static final Option<Boolean> DRIFT_ENABLED = Option.flag("drift.enabled", true);
  public static final Option<Long> DRIFT_PERIOD_SECONDS = Option.longValue("drift.periodSeconds", 21_600L);
  public static final Option<Double> DRIFT_MAX_PER_SECOND = Option.decimal("drift.maxPerSecond", 2.0);
  public static final Option<Long> DRIFT_LEASE_MS = Option.longValue("drift.leaseMs", 30_000L);

  // Long operations (docs/api.md "Long operations").
  public static final Option<Long> OPERATION_LEASE_MS = Option.longValue("provisioning.operationLeaseMs", 60_000L);
  public static final Option<Long> OPERATION_RETENTION_MS =
      Option.longValue("provisioning.operationRetentionMs", 86_400_000L);
  public static final Option<Integer> REPLY_MAX_RESULTS = Option.integer("provisioning.replyMaxResults", 1_000);

  public static final List<Option<?>> OPTIONS = List.of(FIX_CONCURRENCY, PER_NUMBER_TIMEOUT_MS, LIST_PAGE_SIZE,
      ROTATION_DRAIN_TIMEOUT_MS, CREDENTIAL_LEASE_TTL_MS, MAX_FAN_OUTS_PER_TENANT, INSTANCES, DRIFT_ENABLED,
      DRIFT_PERIOD_SECONDS, DRIFT_MAX_PER_SECOND, DRIFT_LEASE_MS, OPERATION_LEASE_MS, OPERATION_RETENTION_MS,
      REPLY_MAX_RESULTS);

  public static ProvisioningConfig from(JsonObject config) {
    JsonObject c = config == null ? new JsonObject() : config;
    return new ProvisioningConfig(
        Math.max(1, FIX_CONCURRENCY.get(c)),
        Math.max(1, PER_NUMBER_TIMEOUT_MS.get(c)),
        Math.max(1, BusTimeout.OPTION.get(c)),
        Math.max(1, LIST_PAGE_SIZE.get(c)),
        Math.max(1, ROTATION_DRAIN_TIMEOUT_MS.get(c)),
        Math.max(1000, CREDENTIAL_LEASE_TTL_MS.get(c)),
        Math.max(1, MAX_FAN_OUTS_PER_TENANT.get(c)),
        Drift.from(c),
        Math.max(3000, OPERATION_LEASE_MS.get(c)),
        Math.max(1000, OPERATION_RETENTION_MS.get(c)),
        Math.max(1, REPLY_MAX_RESULTS.get(c)));
  }

  /**
   * The drift watch ({@link DriftWatch}, docs/drift.md).
   *
   * @param enabled whether this node takes part in the sweep (one node of the cluster sweeps at a time)
   * @param periodSeconds every number is inspected once per period, the inspections spread evenly over it
   * @param maxPerSecond the most inspections the sweep starts per second, whatever the period asks: its bound on
   *     the share of Retell's budget (a sweep that needs more takes longer than its period, and says so)
   * @param leaseMs the sweep's lease in the store: another node takes the sweep over this long after the holder died
   */
  public record Drift(boolean enabled, long periodSeconds, double maxPerSecond, long leaseMs) {
    static Drift from(JsonObject c) {
      return new Drift(
          DRIFT_ENABLED.get(c),
          Math.max(1, DRIFT_PERIOD_SECONDS.get(c)),
          Math.max(0.01, DRIFT_MAX_PER_SECOND.get(c)),
          Math.max(1_000, DRIFT_LEASE_MS.get(c)));
    }
  }
}
