package dev.trunkline.twilio;

import dev.trunkline.contract.SipTransport;
import dev.trunkline.contract.config.BusTimeout;
import dev.trunkline.contract.config.Option;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * The {@code twilio} section of the configuration (plus {@code bus.timeoutMs} for requests to the store, and
 * {@code retell.transport} for the origination URL's transport).
 *
 * @param apiBaseUrl base of the 2010-04-01 REST API (accounts, SIP credential lists, phone numbers)
 * @param trunkingBaseUrl base of the Elastic SIP Trunking v1 API
 * @param originationSipUrl where Twilio sends calls to the tenant's numbers: {@code twilio.originationSipUrl}
 *     (Retell's SIP server by default) with {@code ;transport=} of {@code retell.transport} added, so inbound
 *     calls use the transport outbound calls use; a URL that names a transport itself is taken as given
 * @param friendlyNamePrefix prefix of every Twilio resource name Trunkline creates; the rest is the full
 *     subaccount id, so names never collide between tenants
 * @param requestTimeoutMs timeout of one HTTP attempt to Twilio
 * @param maxRetries retries after the first attempt, for the failures that may be retried
 * @param maxPoolSize connections per upstream (one pool for the API, one for trunking)
 * @param maxWaitQueueSize requests waiting for a pooled connection before new ones are refused
 * @param lockTimeoutMs how long a tenant operation waits for the tenant's cluster-wide lock
 * @param lockLeaseMs the lock's lease in the store: renewed every third of it while held, so a holder that
 *     died blocks the tenant for at most this long
 * @param retryBaseDelayMs first backoff step; doubles per retry, with full jitter
 * @param maxRetryDelayMs cap of one backoff step, and of an honoured {@code Retry-After}
 * @param maxPages pages followed in one listing before giving up (bounds a runaway paging loop)
 * @param pageSize page size asked of Twilio when listing
 * @param busTimeoutMs timeout of every event-bus request to the store
 * @param maxInFlight requests one verticle instance handles at once (including those waiting for a tenant
 *     lock); more are refused at once with 503, so a burst cannot pile up without bound
 */
public record TwilioConfig(
    String apiBaseUrl,
    String trunkingBaseUrl,
    String originationSipUrl,
    String friendlyNamePrefix,
    long requestTimeoutMs,
    int maxRetries,
    int maxPoolSize,
    int maxWaitQueueSize,
    long lockTimeoutMs,
    long lockLeaseMs,
    long retryBaseDelayMs,
    long maxRetryDelayMs,
    int maxPages,
    int pageSize,
    long busTimeoutMs,
    int maxInFlight) {

  public static final String DEFAULT_API_BASE_URL = "https://api.twilio.com";
  public static final String DEFAULT_TRUNKING_BASE_URL = "https://trunking.twilio.com";
  /** Retell's SIP server; the transport is added from {@code retell.transport} (see {@link #from}). */
  public static final String DEFAULT_ORIGINATION_SIP_URL = "sip:sip.retellai.com";

  public TwilioConfig {
    apiBaseUrl = stripSlash(apiBaseUrl);
    trunkingBaseUrl = stripSlash(trunkingBaseUrl);
    checkOriginationSipUrl(originationSipUrl);
    if (!friendlyNamePrefix.matches("[A-Za-z0-9][A-Za-z0-9-]{0,20}")) {
      // The prefix ends up in a DNS label (the termination domain) and in a 64-char friendly name.
      throw new IllegalArgumentException(
          "twilio.friendlyNamePrefix must be 1-21 letters, digits or '-', starting with a letter or digit");
    }
    if (requestTimeoutMs <= 0 || maxRetries < 0 || maxPoolSize <= 0 || lockTimeoutMs <= 0 || lockLeaseMs < 1_000
        || maxPages <= 0
        || pageSize < 1 || pageSize > 1000 || maxInFlight < 1) {
      throw new IllegalArgumentException("twilio: timeouts, pool size and page limits must be positive "
          + "(lockLeaseMs at least 1000)");
    }
  }

  // The keys this verticle reads, each with its type and default (docs/twilio.md lists them).
  public static final Option<String> API_BASE_URL = Option.unsetString("twilio.apiBaseUrl", DEFAULT_API_BASE_URL);
  public static final Option<String> TRUNKING_BASE_URL =
      Option.unsetString("twilio.trunkingBaseUrl", DEFAULT_TRUNKING_BASE_URL);
  public static final Option<String> ORIGINATION_SIP_URL =
      Option.unsetString("twilio.originationSipUrl", DEFAULT_ORIGINATION_SIP_URL);
  public static final Option<String> FRIENDLY_NAME_PREFIX = Option.string("twilio.friendlyNamePrefix", "trunkline");
  public static final Option<Long> REQUEST_TIMEOUT_MS = Option.longValue("twilio.requestTimeoutMs", 10_000L);
  public static final Option<Integer> MAX_RETRIES = Option.integer("twilio.maxRetries", 3);
  public static final Option<Integer> MAX_POOL_SIZE = Option.integer("twilio.maxPoolSize", 16);
  public static final Option<Integer> MAX_WAIT_QUEUE_SIZE = Option.integer("twilio.maxWaitQueueSize", 256);
  public static final Option<Long> LOCK_TIMEOUT_MS = Option.longValue("twilio.lockTimeoutMs", 30_000L);
  public static final Option<Long> LOCK_LEASE_MS = Option.longValue("twilio.lockLeaseMs", 30_000L);
  public static final Option<Long> RETRY_BASE_DELAY_MS = Option.longValue("twilio.retryBaseDelayMs", 200L);
  public static final Option<Long> MAX_RETRY_DELAY_MS = Option.longValue("twilio.maxRetryDelayMs", 10_000L);
  public static final Option<Integer> MAX_PAGES = Option.integer("twilio.maxPages", 50);
  public static final Option<Integer> PAGE_SIZE = Option.integer("twilio.pageSize", 100);
  public static final Option<Integer> MAX_IN_FLIGHT = Option.integer("twilio.maxInFlight", 512);
  /** Verticle instances per node (the launcher reads it). */
  public static final Option<Integer> INSTANCES = Option.integer("twilio.instances", 1);

  public static final List<Option<?>> OPTIONS = List.of(API_BASE_URL, TRUNKING_BASE_URL, ORIGINATION_SIP_URL,
      FRIENDLY_NAME_PREFIX, REQUEST_TIMEOUT_MS, MAX_RETRIES, MAX_POOL_SIZE, MAX_WAIT_QUEUE_SIZE, LOCK_TIMEOUT_MS,
      LOCK_LEASE_MS, RETRY_BASE_DELAY_MS, MAX_RETRY_DELAY_MS, MAX_PAGES, PAGE_SIZE, MAX_IN_FLIGHT, INSTANCES);

  public static TwilioConfig from(JsonObject root) {
    return new TwilioConfig(
        API_BASE_URL.get(root),
        TRUNKING_BASE_URL.get(root),
        SipUris.withTransport(ORIGINATION_SIP_URL.get(root), SipTransport.from(root)),
        FRIENDLY_NAME_PREFIX.get(root),
        REQUEST_TIMEOUT_MS.get(root),
        MAX_RETRIES.get(root),
        MAX_POOL_SIZE.get(root),
        MAX_WAIT_QUEUE_SIZE.get(root),
        LOCK_TIMEOUT_MS.get(root),
        LOCK_LEASE_MS.get(root),
        RETRY_BASE_DELAY_MS.get(root),
        MAX_RETRY_DELAY_MS.get(root),
        MAX_PAGES.get(root),
        PAGE_SIZE.get(root),
        BusTimeout.OPTION.get(root),
        MAX_IN_FLIGHT.get(root));
  }

  /**
   * Twilio takes sip: only, and Retell answers on TCP, TLS and UDP only: say so at start, not at the first setup.
   * The URL itself is not repeated (a SIP URI may carry a password in its user part).
   */
  private static void checkOriginationSipUrl(String url) {
    if (!SipUris.isSip(url)) {
      throw new IllegalArgumentException("twilio.originationSipUrl must be a SIP URI (sip:host...)");
    }
    String transport = SipUris.transport(url);
    if (transport == null || !SipTransport.isValid(transport)) {
      throw new IllegalArgumentException("twilio.originationSipUrl must carry ;transport=tcp, tls or udp, not '"
          + transport + "'");
    }
  }

  private static String stripSlash(String url) {
    if (url == null || url.isBlank()) {
      throw new IllegalArgumentException("twilio base URLs must be set");
    }
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }
}
