package dev.trunkline.simulators;

import static dev.trunkline.contract.testing.Await.await;
import static dev.trunkline.contract.testing.Await.awaitFailure;
import static dev.trunkline.contract.testing.SecretAssertions.assertNoSecret;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The Retell simulator over real HTTP: each operation, auth, isolation, PATCH semantics, paging, faults, rate limit. */
@ExtendWith(VertxExtension.class)
class RetellSimulatorTest {

  private static final String KEY_A = "key_workspace_a_secret";
  private static final String KEY_B = "key_workspace_b_secret";
  private static final String NUMBER = "+14155550100";
  private static final String TERMINATION = "acme-1234.pstn.twilio.com";
  private static final String PASSWORD = "Sup3rSecretPassw0rd";

  private RetellSimulator sim;
  private WebClient client;

  @BeforeEach
  void start(Vertx vertx) {
    sim = await(RetellSimulator.start(vertx, new SimulatorOptions()));
    client = WebClient.create(vertx);
  }

  /** Every reply of every test in this class, the error paths included, is one Retell's document allows. */
  @AfterEach
  void stop() {
    client.close();
    List<String> violations = sim.contract().violations();
    await(sim.close());
    assertThat(violations).as("replies that Retell's OpenAPI document does not allow").isEmpty();
  }

  private void assertUnknownAsset(HttpResponse<Buffer> reply) {
    assertThat(reply.statusCode()).isEqualTo(422);
    assertThat(reply.bodyAsJsonObject()).isEqualTo(new JsonObject().put("status", "error")
        .put("message", "Cannot find requested asset under given api key."));
  }

  private HttpRequest<Buffer> request(HttpMethod method, String path, String apiKey) {
    HttpRequest<Buffer> request = client.requestAbs(method, sim.baseUrl() + path).timeout(10_000);
    if (apiKey != null) {
      request.bearerTokenAuthentication(apiKey);
    }
    return request;
  }

  private HttpResponse<Buffer> send(HttpMethod method, String path, String apiKey, JsonObject body) {
    HttpRequest<Buffer> request = request(method, path, apiKey);
    return await(body == null ? request.send() : request.sendJsonObject(body));
  }

  private static String enc(String phone) {
    return URLEncoder.encode(phone, StandardCharsets.UTF_8);
  }

  private static JsonObject importBody(String phone) {
    return new JsonObject().put("phone_number", phone).put("termination_uri", TERMINATION)
        .put("sip_trunk_auth_username", "acme_user").put("sip_trunk_auth_password", PASSWORD)
        .put("transport", "TCP").put("nickname", "main line");
  }

