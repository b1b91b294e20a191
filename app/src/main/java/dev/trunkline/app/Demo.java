package dev.trunkline.app;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code java -jar trunkline.jar demo}: the sandbox story, run step by step over real HTTP and printed as it
 * goes. Connect a demo tenant, set up its trunk, buy two numbers, break one in the Retell simulator the way
 * the origin incident did (empty {@code auth_username}), audit (finds it), fix, audit (clean).
 *
 * <p>It runs its own sandbox on a free port with a fresh data dir, so it never disturbs a running
 * Trunkline. Exit code 0 when the story ends with a clean audit.
 */
final class Demo {
  /** The drift watch's period in the demo, and how long the demo waits for its repair. */
  static final int DRIFT_PERIOD_SECONDS = 3;
  static final long DRIFT_WAIT_MS = 30_000;

  private final WebClient http;
  private final Trunkline node;
  private final String token;
  private final PrintStream out;
  private final String tenantPath;

  private Demo(WebClient http, Trunkline node, String token, PrintStream out) {
    this.http = http;
    this.node = node;
    this.token = token;
    this.out = out;
    this.tenantPath = "/api/connectors/" + Banner.DEMO_TENANT;
  }

  static int run(JsonObject loaded) throws Exception {
    return run(loaded, System.out);
  }

  static int run(JsonObject loaded, PrintStream out) throws Exception {
    // The story is the output: keep the service's own INFO lines (access log, deployments) out of it.
    ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
        .setLevel(ch.qos.logback.classic.Level.WARN);
    // A sandbox of its own whatever is configured: never the operator's store, keys or JWT secret (it mints a
    // token below, which it may only do with a secret it generated).
    JsonObject config = StartupMode.withoutProductionSettings(loaded).put("mode", "sandbox")
        .put("dataDir", Files.createTempDirectory("trunkline-demo").toString());
    ConfigLoader.put(config, "http.port", freePort());
    ConfigLoader.put(config, "http.host", "127.0.0.1");
    // The drift watch looks at every number every few seconds here, so its repair shows within the story.
    ConfigLoader.put(config, "drift.enabled", true);
    ConfigLoader.put(config, "drift.periodSeconds", DRIFT_PERIOD_SECONDS);
    Vertx vertx = Vertx.vertx();
    try {
      Trunkline node = Main.await(Trunkline.start(vertx, config), 120);
      WebClient http = WebClient.create(vertx, new WebClientOptions()
          .setDefaultHost("127.0.0.1").setDefaultPort(node.httpPort()));
      String token = DevTokens.mint(vertx, node.config().getJsonObject("gateway").getString("jwtSecret"),
          "sandbox-demo", new JsonArray().add(Banner.DEMO_TENANT), 60);
      out.println("Trunkline demo: a sandbox on http://127.0.0.1:" + node.httpPort() + " (data in "
          + config.getString("dataDir") + ")");
      boolean clean = Main.await(new Demo(http, node, token, out).story(), 300);
      Main.await(node.close(), 30);
      out.println(clean ? "\nDemo finished: the broken number was found and repaired."
          : "\nDemo finished, but the last audit was not clean: see the steps above.");
      return clean ? 0 : 1;
    } finally {
      Main.await(vertx.close(), 30);
    }
  }

  private Future<Boolean> story() {
    JsonObject twilio = new JsonObject().put("accountSid", Sandbox.DEMO_ACCOUNT_SID)
        .put("authToken", Sandbox.DEMO_AUTH_TOKEN);
    return step("1. Connect the tenant's Twilio account (verified, stored encrypted)", HttpMethod.PUT, "/twilio", twilio, null)
        .compose(r -> step("2. Store the tenant's Retell API key", HttpMethod.PUT, "/retell",
            new JsonObject().put("apiKey", Sandbox.DEMO_RETELL_KEY), null))
        .compose(r -> step("3. Set up the SIP trunk (idempotent)", HttpMethod.POST, "/twilio/setup", new JsonObject(), null))
        .compose(r -> step("4. Search numbers in area code 415", HttpMethod.GET,
            "/twilio/availablePhoneNumbers?countryCode=US&areaCode=415&limit=2", null, null))
        .compose(search -> {
          JsonArray found = search.getJsonObject("data", new JsonObject()).getJsonArray("numbers", new JsonArray());
          if (found.size() < 2) {
            return Future.failedFuture("the search found fewer than two numbers");
          }
          String first = found.getJsonObject(0).getString("phoneNumber");
          String second = found.getJsonObject(1).getString("phoneNumber");
          return step("5. Buy " + first + " onto the trunk and import it into Retell", HttpMethod.POST,
              "/twilio/phoneNumbers/purchase", new JsonObject().put("phoneNumber", first), "demo-" + first.substring(1))
              .compose(x -> step("6. Buy " + second, HttpMethod.POST, "/twilio/phoneNumbers/purchase",
                  new JsonObject().put("phoneNumber", second), "demo-" + second.substring(1)))
              .compose(x -> breakNumber("7.", second))
              .compose(x -> step("8. Audit every number against Retell (read-only)", HttpMethod.GET,
                  "/twilio/retell-credentials", null, null))
              .compose(x -> step("9. Fix the Retell SIP credentials of every number", HttpMethod.POST,
                  "/twilio/fix-retell-credentials", new JsonObject(), null))
              .compose(x -> step("10. Audit again", HttpMethod.GET, "/twilio/retell-credentials", null, null))
              .compose(x -> step("11. Let the drift watch repair what breaks from now on", HttpMethod.PUT,
                  "/drift/policy", new JsonObject().put("policy", "repair"), null))
              .compose(x -> breakNumber("12.", first))
              .compose(x -> driftRepaired())
              .compose(x -> step("14. Audit again", HttpMethod.GET, "/twilio/retell-credentials", null, null))
              .map(audit -> audit.getJsonObject("data", new JsonObject()).getInteger("problemCount", -1) == 0);
        })
        .recover(err -> {
          out.println("\nThe demo stopped: " + err.getMessage());
          return Future.succeededFuture(false);
        });
  }

