package dev.trunkline.twilio;

import dev.trunkline.contract.SipTransport;
import io.vertx.core.json.JsonObject;

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

  public static TwilioConfig from(JsonObject root) {
    JsonObject t = root.getJsonObject("twilio", new JsonObject());
    JsonObject bus = root.getJsonObject("bus", new JsonObject());
    return new TwilioConfig(
        t.getString("apiBaseUrl", DEFAULT_API_BASE_URL),
        t.getString("trunkingBaseUrl", DEFAULT_TRUNKING_BASE_URL),
        SipUris.withTransport(t.getString("originationSipUrl", DEFAULT_ORIGINATION_SIP_URL),
            SipTransport.from(root)),
        t.getString("friendlyNamePrefix", "trunkline"),
        t.getLong("requestTimeoutMs", 10_000L),
        t.getInteger("maxRetries", 3),
        t.getInteger("maxPoolSize", 16),
        t.getInteger("maxWaitQueueSize", 256),
        t.getLong("lockTimeoutMs", 30_000L),
        t.getLong("lockLeaseMs", 30_000L),
        t.getLong("retryBaseDelayMs", 200L),
        t.getLong("maxRetryDelayMs", 10_000L),
        t.getInteger("maxPages", 50),
        t.getInteger("pageSize", 100),
        bus.getLong("timeoutMs", 10_000L),
        t.getInteger("maxInFlight", 512));
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