  @Test
  void importGetUpdateListDeleteRoundTrip() {
    HttpResponse<Buffer> imported = send(HttpMethod.POST, "/import-phone-number", KEY_A, importBody(NUMBER));
    // First: the assertions below print the number, or parts of it, when they fail.
    assertNoSecret("the imported number", imported.bodyAsString(), "the SIP password", PASSWORD);
    assertThat(imported.statusCode()).isEqualTo(201);
    JsonObject number = imported.bodyAsJsonObject();
    assertThat(number.getString("phone_number")).isEqualTo(NUMBER);
    assertThat(number.getString("phone_number_type")).isEqualTo("custom");
    assertThat(number.getString("phone_number_pretty")).isEqualTo("+1 (415) 555-0100");
    assertThat(number.getInteger("area_code")).isEqualTo(415);
    assertThat(number.getString("nickname")).isEqualTo("main line");
    assertThat(number.getLong("last_modification_timestamp")).isPositive();
    assertThat(number.getJsonObject("sip_outbound_trunk_config")).isEqualTo(new JsonObject()
        .put("termination_uri", TERMINATION).put("transport", "TCP").put("auth_username", "acme_user"));
    assertThat(sim.checkPassword(KEY_A, NUMBER, PASSWORD)).isTrue();
    assertThat(sim.checkPassword(KEY_A, NUMBER, "wrong")).isFalse();

    HttpResponse<Buffer> fetched = send(HttpMethod.GET, "/get-phone-number/" + enc(NUMBER), KEY_A, null);
    assertThat(fetched.statusCode()).isEqualTo(200);
    assertThat(fetched.bodyAsJsonObject()).isEqualTo(number);

    HttpResponse<Buffer> updated = send(HttpMethod.PATCH, "/update-phone-number/" + enc(NUMBER), KEY_A,
        new JsonObject().put("auth_username", "acme_user2").put("auth_password", "N3wPasswordValue")
            .put("termination_uri", "other.pstn.twilio.com").put("transport", "TLS").put("nickname", null));
    assertNoSecret("the updated number", updated.bodyAsString(), "the new SIP password", "N3wPasswordValue");
    assertThat(updated.statusCode()).isEqualTo(200);
    JsonObject after = updated.bodyAsJsonObject();
    assertThat(after.getJsonObject("sip_outbound_trunk_config")).isEqualTo(new JsonObject()
        .put("termination_uri", "other.pstn.twilio.com").put("transport", "TLS").put("auth_username", "acme_user2"));
    assertThat(after.getValue("nickname")).isNull();
    assertThat(after.getLong("last_modification_timestamp"))
        .isGreaterThan(number.getLong("last_modification_timestamp"));
    assertThat(sim.checkPassword(KEY_A, NUMBER, "N3wPasswordValue")).isTrue();

    HttpResponse<Buffer> list = send(HttpMethod.GET, "/v2/list-phone-numbers", KEY_A, null);
    assertThat(list.statusCode()).isEqualTo(200);
    assertThat(list.bodyAsJsonObject().getJsonArray("items")).containsExactly(after);
    assertThat(list.bodyAsJsonObject().getBoolean("has_more")).isFalse();
    assertThat(list.bodyAsJsonObject().containsKey("pagination_key")).isFalse();

    HttpResponse<Buffer> deleted = send(HttpMethod.DELETE, "/delete-phone-number/" + enc(NUMBER), KEY_A, null);
    assertThat(deleted.statusCode()).isEqualTo(204);
    assertThat(deleted.body()).isNull();
    assertUnknownAsset(send(HttpMethod.GET, "/get-phone-number/" + enc(NUMBER), KEY_A, null));
    assertUnknownAsset(send(HttpMethod.DELETE, "/delete-phone-number/" + enc(NUMBER), KEY_A, null));
    assertUnknownAsset(send(HttpMethod.PATCH, "/update-phone-number/" + enc(NUMBER), KEY_A,
        new JsonObject().put("nickname", "x")));
  }

  @Test
  void unencodedPlusInThePathNamesTheSameNumber() {
    send(HttpMethod.POST, "/import-phone-number", KEY_A, importBody(NUMBER));
    assertThat(send(HttpMethod.GET, "/get-phone-number/" + NUMBER, KEY_A, null).statusCode()).isEqualTo(200);
  }

