package dev.trunkline.gateway;

import dev.trunkline.contract.ProvisioningClient;
import dev.trunkline.contract.config.Option;
import dev.trunkline.contract.config.Options;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The gateway's settings, read once from the merged configuration ({@code http} and {@code gateway}
 * sections, see docs/development.md) so that handlers never touch raw JSON.
 *
 * @param routeRequestsPerMinute per-route overrides of the per-tenant limit, keyed by route name (the
 *     OpenAPI operationId, e.g. {@code fixRetellCredentials})
 * @param metricsOnApiPort serve {@code GET /metrics} on the API port; false when {@code metrics.port} gives the
 *     node a metrics endpoint of its own, so that operators can keep metrics off the public port, and in
 *     production mode ({@code mode}, as the launcher resolved it), where an unauthenticated {@code /metrics} does
 *     not belong on the public port
 * @param flowTimeoutMs how long a route waits for the provisioning service's answer to a connector or
 *     single-number flow (several upstream calls in a row)
 * @param fanOutTimeoutMs how long an audit, fix or rotation route waits; the service stops starting numbers
 *     before it runs out and answers with what it did
 * @param connections the front door's bounds on connections (see {@link ConnectionLimits})
 * @param unauthenticatedPerMinute requests per minute, per client address, that may end without authenticating
 *     before that address is answered 429 ahead of authentication; 0 turns the limit off
 * @param operationSyncWaitMs how long an audit, fix or rotation asked for without {@code Prefer: respond-async}
 *     holds its connection before it answers 202 with the operation's Location (below the 60 s idle limit of
 *     common proxies)
 */
