package dev.trunkline.provisioning;

import io.vertx.core.json.JsonObject;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The provisioning service's settings, from the {@code provisioning} section of the merged configuration
 * (docs/deployment.md). These keys lived in the {@code gateway} section while the flows ran in the gateway; a key
 * found only there is still read, with one warning that names the new place.
 *
 * @param fixConcurrency numbers of one audit, fix or rotation in flight at once
 * @param perNumberTimeoutMs the limit of one number's upstream work in a fan-out
 * @param busTimeoutMs the limit of each other request a flow makes on the bus (store, Twilio, Retell)
 * @param listPageSize numbers read from the store per page of a fan-out
 * @param rotationDrainTimeoutMs how long a rotation waits for purchases, imports and fixes that may still hand
 *     Retell the old credential before it answers "not finished"
 * @param credentialLeaseTtlMs expiry of a writer's credential lease (refreshed every third of it while the
 *     writer runs), so a dead node's leases do not block rotations for longer
 * @param maxFanOutsPerTenant audits, fixes and rotations one tenant may run at once on a node ({@link FanOutSlots})
 * @param operationLeaseMs how long a running operation stays "running" without a word from its node (renewed every
 *     third of it); after that any reader marks it failed with the results it recorded
 * @param operationRetentionMs how long a finished operation and its results stay readable
 */
public record ProvisioningConfig(
    int fixConcurrency,
    long perNumberTimeoutMs,
    long busTimeoutMs,
    int listPageSize,
    long rotationDrainTimeoutMs,
    long credentialLeaseTtlMs,
    int maxFanOutsPerTenant,
    long operationLeaseMs,
    long operationRetentionMs) {
  private static final Logger LOG = LoggerFactory.getLogger(ProvisioningConfig.class);
  private static final AtomicBoolean WARNED = new AtomicBoolean();

  public static ProvisioningConfig from(JsonObject config) {
    JsonObject own = section(config, "provisioning");
    JsonObject legacy = section(config, "gateway");
    return new ProvisioningConfig(
        Math.max(1, number(own, legacy, "fixConcurrency", 32).intValue()),
        Math.max(1, number(own, legacy, "perNumberTimeoutMs", 15_000).longValue()),
        Math.max(1, number(own, legacy, "busTimeoutMs", 30_000).longValue()),
        Math.max(1, number(own, legacy, "listPageSize", 200).intValue()),
        Math.max(1, number(own, legacy, "rotationDrainTimeoutMs", 30_000).longValue()),
        Math.max(1000, number(own, legacy, "credentialLeaseTtlMs", 60_000).longValue()),
        Math.max(1, number(own, legacy, "maxFanOutsPerTenant", 4).intValue()),
        Math.max(3000, number(own, legacy, "operationLeaseMs", 60_000).longValue()),
        Math.max(1000, number(own, legacy, "operationRetentionMs", 86_400_000).longValue()));
  }

  private static Number number(JsonObject own, JsonObject legacy, String key, long defaultValue) {
    Object value = own.getValue(key);
    if (value == null && legacy.getValue(key) != null) {
      value = legacy.getValue(key);
      if (WARNED.compareAndSet(false, true)) {
        LOG.warn("gateway.{} is read as provisioning.{}: the flows moved to the provisioning service; move the "
            + "setting (and any like it) to the provisioning section", key, key);
      }
    }
    if (value == null) {
      return defaultValue;
    }
    if (value instanceof Number n) {
      return n;
    }
    try {
      return Long.parseLong(value.toString().trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("provisioning." + key + " must be a whole number");
    }
  }

  private static JsonObject section(JsonObject config, String name) {
    JsonObject s = config == null ? null : config.getJsonObject(name);
    return s == null ? new JsonObject() : s;
  }
}
