package dev.trunkline.retell;

import dev.trunkline.contract.Secret;
import dev.trunkline.contract.SipTransport;
import dev.trunkline.contract.config.Option;
import io.vertx.core.json.JsonObject;
import java.util.List;

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

  // The keys of the retell section, each with its type and default (docs/retell.md lists them; the launcher
  // loads and checks them through OPTIONS). requestTimeoutMs is 4 s: one sync call and its 2 retries with backoff
  // then fit the provisioning service's 15 s per number (docs/retell.md, "Timeouts and retries").
  public static final Option<String> BASE_URL = Option.unsetString("retell.baseUrl", DEFAULT_BASE_URL);
  public static final Option<String> DEFAULT_API_KEY = Option.unsetString("retell.defaultApiKey", null);
  public static final Option<Long> REQUEST_TIMEOUT_MS = Option.longValue("retell.requestTimeoutMs", 4_000L);
  public static final Option<Integer> MAX_RETRIES = Option.integer("retell.maxRetries", 2);
  public static final Option<Long> RETRY_BASE_DELAY_MS = Option.longValue("retell.retryBaseDelayMs", 500L);
  public static final Option<Long> RETRY_MAX_DELAY_MS = Option.longValue("retell.retryMaxDelayMs", 8_000L);
  public static final Option<Long> MAX_RETRY_AFTER_MS = Option.longValue("retell.maxRetryAfterMs", 10_000L);
  public static final Option<Integer> MAX_POOL_SIZE = Option.integer("retell.maxPoolSize", 32);
  public static final Option<Integer> MAX_POOL_WAIT_QUEUE = Option.integer("retell.maxPoolWaitQueue", 1_000);
  public static final Option<Double> RATE_LIMIT_PER_SECOND = Option.decimal("retell.rateLimitPerSecond", 1_000.0);
  public static final Option<Double> RATE_LIMIT_MIN_PER_SECOND = Option.decimal("retell.rateLimitMinPerSecond", 1.0);
  public static final Option<Double> RATE_LIMIT_DECREASE_FACTOR =
      Option.decimal("retell.rateLimitDecreaseFactor", 0.7);
  public static final Option<Double> RATE_LIMIT_INCREASE_PER_SECOND =
      Option.decimal("retell.rateLimitIncreasePerSecond", 2.0);
  public static final Option<Integer> RATE_LIMIT_BURST = Option.integer("retell.rateLimitBurst", 20);
  public static final Option<Integer> RATE_LIMIT_MAX_QUEUE = Option.integer("retell.rateLimitMaxQueue", 200);
  /** How often a node syncs its per-key budgets with the cluster-wide ones; 0 keeps each node's own budget. */
  public static final Option<Long> SHARED_BUDGET_SYNC_MS = Option.longValue("retell.sharedBudgetSyncMs", 500L);
  public static final Option<Integer> LIST_PAGE_SIZE = Option.integer("retell.listPageSize", 100);
  public static final Option<Integer> LIST_MAX_PAGES = Option.integer("retell.listMaxPages", 100);
  /** Verticle instances per node (the launcher reads it). */
  public static final Option<Integer> INSTANCES = Option.integer("retell.instances", 2);

  public static final List<Option<?>> OPTIONS = List.of(BASE_URL, DEFAULT_API_KEY, SipTransport.OPTION,
      REQUEST_TIMEOUT_MS, MAX_RETRIES, RETRY_BASE_DELAY_MS, RETRY_MAX_DELAY_MS, MAX_RETRY_AFTER_MS, MAX_POOL_SIZE,
      MAX_POOL_WAIT_QUEUE, RATE_LIMIT_PER_SECOND, RATE_LIMIT_MIN_PER_SECOND, RATE_LIMIT_DECREASE_FACTOR,
      RATE_LIMIT_INCREASE_PER_SECOND, RATE_LIMIT_BURST, RATE_LIMIT_MAX_QUEUE, SHARED_BUDGET_SYNC_MS, LIST_PAGE_SIZE, LIST_MAX_PAGES,
      INSTANCES);

  /** Reads {@code config.retell}; every key has a default, so an empty configuration works. */
  public static RetellConfig from(JsonObject config) {
    JsonObject c = config == null ? new JsonObject() : config;
    String baseUrl = BASE_URL.get(c);
    while (baseUrl.endsWith("/")) {
      baseUrl = baseUrl.substring(0, baseUrl.length() - 1);
    }
    String key = DEFAULT_API_KEY.get(c);
    return new RetellConfig(
        baseUrl,
        key == null || key.isBlank() ? null : new Secret(key),
        SipTransport.from(c),
        REQUEST_TIMEOUT_MS.get(c),
        MAX_RETRIES.get(c),
        RETRY_BASE_DELAY_MS.get(c),
        RETRY_MAX_DELAY_MS.get(c),
        MAX_RETRY_AFTER_MS.get(c),
        MAX_POOL_SIZE.get(c),
        MAX_POOL_WAIT_QUEUE.get(c),
        RATE_LIMIT_PER_SECOND.get(c),
        RATE_LIMIT_MIN_PER_SECOND.get(c),
        RATE_LIMIT_DECREASE_FACTOR.get(c),
        RATE_LIMIT_INCREASE_PER_SECOND.get(c),
        RATE_LIMIT_BURST.get(c),
        RATE_LIMIT_MAX_QUEUE.get(c),
        SHARED_BUDGET_SYNC_MS.get(c),
        LIST_PAGE_SIZE.get(c),
        LIST_MAX_PAGES.get(c));
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