  /**
   * Nobody asks this time: the drift watch finds the broken number on its next pass and, under the "repair" policy,
   * repairs it. Asks {@code GET /drift} every half second (for at most {@value #DRIFT_WAIT_MS} ms) until the tenant's
   * last sweep counts a repair, then shows it.
   */
  private Future<JsonObject> driftRepaired() {
    out.println("\n==> 13. Wait for the drift watch (every number every " + DRIFT_PERIOD_SECONDS
        + " s in this demo), then look at what it did");
    long giveUpAt = System.currentTimeMillis() + DRIFT_WAIT_MS;
    return pollDrift(giveUpAt).compose(v -> step("13. The drift watch's view of the tenant", HttpMethod.GET,
        "/drift", null, null));
  }

  private Future<Void> pollDrift(long giveUpAt) {
    return http.get(tenantPath + "/drift").timeout(10_000).bearerTokenAuthentication(token).send()
        .compose(response -> {
          JsonObject body = response.bodyAsJsonObject();
          JsonObject sweep = body == null ? null : body.getJsonObject("data", new JsonObject())
              .getJsonObject("lastSweep");
          if (sweep != null && sweep.getInteger("repaired", 0) > 0) {
            return Future.succeededFuture();
          }
          if (System.currentTimeMillis() > giveUpAt) {
            return Future.failedFuture("the drift watch did not repair the number within " + DRIFT_WAIT_MS + " ms");
          }
          io.vertx.core.Promise<Void> later = io.vertx.core.Promise.promise();
          node.vertx().setTimer(500, id -> pollDrift(giveUpAt).onComplete(later));
          return later.future();
        });
  }

  /**
   * What went wrong in the origin incident: Retell holds the number with an empty auth_username. Done the way
   * it happened, through Retell's own update call, so nothing in Trunkline knows about it.
   */
  private Future<Void> breakNumber(String stepNumber, String phoneNumber) {
    out.println("\n==> " + stepNumber + " Break " + phoneNumber
        + " in the Retell simulator the way the origin incident did");
    String retell = node.sandbox().retell().baseUrl();
    String path = "/update-phone-number/" + java.net.URLEncoder.encode(phoneNumber, java.nio.charset.StandardCharsets.UTF_8);
    out.println("    PATCH " + retell + path + "  {\"auth_username\": \"\"}");
    return http.requestAbs(HttpMethod.PATCH, retell + path)
        .timeout(10_000)
        .putHeader("Authorization", "Bearer " + Sandbox.DEMO_RETELL_KEY)
        .sendJsonObject(new JsonObject().put("auth_username", ""))
        .map(response -> {
          JsonObject json = response.bodyAsJsonObject();
          out.println("    <- " + response.statusCode() + "  sip_outbound_trunk_config = "
              + (json == null ? "?" : json.getJsonObject("sip_outbound_trunk_config", new JsonObject()).encode()));
          if (response.statusCode() != 200) {
            throw new IllegalStateException("the Retell simulator refused the update");
          }
          return null;
        });
  }

  private Future<JsonObject> step(String title, HttpMethod method, String path, JsonObject body, String idempotencyKey) {
    out.println("\n==> " + title);
    out.println("    " + method + " " + tenantPath + path);
    HttpRequest<Buffer> request = http.request(method, tenantPath + path)
        .timeout(60_000)
        .putHeader("Authorization", "Bearer " + token);
    if (idempotencyKey != null) {
      request.putHeader("Idempotency-Key", idempotencyKey);
    }
    Future<HttpResponse<Buffer>> sent = body == null ? request.send() : request.sendJsonObject(body);
    return sent.map(response -> {
      JsonObject json = response.bodyAsJsonObject();
      out.println("    <- " + response.statusCode());
      out.println(indent(json == null ? "" : json.encodePrettily()));
      if (response.statusCode() >= 400) {
        throw new IllegalStateException(title + " failed with HTTP " + response.statusCode());
      }
      return json == null ? new JsonObject() : json;
    });
  }

  private static String indent(String text) {
    String[] lines = text.split("\n");
    StringBuilder sb = new StringBuilder();
    int shown = Math.min(lines.length, 40);
    for (int i = 0; i < shown; i++) {
      sb.append("    ").append(lines[i]).append('\n');
    }
    if (lines.length > shown) {
      sb.append("    ... (").append(lines.length - shown).append(" more lines)\n");
    }
    return sb.toString();
  }

  private static int freePort() throws java.io.IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