  @Test
  void importRejectsDuplicatesAndInvalidBodies() {
    assertThat(send(HttpMethod.POST, "/import-phone-number", KEY_A, importBody(NUMBER)).statusCode()).isEqualTo(201);
    HttpResponse<Buffer> duplicate = send(HttpMethod.POST, "/import-phone-number", KEY_A, importBody(NUMBER));
    // Undocumented in real Retell; the simulator uses the one client error the document lists for import.
    assertThat(duplicate.statusCode()).isEqualTo(400);
    assertThat(duplicate.bodyAsJsonObject().getString("status")).isEqualTo("error");
    assertThat(duplicate.bodyAsJsonObject().getString("message")).contains("already exists");

    HttpResponse<Buffer> noTermination = send(HttpMethod.POST, "/import-phone-number", KEY_A,
        importBody("+14155550101").putNull("termination_uri"));
    assertThat(noTermination.statusCode()).isEqualTo(400);
    assertThat(noTermination.bodyAsJsonObject().getString("message")).contains("termination_uri");

    // E.164 is checked only when asked: the document says ignore_e164_validation defaults to true.
    assertThat(send(HttpMethod.POST, "/import-phone-number", KEY_A,
        importBody("4155550101").put("ignore_e164_validation", false)).statusCode()).isEqualTo(400);
    assertThat(send(HttpMethod.POST, "/import-phone-number", KEY_A,
        importBody("+14155550101").put("transport", "SCTP")).statusCode()).isEqualTo(400);
    assertThat(send(HttpMethod.POST, "/import-phone-number", KEY_A,
        importBody("+14155550101").put("ignore_e164_validation", "true")).statusCode()).isEqualTo(400);
    assertThat(send(HttpMethod.POST, "/import-phone-number", KEY_A,
        importBody("+14155550101").put("nickname", 42)).statusCode()).isEqualTo(400);
    HttpResponse<Buffer> notJson = await(request(HttpMethod.POST, "/import-phone-number", KEY_A)
        .putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer("{nope")));
    assertThat(notJson.statusCode()).isEqualTo(400);
    assertThat(notJson.bodyAsJsonObject().getString("message"))
        .startsWith("Invalid request format, please check API reference.");
    assertThat(sim.numbers(KEY_A)).hasSize(1);
    // Without the flag a pseudo number is accepted, as the document's default says.
    assertThat(send(HttpMethod.POST, "/import-phone-number", KEY_A, importBody("4155550101")).statusCode())
        .isEqualTo(201);
    assertThat(sim.numbers(KEY_A)).hasSize(2);
  }

  @Test
  void importWithoutUsernameLeavesTheUsernameEmptyLikeTheOriginIncident() {
    JsonObject body = importBody(NUMBER);
    body.remove("sip_trunk_auth_username");
    body.remove("sip_trunk_auth_password");
    JsonObject number = send(HttpMethod.POST, "/import-phone-number", KEY_A, body).bodyAsJsonObject();
    assertThat(number.getJsonObject("sip_outbound_trunk_config").getString("auth_username")).isEmpty();
    assertThat(number.getJsonObject("sip_outbound_trunk_config").getString("transport")).isEqualTo("TCP");
  }

  @Test
  void patchIgnoresTheImportFieldNamesAndUnknownFields() {
    send(HttpMethod.POST, "/import-phone-number", KEY_A, importBody(NUMBER));
    HttpResponse<Buffer> patched = send(HttpMethod.PATCH, "/update-phone-number/" + enc(NUMBER), KEY_A,
        new JsonObject().put("sip_trunk_auth_username", "someone_else").put("sip_trunk_auth_password", "0therPassword1")
            .put("no_such_field", true));
    assertThat(patched.statusCode()).isEqualTo(200);
    assertThat(patched.bodyAsJsonObject().getJsonObject("sip_outbound_trunk_config").getString("auth_username"))
        .isEqualTo("acme_user");
    assertThat(patched.bodyAsJsonObject().containsKey("no_such_field")).isFalse();
    assertThat(sim.checkPassword(KEY_A, NUMBER, PASSWORD)).isTrue();
    assertThat(sim.checkPassword(KEY_A, NUMBER, "0therPassword1")).isFalse();
  }

  @Test
  void rejectedPatchChangesNothing() {
    send(HttpMethod.POST, "/import-phone-number", KEY_A, importBody(NUMBER));
    HttpResponse<Buffer> bad = send(HttpMethod.PATCH, "/update-phone-number/" + enc(NUMBER), KEY_A,
        new JsonObject().put("auth_username", "changed").put("transport", "carrier-pigeon"));
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(sim.number(KEY_A, NUMBER).orElseThrow().getJsonObject("sip_outbound_trunk_config")
        .getString("auth_username")).isEqualTo("acme_user");
    assertUnknownAsset(send(HttpMethod.PATCH, "/update-phone-number/" + enc("+14155559999"), KEY_A,
        new JsonObject().put("nickname", "x")));
  }

  @Test
  void authIsRequiredAndWorkspacesAreIsolated() {
    HttpResponse<Buffer> anonymous = send(HttpMethod.GET, "/v2/list-phone-numbers", null, null);
    assertThat(anonymous.statusCode()).isEqualTo(401);
    assertThat(anonymous.bodyAsJsonObject()).isEqualTo(new JsonObject().put("status", "error")
        .put("message", "API key is missing or invalid."));
    HttpResponse<Buffer> empty = await(request(HttpMethod.GET, "/v2/list-phone-numbers", null)
        .putHeader("Authorization", "Bearer   ").send());
    assertThat(empty.statusCode()).isEqualTo(401);
    HttpResponse<Buffer> basic = await(request(HttpMethod.GET, "/v2/list-phone-numbers", null)
        .basicAuthentication("a", "b").send());
    assertThat(basic.statusCode()).isEqualTo(401);

    send(HttpMethod.POST, "/import-phone-number", KEY_A, importBody(NUMBER));
    assertUnknownAsset(send(HttpMethod.GET, "/get-phone-number/" + enc(NUMBER), KEY_B, null));
    assertThat(send(HttpMethod.GET, "/v2/list-phone-numbers", KEY_B, null).bodyAsJsonObject()
        .getJsonArray("items")).isEmpty();
    assertUnknownAsset(send(HttpMethod.DELETE, "/delete-phone-number/" + enc(NUMBER), KEY_B, null));
    assertUnknownAsset(send(HttpMethod.PATCH, "/update-phone-number/" + enc(NUMBER), KEY_B,
        new JsonObject().put("auth_username", "intruder")));
    // The same number may live in another workspace independently.
    assertThat(send(HttpMethod.POST, "/import-phone-number", KEY_B,
        importBody(NUMBER).put("sip_trunk_auth_username", "b_user")).statusCode()).isEqualTo(201);
    assertThat(sim.number(KEY_A, NUMBER).orElseThrow().getJsonObject("sip_outbound_trunk_config")
        .getString("auth_username")).isEqualTo("acme_user");
    assertThat(sim.requests().writes(RetellSimulator.workspaceId(KEY_B))).isEqualTo(3);
  }

  @Test
  void listPagesInBothOrders() {
    List<String> numbers = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      numbers.add("+1415555010" + i);
      send(HttpMethod.POST, "/import-phone-number", KEY_A, importBody(numbers.get(i)));
    }
    List<String> newestFirst = new ArrayList<>(numbers);
    java.util.Collections.reverse(newestFirst);
    assertThat(collect("ascending", 2)).containsExactlyElementsOf(numbers);
    assertThat(collect("descending", 2)).containsExactlyElementsOf(newestFirst);
    assertThat(collect(null, 3)).containsExactlyElementsOf(newestFirst);

    JsonObject first = send(HttpMethod.GET, "/v2/list-phone-numbers?limit=2&sort_order=ascending", KEY_A, null)
        .bodyAsJsonObject();
    assertThat(first.getBoolean("has_more")).isTrue();
    assertThat(first.getString("pagination_key")).isEqualTo(numbers.get(1));

    // The document's LimitParam: default 50, maximum 1000, no minimum (a limit below 1 gets one item).
    assertThat(send(HttpMethod.GET, "/v2/list-phone-numbers?limit=0", KEY_A, null).bodyAsJsonObject()
        .getJsonArray("items")).hasSize(1);
    assertThat(send(HttpMethod.GET, "/v2/list-phone-numbers?limit=1000", KEY_A, null).statusCode()).isEqualTo(200);
    assertThat(send(HttpMethod.GET, "/v2/list-phone-numbers?limit=1001", KEY_A, null).statusCode()).isEqualTo(400);
    assertThat(send(HttpMethod.GET, "/v2/list-phone-numbers?limit=abc", KEY_A, null).statusCode()).isEqualTo(400);
    assertThat(send(HttpMethod.GET, "/v2/list-phone-numbers?sort_order=sideways", KEY_A, null).statusCode())
        .isEqualTo(400);
    assertThat(send(HttpMethod.GET, "/v2/list-phone-numbers?pagination_key=" + enc("+19999999999"), KEY_A, null)
        .statusCode()).isEqualTo(400);
  }

  private List<String> collect(String sortOrder, int limit) {
    List<String> seen = new ArrayList<>();
    String key = null;
    for (int page = 0; page < 10; page++) {
      String query = "?limit=" + limit + (sortOrder == null ? "" : "&sort_order=" + sortOrder)
          + (key == null ? "" : "&pagination_key=" + enc(key));
      JsonObject body = send(HttpMethod.GET, "/v2/list-phone-numbers" + query, KEY_A, null).bodyAsJsonObject();
      body.getJsonArray("items").forEach(item -> seen.add(((JsonObject) item).getString("phone_number")));
      assertThat(body.getJsonArray("items").size()).isLessThanOrEqualTo(limit);
      if (!body.getBoolean("has_more")) {
        return seen;
      }
      key = body.getString("pagination_key");
    }
    throw new AssertionError("paging did not end");
  }

  @Test
  void seedsABrokenNumberFromJavaAndFromAdmin() {
    JsonObject seeded = sim.seedBroken(KEY_A, NUMBER, TERMINATION);
    assertThat(seeded.getJsonObject("sip_outbound_trunk_config").getString("auth_username")).isEmpty();
    JsonObject fetched = send(HttpMethod.GET, "/get-phone-number/" + enc(NUMBER), KEY_A, null).bodyAsJsonObject();
    assertThat(fetched.getJsonObject("sip_outbound_trunk_config").getString("auth_username")).isEmpty();
    assertThat(fetched.getJsonObject("sip_outbound_trunk_config").getString("termination_uri")).isEqualTo(TERMINATION);

    HttpResponse<Buffer> viaAdmin = send(HttpMethod.POST, "/__admin/numbers", KEY_B, new JsonObject()
        .put("phone_number", "+447480802119").put("termination_uri", TERMINATION).put("auth_username", ""));
    assertThat(viaAdmin.statusCode()).isEqualTo(201);
    assertThat(send(HttpMethod.GET, "/get-phone-number/" + enc("+447480802119"), KEY_B, null).bodyAsJsonObject()
        .getJsonObject("sip_outbound_trunk_config").getString("auth_username")).isEmpty();
    JsonArray adminList = send(HttpMethod.GET, "/__admin/numbers", KEY_B, null).bodyAsJsonObject()
        .getJsonArray("items");
    assertThat(adminList).hasSize(1);
    assertThat(send(HttpMethod.POST, "/__admin/numbers", null, new JsonObject().put("phone_number", NUMBER))
        .statusCode()).isEqualTo(401);

    send(HttpMethod.PATCH, "/update-phone-number/" + enc("+447480802119"), KEY_B,
        new JsonObject().put("auth_username", "fixed_user").put("auth_password", PASSWORD));
    HttpResponse<Buffer> check = send(HttpMethod.POST, "/__admin/numbers/" + enc("+447480802119")
        + "/check-password", KEY_B, new JsonObject().put("password", PASSWORD));
    assertThat(check.bodyAsJsonObject().getBoolean("matches")).isTrue();
    assertThat(send(HttpMethod.POST, "/__admin/numbers/" + enc("+447480802119") + "/check-password", KEY_B,
        new JsonObject().put("password", "nope")).bodyAsJsonObject().getBoolean("matches")).isFalse();
  }

  @Test
  void errorFaultAnswersTheConfiguredStatusForTheNextRequestsOnly() {
    sim.faults().add(FaultRule.on("GET", "/v2/list-phone-numbers").error(503, null, "injected outage").times(2));
    HttpResponse<Buffer> first = send(HttpMethod.GET, "/v2/list-phone-numbers", KEY_A, null);
    assertThat(first.statusCode()).isEqualTo(503);
    assertThat(first.bodyAsJsonObject().getString("message")).isEqualTo("injected outage");
    assertThat(send(HttpMethod.GET, "/v2/list-phone-numbers", KEY_A, null).statusCode()).isEqualTo(503);
    assertThat(send(HttpMethod.GET, "/v2/list-phone-numbers", KEY_A, null).statusCode()).isEqualTo(200);
    assertThat(sim.faults().rules()).isEmpty();
    // A rule for another method or path does not fire.
    sim.faults().add(FaultRule.on("POST", "/v2/**").error(500));
    assertThat(send(HttpMethod.GET, "/v2/list-phone-numbers", KEY_A, null).statusCode()).isEqualTo(200);
  }

  @Test
  void tooManyRequestsFaultCarriesRetryAfter() {
    sim.faults().add(FaultRule.on(null, "/get-phone-number/*").tooManyRequests(7).times(1));
    HttpResponse<Buffer> limited = send(HttpMethod.GET, "/get-phone-number/" + enc(NUMBER), KEY_A, null);
    assertThat(limited.statusCode()).isEqualTo(429);
    assertThat(limited.getHeader("Retry-After")).isEqualTo("7");
    assertThat(limited.bodyAsJsonObject().getString("status")).isEqualTo("error");
    assertUnknownAsset(send(HttpMethod.GET, "/get-phone-number/" + enc(NUMBER), KEY_A, null));
  }

  @Test
  void latencyFaultDelaysThenAnswersNormally() {
    sim.faults().add(FaultRule.on("GET", "/v2/list-phone-numbers").latency(300).times(1));
    long start = System.nanoTime();
    assertThat(send(HttpMethod.GET, "/v2/list-phone-numbers", KEY_A, null).statusCode()).isEqualTo(200);
    // A lower bound only: the timer cannot fire early. No upper bound (that would be a speed assertion).
    assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(300);
  }

  @Test
  void holdKeepsARequestInFlightUntilReleasedWhileOthersPass() {
    FaultRule hold = sim.faults().add(FaultRule.on("POST", "/import-phone-number").hold(30_000).times(1));
    var held = request(HttpMethod.POST, "/import-phone-number", KEY_A).sendJsonObject(importBody(NUMBER));
    await(hold.whenHeld(1));
    // Provably in flight: not applied yet, not answered, and other requests are served meanwhile.
    assertThat(held.isComplete()).isFalse();
    assertThat(sim.number(KEY_A, NUMBER)).isEmpty();
    assertThat(send(HttpMethod.POST, "/import-phone-number", KEY_A, importBody("+14155550101")).statusCode())
        .as("times(1): the next matching request is not held").isEqualTo(201);
    assertThat(held.isComplete()).isFalse();
    assertThat(hold.held()).isEqualTo(1);

    // Released over the admin endpoint (an expired hold stays listed so it can be released by id).
    assertThat(send(HttpMethod.POST, "/__admin/faults/" + hold.id() + "/release", null, null).statusCode())
        .isEqualTo(204);
    assertThat(await(held).statusCode()).isEqualTo(201);
    assertThat(sim.number(KEY_A, NUMBER)).isPresent();
    assertThat(send(HttpMethod.POST, "/__admin/faults/fault-none/release", null, null).statusCode()).isEqualTo(404);
  }

  @Test
  void clearingTheFaultsReleasesHeldRequestsAndAHoldIsBounded() {
    FaultRule hold = sim.faults().add(FaultRule.on("GET", "/v2/list-phone-numbers").hold(30_000));
    var held = request(HttpMethod.GET, "/v2/list-phone-numbers", KEY_A).send();
    await(hold.whenHeld(1));
    assertThat(held.isComplete()).isFalse();
    sim.faults().clear();
    assertThat(await(held).statusCode()).isEqualTo(200);

    // Never released: the bound lets it go.
    sim.faults().add(FaultRule.on("GET", "/v2/list-phone-numbers").hold(200));
    long start = System.nanoTime();
    assertThat(send(HttpMethod.GET, "/v2/list-phone-numbers", KEY_A, null).statusCode()).isEqualTo(200);
    assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(200);
  }

  @Test
  void dropConnectionLosesTheRequestAndDropResponseLosesOnlyTheReply() {
    sim.faults().add(FaultRule.on("POST", "/import-phone-number").dropConnection().times(1));
    // Closed without a response, before the import was applied.
    assertThat(awaitFailure(request(HttpMethod.POST, "/import-phone-number", KEY_A)
        .sendJsonObject(importBody(NUMBER)))).isInstanceOf(HttpClosedException.class);
    assertThat(sim.number(KEY_A, NUMBER)).isEmpty();

    sim.faults().add(FaultRule.on("POST", "/import-phone-number").dropResponse().times(1));
    // Closed without a response, after the import was applied.
    assertThat(awaitFailure(request(HttpMethod.POST, "/import-phone-number", KEY_A)
        .sendJsonObject(importBody(NUMBER)))).isInstanceOf(HttpClosedException.class);
    assertThat(sim.number(KEY_A, NUMBER)).isPresent();
    // The retry then sees the number it did create.
    assertThat(send(HttpMethod.POST, "/import-phone-number", KEY_A, importBody(NUMBER)).statusCode()).isEqualTo(400);
  }

  @Test
  void probabilityZeroNeverFiresAndOneAlwaysFires() {
    FaultRule never = sim.faults().add(FaultRule.on("GET", "/**").error(500).probability(0.0));
    for (int i = 0; i < 5; i++) {
      assertThat(send(HttpMethod.GET, "/v2/list-phone-numbers", KEY_A, null).statusCode()).isEqualTo(200);
    }
    assertThat(never.fired()).isZero();
    sim.faults().clear();
    sim.faults().add(FaultRule.on("GET", "/**").error(502).probability(1.0));
    for (int i = 0; i < 3; i++) {
      assertThat(send(HttpMethod.GET, "/v2/list-phone-numbers", KEY_A, null).statusCode()).isEqualTo(502);
    }
  }

  @Test
  void faultsAreConfigurableOverTheAdminEndpoints() {
    HttpResponse<Buffer> created = send(HttpMethod.POST, "/__admin/faults", null, new JsonObject()
        .put("method", "GET").put("path", "/v2/**").put("kind", "too_many_requests").put("retryAfterSeconds", 3)
        .put("times", 1));
    assertThat(created.statusCode()).isEqualTo(201);
    String id = created.bodyAsJsonObject().getString("id");
    assertThat(send(HttpMethod.GET, "/__admin/faults", null, null).bodyAsJsonObject().getJsonArray("faults"))
        .hasSize(1);
    HttpResponse<Buffer> limited = send(HttpMethod.GET, "/v2/list-phone-numbers", KEY_A, null);
    assertThat(limited.statusCode()).isEqualTo(429);
    assertThat(limited.getHeader("Retry-After")).isEqualTo("3");
    assertThat(send(HttpMethod.DELETE, "/__admin/faults/" + id, null, null).statusCode()).isEqualTo(404);

    String drop = send(HttpMethod.POST, "/__admin/faults", null, new JsonObject().put("path", "/**")
        .put("kind", "DROP_CONNECTION")).bodyAsJsonObject().getString("id");
    assertThat(send(HttpMethod.DELETE, "/__admin/faults/" + drop, null, null).statusCode()).isEqualTo(204);
    assertThat(send(HttpMethod.GET, "/v2/list-phone-numbers", KEY_A, null).statusCode()).isEqualTo(200);

    assertThat(send(HttpMethod.POST, "/__admin/faults", null, new JsonObject().put("kind", "EXPLODE")).statusCode())
        .isEqualTo(400);
    assertThat(send(HttpMethod.POST, "/__admin/faults", null, new JsonObject().put("probability", 2.0))
        .statusCode()).isEqualTo(400);
    JsonObject counters = send(HttpMethod.GET, "/__admin/requests", null, null).bodyAsJsonObject();
    assertThat(counters.getJsonObject("byRoute").getLong("GET /v2/list-phone-numbers")).isEqualTo(2);
  }

  @Test
  void rateLimitAnswers429WithRetryAfterPerApiKey(Vertx vertx, VertxTestContext testContext) {
    // 2/s against a burst of 40: every request would have to be ~0.5 s apart for none to be limited.
    sim.rateLimitPerSecond(2);
    int burst = 40;
    AtomicInteger ok = new AtomicInteger();
    AtomicInteger limited = new AtomicInteger();
    List<Future<HttpResponse<Buffer>>> calls = new ArrayList<>();
    for (int i = 0; i < burst; i++) {
      calls.add(request(HttpMethod.GET, "/v2/list-phone-numbers", KEY_A).send().onSuccess(r -> {
        if (r.statusCode() == 200) {
          ok.incrementAndGet();
        } else if (r.statusCode() == 429 && Integer.parseInt(r.getHeader("Retry-After")) >= 1) {
          limited.incrementAndGet();
        }
      }));
    }
    Future.all(calls).compose(all -> request(HttpMethod.GET, "/v2/list-phone-numbers", KEY_B).send())
        .onComplete(testContext.succeeding(otherKey -> testContext.verify(() -> {
          assertThat(ok.get() + limited.get()).isEqualTo(burst);
          assertThat(ok.get()).isGreaterThanOrEqualTo(2).isLessThan(burst);
          assertThat(limited.get()).isPositive();
          // Another key has its own bucket.
          assertThat(otherKey.statusCode()).isEqualTo(200);
          testContext.completeNow();
        })));
  }

  @Test
  void rateLimitIsAdjustableOverAdmin() {
    assertThat(send(HttpMethod.PUT, "/__admin/rate-limit", null, new JsonObject().put("requestsPerSecond", 1))
        .statusCode()).isEqualTo(200);
    assertThat(send(HttpMethod.GET, "/v2/list-phone-numbers", KEY_A, null).statusCode()).isEqualTo(200);
    HttpResponse<Buffer> limited = send(HttpMethod.GET, "/v2/list-phone-numbers", KEY_A, null);
    assertThat(limited.statusCode()).isEqualTo(429);
    assertThat(limited.getHeader("Retry-After")).isEqualTo("1");
    // The 429s it answered are counted (a benchmark reports them).
    assertThat(send(HttpMethod.GET, "/__admin/rate-limit", null, null).bodyAsJsonObject())
        .isEqualTo(new JsonObject().put("requestsPerSecond", 1).put("rejected", 1));
    assertThat(sim.rateLimited()).isEqualTo(1);
    assertThat(send(HttpMethod.PUT, "/__admin/rate-limit", null, new JsonObject().put("requestsPerSecond", -1))
        .statusCode()).isEqualTo(400);
    send(HttpMethod.PUT, "/__admin/rate-limit", null, new JsonObject().put("requestsPerSecond", 0));
    assertThat(send(HttpMethod.GET, "/v2/list-phone-numbers", KEY_A, null).statusCode()).isEqualTo(200);
  }

  @Test
  void unknownPathsAre404AndResetForgetsEverything() {
    assertThat(send(HttpMethod.GET, "/no-such-endpoint", KEY_A, null).statusCode()).isEqualTo(404);
    assertThat(send(HttpMethod.GET, "/__admin/nothing", null, null).statusCode()).isEqualTo(404);
    sim.seedBroken(KEY_A, NUMBER, TERMINATION);
    sim.faults().add(FaultRule.on("GET", "/nothing").error(500));
    assertThat(send(HttpMethod.POST, "/__admin/reset", null, null).statusCode()).isEqualTo(204);
    assertThat(sim.numbers(KEY_A)).isEmpty();
    assertThat(sim.faults().rules()).isEmpty();
    assertThat(sim.requests().total()).isZero();
  }

  @Test
  void agentsAndCountryListsAreValidatedStoredAndReturned() {
    JsonObject body = importBody(NUMBER)
        .put("inbound_agents", new JsonArray().add(new JsonObject().put("agent_id", "agent_in").put("weight", 1)))
        .put("outbound_agents", new JsonArray().add(new JsonObject().put("agent_id", "agent_out").put("weight", 0.5)))
        .put("allowed_outbound_country_list", new JsonArray().add("US").add("GB"))
        .put("fallback_number", "+14155550999");
    JsonObject imported = send(HttpMethod.POST, "/import-phone-number", KEY_A, body).bodyAsJsonObject();
    assertThat(imported.getJsonArray("inbound_agents").getJsonObject(0).getString("agent_id")).isEqualTo("agent_in");
    assertThat(imported.getJsonArray("allowed_outbound_country_list")).containsExactly("US", "GB");
    // fallback_number is not an import field: ignored on import, applied on update.
    assertThat(imported.getValue("fallback_number")).isNull();
    JsonObject updated = send(HttpMethod.PATCH, "/update-phone-number/" + enc(NUMBER), KEY_A,
        new JsonObject().put("fallback_number", "+14155550999").putNull("inbound_agents")).bodyAsJsonObject();
    assertThat(updated.getString("fallback_number")).isEqualTo("+14155550999");
    assertThat(updated.getValue("inbound_agents")).isNull();
    assertThat(updated.getJsonArray("outbound_agents")).hasSize(1);

    assertThat(send(HttpMethod.PATCH, "/update-phone-number/" + enc(NUMBER), KEY_A, new JsonObject()
        .put("inbound_agents", new JsonArray().add(new JsonObject().put("weight", 1)))).statusCode()).isEqualTo(400);
    assertThat(send(HttpMethod.PATCH, "/update-phone-number/" + enc(NUMBER), KEY_A, new JsonObject()
        .put("allowed_inbound_country_list", new JsonArray().add(1))).statusCode()).isEqualTo(400);
  }
}
