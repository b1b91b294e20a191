package dev.trunkline.retell;

import dev.trunkline.contract.Secret;
import dev.trunkline.contract.SipTransport;
import io.vertx.core.json.JsonObject;

/**
 * The {@code retell} section of the configuration, read once at deploy time.
 *
 * @param baseUrl Retell's API root, without a trailing slash
 * @param defaultApiKey the key used when a request carries none (may be null: then such a request fails)
 * @param transport the SIP transport sent when a request names none (TCP, TLS or UDP); the twilio verticle reads
 *     the same setting for the trunk's origination URL ({@link SipTransport})
 * @param requestTimeoutMs the limit for one HTTP attempt, connection included
 * @param maxRetries attempts after the first for retryable outcomes (408/409/429/5xx, connection errors)
 * @param retryBaseDelayMs first backoff delay; doubles per attempt, with jitter
 * @param retryMaxDelayMs cap of one backoff delay
 * @param maxRetryAfterMs the longest upstream {@code Retry-After} honoured; a longer one fails at once
 * @param maxPoolSize HTTP connections to Retell, shared by every verticle instance of the JVM
 * @param maxPoolWaitQueue requests waiting for a pooled connection before the pool refuses more
 * @param rateLimitPerSecond the ceiling of a key's rate (token bucket refill): where it starts, and the most it
 *     grows back to after Retell's 429s cut it ({@link AdaptiveRate})
 * @param rateLimitMinPerSecond the lowest rate a 429 cuts a key's rate to (the ceiling when that is lower)
 * @param rateLimitDecreaseFactor what a 429 multiplies a key's rate by, in (0, 1] (1: a fixed rate)
 * @param rateLimitIncreasePerSecond how much a key's rate grows per second while Retell accepts its requests
 * @param rateLimitBurst requests per API key that may go at once (token bucket size)
 * @param rateLimitMaxQueue requests per API key that may wait for a token; more fail with 429
 * @param sharedBudgetSyncMs how often a node syncs its per-key budgets with the cluster-wide ones
 *     ({@link SharedBudget}: nodes serving one key share its rate; a node's lease lasts 6 periods); 0: each node
 *     keeps its own budget per key
 * @param listPageSize {@code limit} of one list page
 * @param listMaxPages pages followed at most by one list before it fails as too large
 */
public record RetellConfig(
    String baseUrl,
    Secret defaultApiKey,
    String transport,
    long requestTimeoutMs,
    int maxRetries,
    long retryBaseDelayMs,
    long retryMaxDelayMs,
    long maxRetryAfterMs,
    int maxPoolSize,
    int maxPoolWaitQueue,
    double rateLimitPerSecond,
    double rateLimitMinPerSecond,
    double rateLimitDecreaseFactor,
    double rateLimitIncreasePerSecond,
    int rateLimitBurst,
    int rateLimitMaxQueue,
    long sharedBudgetSyncMs,
    int listPageSize,
    int listMaxPages) {

  public static final String DEFAULT_BASE_URL = "https://api.retellai.com";

  public RetellConfig {
    require(requestTimeoutMs > 0, "retell.requestTimeoutMs must be positive");
    require(maxRetries >= 0, "retell.maxRetries must not be negative");
    require(retryBaseDelayMs >= 0 && retryMaxDelayMs >= retryBaseDelayMs,
        "retell.retryBaseDelayMs must be >= 0 and <= retell.retryMaxDelayMs");
    require(maxRetryAfterMs >= 0, "retell.maxRetryAfterMs must not be negative");
    require(maxPoolSize > 0, "retell.maxPoolSize must be positive");
    require(maxPoolWaitQueue >= 0, "retell.maxPoolWaitQueue must not be negative");
    require(rateLimitPerSecond > 0, "retell.rateLimitPerSecond must be positive");
    // A floor above the ceiling is the ceiling (a fixed rate): an operator lowering only the ceiling is not refused.
    require(rateLimitMinPerSecond > 0, "retell.rateLimitMinPerSecond must be positive");
    require(rateLimitDecreaseFactor > 0 && rateLimitDecreaseFactor <= 1,
        "retell.rateLimitDecreaseFactor must be in (0, 1]");
    require(rateLimitIncreasePerSecond >= 0, "retell.rateLimitIncreasePerSecond must not be negative");
    require(rateLimitBurst >= 1, "retell.rateLimitBurst must be at least 1");
    require(rateLimitMaxQueue >= 0, "retell.rateLimitMaxQueue must not be negative");
    require(sharedBudgetSyncMs == 0 || sharedBudgetSyncMs >= 50,
        "retell.sharedBudgetSyncMs must be 0 (off) or at least 50");
    require(listPageSize >= 1 && listPageSize <= 1000, "retell.listPageSize must be 1..1000");
    require(listMaxPages >= 1, "retell.listMaxPages must be at least 1");
    require(SipTransport.isValid(transport), "retell.transport must be TCP, TLS or UDP");
  }

  /** Reads {@code config.retell}; every key has a default, so an empty configuration works. */
  public static RetellConfig from(JsonObject config) {
    JsonObject c = config == null ? new JsonObject() : config.getJsonObject("retell", new JsonObject());
    String baseUrl = c.getString("baseUrl", DEFAULT_BASE_URL);
    while (baseUrl.endsWith("/")) {
      baseUrl = baseUrl.substring(0, baseUrl.length() - 1);
    }
    String key = c.getString("defaultApiKey");
    return new RetellConfig(
        baseUrl,
        key == null || key.isBlank() ? null : new Secret(key),
        SipTransport.from(config),
        c.getLong("requestTimeoutMs", 10_000L),
        c.getInteger("maxRetries", 2),
        c.getLong("retryBaseDelayMs", 500L),
        c.getLong("retryMaxDelayMs", 8_000L),
        c.getLong("maxRetryAfterMs", 10_000L),
        c.getInteger("maxPoolSize", 32),
        c.getInteger("maxPoolWaitQueue", 1_000),
        c.getDouble("rateLimitPerSecond", 1_000.0),
        c.getDouble("rateLimitMinPerSecond", 1.0),
        c.getDouble("rateLimitDecreaseFactor", 0.7),
        c.getDouble("rateLimitIncreasePerSecond", 2.0),
        c.getInteger("rateLimitBurst", 20),
        c.getInteger("rateLimitMaxQueue", 200),
        c.getLong("sharedBudgetSyncMs", 500L),
        c.getInteger("listPageSize", 100),
        c.getInteger("listMaxPages", 100));
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  @Override
  public String toString() {
    // Records print every component; spell it out so the default key can never reach a log.
    return "RetellConfig[baseUrl=" + baseUrl + ", defaultApiKey=" + (defaultApiKey == null ? "none" : "set")
        + ", transport=" + transport + ", requestTimeoutMs=" + requestTimeoutMs + ", maxRetries=" + maxRetries
        + ", maxPoolSize=" + maxPoolSize + ", rateLimitPerSecond=" + rateLimitPerSecond
        + " (min " + rateLimitMinPerSecond + ", x" + rateLimitDecreaseFactor + " on 429, +"
        + rateLimitIncreasePerSecond + "/s)"
        + ", rateLimitBurst=" + rateLimitBurst + ", rateLimitMaxQueue=" + rateLimitMaxQueue
        + ", sharedBudgetSyncMs=" + sharedBudgetSyncMs + "]";
  }
}