public record GatewayConfig(
    String host,
    int port,
    long bodyLimitBytes,
    String jwtSecret,
    List<String> rs256PublicKeys,
    String serviceToken,
    long flowTimeoutMs,
    long fanOutTimeoutMs,
    long readyTimeoutMs,
    int requestsPerMinute,
    Map<String, Integer> routeRequestsPerMinute,
    String jwtIssuer,
    String jwtAudience,
    boolean metricsOnApiPort,
    ConnectionLimits connections,
    int unauthenticatedPerMinute,
    long operationSyncWaitMs) {

  /**
   * What one connection may hold and how many there may be, so that idle or slowly sent connections cannot pile
   * up until the process runs out of file descriptors (docs/security.md, "HTTP front door").
   *
   * @param requestHeadTimeoutMs a new connection must have sent a complete request head within this
   * @param requestBodyTimeoutMs a request's body must be complete within this of its head
   * @param idleTimeoutMs a connection with no request in flight is closed this long after its last response
   * @param maxConnections open connections per node, shared evenly by the gateway's instances
   */
  public record ConnectionLimits(long requestHeadTimeoutMs, long requestBodyTimeoutMs, long idleTimeoutMs,
      int maxConnections) {}

  // The keys the gateway reads, each with its type and default (docs/api.md and the README list them).
  public static final Option<String> HOST = Option.string("http.host", "0.0.0.0");
  public static final Option<Integer> PORT = Option.integer("http.port", 8080);
  public static final Option<Long> BODY_LIMIT_BYTES = Option.longValue("http.bodyLimitBytes", 65_536L);
  /** Verticle instances per node (the launcher reads it; unset: one per core). */
  public static final Option<Integer> INSTANCES = Option.integer("http.instances", 2);
  public static final Option<Long> SHUTDOWN_TIMEOUT_MS = Option.longValue("http.shutdownTimeoutMs", 10_000L);
  public static final Option<Long> REQUEST_HEAD_TIMEOUT_MS = Option.longValue("http.requestHeadTimeoutMs", 10_000L);
  public static final Option<Long> REQUEST_BODY_TIMEOUT_MS = Option.longValue("http.requestBodyTimeoutMs", 10_000L);
  public static final Option<Long> IDLE_TIMEOUT_MS = Option.longValue("http.idleTimeoutMs", 30_000L);
  public static final Option<Integer> MAX_CONNECTIONS = Option.integer("http.maxConnections", 4096);
  public static final Option<String> JWT_SECRET = Option.unsetString("gateway.jwtSecret", null);
  public static final Option<Object> RS256_PUBLIC_KEYS = Option.list("gateway.rs256PublicKeys");
  public static final Option<String> SERVICE_TOKEN = Option.unsetString("gateway.serviceToken", null);
  public static final Option<String> JWT_ISSUER = Option.unsetString("gateway.jwtIssuer", null);
  public static final Option<String> JWT_AUDIENCE = Option.unsetString("gateway.jwtAudience", null);
  public static final Option<Long> FLOW_TIMEOUT_MS =
      Option.longValue("gateway.flowTimeoutMs", ProvisioningClient.DEFAULT_TIMEOUT_MS);
  public static final Option<Long> FAN_OUT_TIMEOUT_MS =
      Option.longValue("gateway.fanOutTimeoutMs", ProvisioningClient.DEFAULT_FAN_OUT_TIMEOUT_MS);
  public static final Option<Long> READY_TIMEOUT_MS = Option.longValue("gateway.readyTimeoutMs", 2_000L);
  public static final Option<Integer> REQUESTS_PER_MINUTE = Option.integer("gateway.rateLimit.requestsPerMinute", 600);
  public static final Option<JsonObject> ROUTE_REQUESTS_PER_MINUTE = Option.object("gateway.rateLimit.routes");
  public static final Option<Integer> UNAUTHENTICATED_PER_MINUTE =
      Option.integer("gateway.rateLimit.unauthenticatedPerMinute", 300);

  /** How long a synchronous audit, fix or rotation holds its connection before it answers 202 (below 60 s). */
  public static final Option<Long> OPERATION_SYNC_WAIT_MS = Option.longValue("gateway.operationSyncWaitMs", 45_000L);

  public static final List<Option<?>> OPTIONS = List.of(HOST, PORT, BODY_LIMIT_BYTES, INSTANCES, SHUTDOWN_TIMEOUT_MS,
      REQUEST_HEAD_TIMEOUT_MS, REQUEST_BODY_TIMEOUT_MS, IDLE_TIMEOUT_MS, MAX_CONNECTIONS, JWT_SECRET,
      RS256_PUBLIC_KEYS, SERVICE_TOKEN, JWT_ISSUER, JWT_AUDIENCE, FLOW_TIMEOUT_MS, FAN_OUT_TIMEOUT_MS,
      READY_TIMEOUT_MS, REQUESTS_PER_MINUTE, ROUTE_REQUESTS_PER_MINUTE, UNAUTHENTICATED_PER_MINUTE,
      OPERATION_SYNC_WAIT_MS);

  public static GatewayConfig from(JsonObject config) {
    JsonObject c = config == null ? new JsonObject() : config;
    Map<String, Integer> perRoute = new HashMap<>();
    JsonObject routes = ROUTE_REQUESTS_PER_MINUTE.get(c);
    if (routes != null) {
      routes.forEach(e -> {
        if (!(e.getValue() instanceof Number n)) {
          throw new IllegalArgumentException(ROUTE_REQUESTS_PER_MINUTE.path() + "." + e.getKey()
              + " must be a whole number");
        }
        perRoute.put(e.getKey(), n.intValue());
      });
    }
    List<String> rsKeys = new ArrayList<>();
    Object keys = RS256_PUBLIC_KEYS.get(c);
    if (keys instanceof JsonArray array) {
      array.forEach(k -> rsKeys.add(String.valueOf(k)));
    } else if (keys instanceof String s && !s.isBlank()) {
      // From an environment variable: PEM blocks are separated by their own markers, so a comma list works.
      for (String k : s.split(",")) {
        rsKeys.add(k.trim());
      }
    }
    return new GatewayConfig(
        HOST.get(c),
        PORT.get(c),
        BODY_LIMIT_BYTES.get(c),
        blankToNull(JWT_SECRET.get(c)),
        List.copyOf(rsKeys),
        blankToNull(SERVICE_TOKEN.get(c)),
        Math.max(1, FLOW_TIMEOUT_MS.get(c)),
        Math.max(1, FAN_OUT_TIMEOUT_MS.get(c)),
        Math.max(1, READY_TIMEOUT_MS.get(c)),
        Math.max(1, REQUESTS_PER_MINUTE.get(c)),
        Map.copyOf(perRoute),
        blankToNull(JWT_ISSUER.get(c)),
        blankToNull(JWT_AUDIENCE.get(c)),
        Options.at(c, "metrics.port") == null && !"production".equals(c.getValue("mode")),
        new ConnectionLimits(
            Math.max(1, REQUEST_HEAD_TIMEOUT_MS.get(c)),
            Math.max(1, REQUEST_BODY_TIMEOUT_MS.get(c)),
            Math.max(1, IDLE_TIMEOUT_MS.get(c)),
            Math.max(1, MAX_CONNECTIONS.get(c))),
        Math.max(0, UNAUTHENTICATED_PER_MINUTE.get(c)),
        Math.max(1, OPERATION_SYNC_WAIT_MS.get(c)));
  }

  /** The limit for one route: its override, else the default. */
  public int requestsPerMinute(String routeName) {
    return routeRequestsPerMinute.getOrDefault(routeName, requestsPerMinute);
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  @Override
  public String toString() {
    // Never print the secrets a record accessor would otherwise show.
    return "GatewayConfig[host=" + host + ", port=" + port + ", bodyLimitBytes=" + bodyLimitBytes
        + ", jwtSecret=" + (jwtSecret == null ? "unset" : "[REDACTED]") + ", rs256PublicKeys="
        + rs256PublicKeys.size() + ", serviceToken=" + (serviceToken == null ? "unset" : "[REDACTED]")
        + ", flowTimeoutMs=" + flowTimeoutMs + ", fanOutTimeoutMs=" + fanOutTimeoutMs
        + ", requestsPerMinute=" + requestsPerMinute
        + ", connections=" + connections + ", unauthenticatedPerMinute=" + unauthenticatedPerMinute + "]";
  }
}
