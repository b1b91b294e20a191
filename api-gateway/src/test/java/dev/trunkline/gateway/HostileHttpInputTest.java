package dev.trunkline.gateway;

import static dev.trunkline.gateway.GatewayEdgeTest.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.trunkline.contract.testing.Await;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Attacks on the HTTP front door that once got through (issue 10, item 5), kept here so they stay fixed: correctly
 * signed tokens whose registered claims have the wrong JSON type, request lines that carry terminal escape and
 * control bytes into the access log, and field names built to bloat or poison an error response. The gateway runs
 * alone on the bus: none of these may reach a service.
 */
@ExtendWith(VertxExtension.class)
class HostileHttpInputTest {
  private static final String A = "aaaaaaaaaaaaaaaaaaaaaaaa";
  /** C0 controls, DEL and C1 controls: none may reach a log line or a response raw. */
  private static final Pattern CONTROL = Pattern.compile("[\\x00-\\x1F\\x7F-\\x9F]");

  private static TrunklineHarness h;

  @BeforeAll
  static void start(Vertx vertx, VertxTestContext test) {
    JsonObject overrides = new JsonObject().put("gateway", new JsonObject()
        .put("jwtIssuer", "https://issuer.example").put("jwtAudience", "trunkline"));
    TrunklineHarness.start(vertx, overrides, false).onComplete(test.succeeding(harness -> {
      h = harness;
      test.completeNow();
    }));
  }

  @AfterAll
  static void stop() {
    h.assertNoSecretLeaked();
  }

  // ---- tokens ----------------------------------------------------------------------------------------

  /** Claims this class's gateway accepts: it pins an issuer and an audience, so the provider checks both. */
  private static JsonObject validClaims() {
    return new JsonObject().put("sub", "ops").put("exp", System.currentTimeMillis() / 1000 + 600)
        .put("iss", "https://issuer.example").put("aud", "trunkline").put("subaccounts", new JsonArray().add(A));
  }

  @Test
  void aSignedTokenWithARegisteredClaimOfTheWrongTypeIs401(VertxTestContext test) {
    JsonObject valid = validClaims();
    long exp = valid.getLong("exp");
    Map<String, Object> malformed = new LinkedHashMap<>();
    malformed.put("exp", String.valueOf(exp));      // was a 500: the provider's typed getter threw
    malformed.put("nbf", "yesterday");
    malformed.put("iat", new JsonArray().add(1));
    malformed.put("iss", 42);
    malformed.put("aud", new JsonObject().put("$ne", ""));
    malformed.put("sub", new JsonArray().add("ops"));
    malformed.put("jti", true);
    List<String> names = new ArrayList<>();
    List<Future<HttpResponse<Buffer>>> calls = new ArrayList<>();
    malformed.forEach((claim, value) -> {
      names.add(claim);
      calls.add(h.call(HttpMethod.GET, h.path(A, "/phone-numbers"), h.tokenWithClaims(valid.copy().put(claim, value)),
          null));
    });
    // The other JSON types for exp, which the same getter choked on.
    for (Object value : List.of(new JsonObject(), new JsonArray(), true)) {
      names.add("exp=" + value);
      calls.add(h.call(HttpMethod.GET, h.path(A, "/phone-numbers"), h.tokenWithClaims(valid.copy().put("exp", value)),
          null));
    }
    Future<HttpResponse<Buffer>> control = h.call(HttpMethod.GET, h.path(A, "/phone-numbers"),
        h.tokenWithClaims(valid), null);
    List<Future<HttpResponse<Buffer>>> everything = new ArrayList<>(calls);
    everything.add(control);
    Future.all(everything).onComplete(test.succeeding(all -> test.verify(() -> {
      for (int i = 0; i < calls.size(); i++) {
        assertThat(calls.get(i).result().statusCode()).as(names.get(i)).isEqualTo(401);
        assertError(calls.get(i).result(), 401, "UNAUTHORIZED");
      }
      // The same token with every claim well-typed gets past authentication (to the absent store: 503).
      assertError(control.result(), 503, "SERVICE_UNAVAILABLE");
      test.completeNow();
    })));
  }

  // ---- the access log --------------------------------------------------------------------------------

  @Test
  void controlBytesInTheRequestLineAreEscapedInTheAccessLog() throws Exception {
    // ESC [31m colours a terminal, ESC ] 0 ; ... BEL retitles it; NUL, DEL and a C1 byte for good measure. The HTTP
    // decoder accepts all of them in a request target.
    String target = "/api/\u001b[31mRED\u001b]0;owned\u0007/\u0000\u007f\u009b";
    try (Socket socket = new Socket("127.0.0.1", h.port)) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(("GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      String status = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1)
          .split("\r\n", 2)[0];
      assertThat(status).isEqualTo("HTTP/1.1 404 Not Found");
    }
    String line = awaitAccessLine("RED");
    assertThat(CONTROL.matcher(line).find()).as("raw control bytes in: %s", line).isFalse();
    assertThat(line).contains("GET /api/\\x1b[31mRED\\x1b]0;owned\\x07/\\x00\\x7f\\x9b 404");
  }

  // ---- echoed field names ----------------------------------------------------------------------------

  @Test
  void aHugeFieldNameFullOfControlCharactersIsEchoedShortAndClean(VertxTestContext test) {
    String name = ("\u001b[2J\r\nFAKE LOG LINE\u0000" + "x".repeat(100)).repeat(90); // over 10 KB
    assertThat(name.length()).isGreaterThan(10_000);
    String body = new JsonObject().put(name, "v").encode();
    // Query parameter names arrive percent-decoded: the same attack through the query string.
    String query = "?%1b%5b2J%0d%0a" + "q".repeat(3_000) + "=1";
    String token = h.tokenWithClaims(validClaims());
    Future<HttpResponse<Buffer>> inBody = h.call(HttpMethod.POST, h.path(A, "/twilio/fix-retell-credentials"),
        token, body);
    Future<HttpResponse<Buffer>> inQuery = h.call(HttpMethod.GET, h.path(A, "/phone-numbers") + query, token, null);
    Future.all(inBody, inQuery).onComplete(test.succeeding(all -> test.verify(() -> {
      for (HttpResponse<Buffer> response : List.of(inBody.result(), inQuery.result())) {
        JsonObject error = assertError(response, 400, "UNKNOWN_FIELD");
        String field = error.getJsonObject("details").getString("field");
        assertThat(field.length()).as("details.field length").isLessThanOrEqualTo(ApiErrors.ECHO_LIMIT + 3);
        assertThat(CONTROL.matcher(field).find()).as("control characters in details.field").isFalse();
        assertThat(CONTROL.matcher(error.getString("message")).find()).isFalse();
        assertThat(response.bodyAsString().length()).as("whole error body").isLessThan(1_000);
      }
      assertThat(inBody.result().bodyAsJsonObject().getJsonObject("error").getJsonObject("details")
          .getString("field")).startsWith("?[2J??FAKE LOG LINE?x");
      test.completeNow();
    })));
  }

  /** The access line for a request whose path contains the marker; polled, because it is written after the reply. */
  private static String awaitAccessLine(String marker) {
    return Await.value("an access log line for a path containing " + marker, Await.DEFAULT,
        () -> h.logs().events("dev.trunkline.gateway.access").stream().map(ILoggingEvent::getFormattedMessage)
            .filter(line -> line.contains(marker)).findFirst().orElse(null), line -> true);
  }
}
