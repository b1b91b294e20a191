package dev.trunkline.gateway;

import dev.trunkline.contract.ProvisioningClient;
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

  public static GatewayConfig from(JsonObject config) {
    JsonObject http = section(config, "http");
    JsonObject gateway = section(config, "gateway");
    JsonObject rate = gateway.getJsonObject("rateLimit", new JsonObject());
    Map<String, Integer> perRoute = new HashMap<>();
    rate.getJsonObject("routes", new JsonObject())
        .forEach(e -> perRoute.put(e.getKey(), ((Number) e.getValue()).intValue()));
    List<String> rsKeys = new ArrayList<>();
    Object keys = gateway.getValue("rs256PublicKeys");
    if (keys instanceof JsonArray array) {
      array.forEach(k -> rsKeys.add(String.valueOf(k)));
    } else if (keys instanceof String s && !s.isBlank()) {
      // From an environment variable: PEM blocks are separated by their own markers, so a comma list works.
      for (String k : s.split(",")) {
        rsKeys.add(k.trim());
      }
    }
    return new GatewayConfig(
        http.getString("host", "0.0.0.0"),
        http.getInteger("port", 8080),
        http.getLong("bodyLimitBytes", 65536L),
        blankToNull(gateway.getString("jwtSecret")),
        List.copyOf(rsKeys),
        blankToNull(gateway.getString("serviceToken")),
        Math.max(1, gateway.getLong("flowTimeoutMs", ProvisioningClient.DEFAULT_TIMEOUT_MS)),
        Math.max(1, gateway.getLong("fanOutTimeoutMs", ProvisioningClient.DEFAULT_FAN_OUT_TIMEOUT_MS)),
        Math.max(1, gateway.getLong("readyTimeoutMs", 2000L)),
        Math.max(1, rate.getInteger("requestsPerMinute", 600)),
        Map.copyOf(perRoute),
        blankToNull(gateway.getString("jwtIssuer")),
        blankToNull(gateway.getString("jwtAudience")),
        section(config, "metrics").getValue("port") == null
            && !(config != null && "production".equals(config.getValue("mode"))),
        new ConnectionLimits(
            Math.max(1, http.getLong("requestHeadTimeoutMs", 10_000L)),
            Math.max(1, http.getLong("requestBodyTimeoutMs", 10_000L)),
            Math.max(1, http.getLong("idleTimeoutMs", 30_000L)),
            Math.max(1, http.getInteger("maxConnections", 4096))),
        Math.max(0, rate.getInteger("unauthenticatedPerMinute", 300)),
        Math.max(1, gateway.getLong("operationSyncWaitMs", 45_000L)));
  }

  /** The limit for one route: its override, else the default. */
  public int requestsPerMinute(String routeName) {
    return routeRequestsPerMinute.getOrDefault(routeName, requestsPerMinute);
  }

  private static JsonObject section(JsonObject config, String name) {
    JsonObject s = config == null ? null : config.getJsonObject(name);
    return s == null ? new JsonObject() : s;
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
