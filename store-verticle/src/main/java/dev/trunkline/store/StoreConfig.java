package dev.trunkline.store;

import io.vertx.core.json.JsonObject;
import java.time.Duration;

/**
 * The store's settings, read from the whole application configuration.
 *
 * <pre>
 * dataDir                    ./data       (the embedded server's file: dataDir/store.mv)
 * mongo.uri                  null         (null or blank: the embedded server)
 * mongo.database             "trunkline"
 * mongo.maxPoolSize          20
 * mongo.timeoutMs            10000        (server selection, connect, socket and pool-wait timeouts)
 * vault.keys                 REQUIRED     "kid:base64-32-byte-key,..." first = active
 * vault.legacyEncryptionKey  null         the origin service's ENCRYPTION_KEY, to adopt its ciphertext
 * vault.adoptLegacyPlaintext false        read a plain string in a secret field as the origin's plaintext
 * store.idempotencyTtlSeconds 86400
 * store.idempotencyLeaseSeconds 300    how long an IN_PROGRESS claim is its holder's alone (at most the TTL)
 * store.idempotencySweepSeconds 600    how often expired idempotency records are deleted (the embedded engine has no TTL)
 * store.maxInFlight          512          requests handled at once per verticle instance; more get 503
 * store.rotationBatchSize    100          documents per page of a bulk key rotation
 * store.rotationLogEvery     100          a progress line every N documents
 * </pre>
 */
public record StoreConfig(
    String mongoUri,
    String database,
    String dataDir,
    int maxPoolSize,
    long mongoTimeoutMs,
    Keyring keyring,
    String legacyEncryptionKey,
    boolean adoptLegacyPlaintext,
    Duration idempotencyTtl,
    Duration idempotencyLease,
    Duration idempotencySweep,
    int maxInFlight,
    int rotationBatchSize,
    int rotationLogEvery) {

  /**
   * Five minutes. The gateway holds a purchase's claim for at most nine requests in a row: six on the bus (the
   * claim's holder reads the SIP credentials and the Retell key, buys at Twilio, imports into Retell, saves the
   * number, completes the key) and three on the credential-lease map, each bounded by
   * {@code provisioning.busTimeoutMs} (30 s by default): 270 s at worst. Five minutes leaves some margin for pauses
   * and clock differences between store instances. Twilio work that outlives
   * the gateway's timeout needs no lease: a takeover's purchase waits for the tenant lock and then finds the
   * number already on the trunk. Keep it above 9 x {@code provisioning.busTimeoutMs} when raising that.
   */
  public static final int DEFAULT_IDEMPOTENCY_LEASE_SECONDS = 300;

  /**
   * Reads and checks the configuration.
   *
   * @throws IllegalArgumentException with a message that says what is missing or malformed (never key material)
   */
  public static StoreConfig from(JsonObject config) {
    JsonObject cfg = config == null ? new JsonObject() : config;
    JsonObject mongo = section(cfg, "mongo");
    JsonObject vault = section(cfg, "vault");
    JsonObject store = section(cfg, "store");
    String uri = blankToNull(mongo.getValue("uri"));
    String database = blankToNull(mongo.getValue("database"));
    String dataDir = blankToNull(cfg.getValue("dataDir"));
    Object keys = vault.getValue("keys");
    if (keys != null && !(keys instanceof String)) {
      throw new IllegalArgumentException("vault.keys must be a string \"kid:base64key,...\"");
    }
    Keyring keyring = Keyring.parse((String) keys);
    int ttlSeconds = positive(store, "idempotencyTtlSeconds", 86_400, 365 * 86_400);
    // A lease cannot outlive its record: at most the TTL (which also caps the default).
    int leaseSeconds = positive(store, "idempotencyLeaseSeconds",
        Math.min(DEFAULT_IDEMPOTENCY_LEASE_SECONDS, ttlSeconds), ttlSeconds);
    return new StoreConfig(
        uri,
        database == null ? "trunkline" : database,
        dataDir == null ? "./data" : dataDir,
        positive(mongo, "maxPoolSize", 20, 1000),
        positive(mongo, "timeoutMs", 10_000, 600_000),
        keyring,
        blankToNull(vault.getValue("legacyEncryptionKey")),
        flag(vault, "adoptLegacyPlaintext", false),
        Duration.ofSeconds(ttlSeconds),
        Duration.ofSeconds(leaseSeconds),
        Duration.ofSeconds(positive(store, "idempotencySweepSeconds", 600, 86_400)),
        positive(store, "maxInFlight", 512, 100_000),
        positive(store, "rotationBatchSize", 100, 1000),
        positive(store, "rotationLogEvery", 100, 1_000_000));
  }

  public boolean embedded() {
    return mongoUri == null;
  }

  private static JsonObject section(JsonObject cfg, String name) {
    Object value = cfg.getValue(name);
    if (value == null) {
      return new JsonObject();
    }
    if (value instanceof JsonObject json) {
      return json;
    }
    throw new IllegalArgumentException("configuration section " + name + " must be an object");
  }

  private static int positive(JsonObject section, String key, int dflt, int max) {
    Object value = section.getValue(key);
    if (value == null) {
      return dflt;
    }
    if (!(value instanceof Number n) || n.longValue() < 1 || n.longValue() > max) {
      throw new IllegalArgumentException(key + " must be a whole number from 1 to " + max);
    }
    return n.intValue();
  }

  private static boolean flag(JsonObject section, String key, boolean dflt) {
    Object value = section.getValue(key);
    if (value == null) {
      return dflt;
    }
    if (!(value instanceof Boolean b)) {
      throw new IllegalArgumentException(key + " must be true or false");
    }
    return b;
  }

  private static String blankToNull(Object value) {
    if (value == null) {
      return null;
    }
    String s = value.toString().trim();
    return s.isEmpty() ? null : s;
  }

  /** Never prints the keys or the legacy passphrase. */
  @Override
  public String toString() {
    return "StoreConfig[backend=" + (embedded() ? "embedded" : "mongodb") + ", database=" + database
        + ", dataDir=" + dataDir + ", " + keyring + ", legacyKey=" + (legacyEncryptionKey != null) + ", adoptLegacyPlaintext=" + adoptLegacyPlaintext + "]";
  }
}
