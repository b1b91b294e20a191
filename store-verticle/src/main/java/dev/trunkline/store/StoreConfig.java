package dev.trunkline.store;

import dev.trunkline.contract.config.Option;
import dev.trunkline.contract.config.Options;
import io.vertx.core.json.JsonObject;
import java.util.List;
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
    int rekeyBatchSize,
    int rekeyLogEvery) {

  /**
   * Five minutes. The gateway holds a purchase's claim for at most nine requests in a row: six on the bus (the
   * claim's holder reads the SIP credentials and the Retell key, buys at Twilio, imports into Retell, saves the
   * number, completes the key) and three on the credential-lease map, each bounded by
   * {@code bus.timeoutMs} (30 s by default): 270 s at worst. Five minutes leaves some margin for pauses
   * and clock differences between store instances. Twilio work that outlives
   * the gateway's timeout needs no lease: a takeover's purchase waits for the tenant lock and then finds the
   * number already on the trunk. Keep it above 9 x {@code bus.timeoutMs} when raising that.
   */
  public static final int DEFAULT_IDEMPOTENCY_LEASE_SECONDS = 300;

  // The keys the store reads, each with its type and default (docs/store.md lists them).
  public static final Option<String> DATA_DIR = Option.string("dataDir", "./data");
  public static final Option<String> MONGO_URI = Option.unsetString("mongo.uri", null);
  public static final Option<String> MONGO_DATABASE = Option.string("mongo.database", "trunkline");
  public static final Option<Integer> MONGO_MAX_POOL_SIZE = Option.integer("mongo.maxPoolSize", 20);
  public static final Option<Integer> MONGO_TIMEOUT_MS = Option.integer("mongo.timeoutMs", 10_000);
  public static final Option<String> VAULT_KEYS = Option.unsetString("vault.keys", null);
  public static final Option<String> LEGACY_ENCRYPTION_KEY = Option.unsetString("vault.legacyEncryptionKey", null);
  public static final Option<Boolean> ADOPT_LEGACY_PLAINTEXT = Option.flag("vault.adoptLegacyPlaintext", false);
  public static final Option<Integer> IDEMPOTENCY_TTL_SECONDS = Option.integer("store.idempotencyTtlSeconds", 86_400);
  public static final Option<Integer> IDEMPOTENCY_LEASE_SECONDS =
      Option.integer("store.idempotencyLeaseSeconds", DEFAULT_IDEMPOTENCY_LEASE_SECONDS);
  public static final Option<Integer> IDEMPOTENCY_SWEEP_SECONDS = Option.integer("store.idempotencySweepSeconds", 600);
  public static final Option<Integer> MAX_IN_FLIGHT = Option.integer("store.maxInFlight", 512);
  // The keys keep the operators' word, "rotation"; in code it is the vault re-key (VaultRekey).
  public static final Option<Integer> REKEY_BATCH_SIZE = Option.integer("store.rotationBatchSize", 100);
  public static final Option<Integer> REKEY_LOG_EVERY = Option.integer("store.rotationLogEvery", 100);

  public static final List<Option<?>> OPTIONS = List.of(DATA_DIR, MONGO_URI, MONGO_DATABASE, MONGO_MAX_POOL_SIZE,
      MONGO_TIMEOUT_MS, VAULT_KEYS, LEGACY_ENCRYPTION_KEY, ADOPT_LEGACY_PLAINTEXT, IDEMPOTENCY_TTL_SECONDS,
      IDEMPOTENCY_LEASE_SECONDS, IDEMPOTENCY_SWEEP_SECONDS, MAX_IN_FLIGHT, REKEY_BATCH_SIZE, REKEY_LOG_EVERY);

  /**
   * Reads and checks the configuration.
   *
   * @throws IllegalArgumentException with a message that says what is missing or malformed (never key material)
   */
  public static StoreConfig from(JsonObject config) {
    JsonObject cfg = config == null ? new JsonObject() : config;
    for (String section : List.of("mongo", "vault", "store")) {
      section(cfg, section);
    }
    Object keys = Options.at(cfg, VAULT_KEYS.path());
    if (keys != null && !(keys instanceof String)) {
      throw new IllegalArgumentException("vault.keys must be a string \"kid:base64key,...\"");
    }
    Keyring keyring = Keyring.parse((String) keys);
    int ttlSeconds = positive(cfg, IDEMPOTENCY_TTL_SECONDS, 365 * 86_400);
    // A lease cannot outlive its record: at most the TTL (which also caps the default).
    Integer lease = IDEMPOTENCY_LEASE_SECONDS.explicit(cfg);
    int leaseSeconds = lease == null ? Math.min(DEFAULT_IDEMPOTENCY_LEASE_SECONDS, ttlSeconds)
        : positive(cfg, IDEMPOTENCY_LEASE_SECONDS, ttlSeconds);
    String database = blankToNull(MONGO_DATABASE.get(cfg));
    String dataDir = blankToNull(DATA_DIR.get(cfg));
    return new StoreConfig(
        blankToNull(MONGO_URI.get(cfg)),
        database == null ? MONGO_DATABASE.fallback() : database,
        dataDir == null ? DATA_DIR.fallback() : dataDir,
        positive(cfg, MONGO_MAX_POOL_SIZE, 1000),
        positive(cfg, MONGO_TIMEOUT_MS, 600_000),
        keyring,
        blankToNull(LEGACY_ENCRYPTION_KEY.get(cfg)),
        ADOPT_LEGACY_PLAINTEXT.get(cfg),
        Duration.ofSeconds(ttlSeconds),
        Duration.ofSeconds(leaseSeconds),
        Duration.ofSeconds(positive(cfg, IDEMPOTENCY_SWEEP_SECONDS, 86_400)),
        positive(cfg, MAX_IN_FLIGHT, 100_000),
        positive(cfg, REKEY_BATCH_SIZE, 1000),
        positive(cfg, REKEY_LOG_EVERY, 1_000_000));
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

  private static int positive(JsonObject cfg, Option<Integer> option, int max) {
    Object raw = Options.at(cfg, option.path());
    if (raw != null && !(raw instanceof Number)) {
      throw new IllegalArgumentException(option.path() + " must be a whole number from 1 to " + max);
    }
    long value = raw == null ? option.fallback() : ((Number) raw).longValue();
    if (value < 1 || value > max || raw != null && ((Number) raw).doubleValue() != value) {
      throw new IllegalArgumentException(option.path() + " must be a whole number from 1 to " + max);
    }
    return (int) value;
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
