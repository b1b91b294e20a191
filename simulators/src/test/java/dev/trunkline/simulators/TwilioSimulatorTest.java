package dev.trunkline.simulators;

import static dev.trunkline.contract.testing.Await.await;
import static dev.trunkline.contract.testing.SecretAssertions.assertNoSecret;
import static dev.trunkline.contract.testing.SecretAssertions.assertNoSecrets;
import static dev.trunkline.contract.testing.SecretAssertions.secrets;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The Twilio simulator over real HTTP: each operation, auth, paging and the account-level rules. */
@ExtendWith(VertxExtension.class)
class TwilioSimulatorTest {

  static final String ACCOUNT = "AC" + "0123456789abcdef0123456789abcdef";
  static final String TOKEN = "token-of-account-one";
  static final String OTHER_ACCOUNT = "AC" + "fedcba9876543210fedcba9876543210";
  static final String OTHER_TOKEN = "token-of-account-two";
  static final String PASSWORD = "Str0ngPassword99";

  private static Vertx vertx;
  private static TwilioSimulator sim;
  private static WebClient webClient;
  private TwilioClient twilio;
  private TwilioClient other;

  @BeforeAll
  static void startOnce() {
    // One simulator for the class: loading the OpenAPI documents once keeps the suite fast; reset() isolates tests.
    vertx = Vertx.vertx();
    sim = await(TwilioSimulator.start(vertx, new SimulatorOptions()));
    webClient = WebClient.create(vertx);
  }

  @AfterAll
  static void stopOnce() {
    webClient.close();
    await(sim.close());
    await(vertx.close());
  }

  @BeforeEach
  void resetState() {
    sim.reset();
    twilio = new TwilioClient(webClient, sim.baseUrl(), ACCOUNT, TOKEN);
    other = new TwilioClient(webClient, sim.baseUrl(), OTHER_ACCOUNT, OTHER_TOKEN);
  }

  @Test
  void fetchAccountCreatesItOnFirstUse() {
    HttpResponse<Buffer> reply = twilio.get("/2010-04-01/Accounts/$AC.json");
    // First: isNull() below would print an auth_token it found.
    assertNoSecret("the account resource", reply.bodyAsString(), "the auth token", TOKEN);
    assertThat(reply.statusCode()).isEqualTo(200);
    JsonObject account = reply.bodyAsJsonObject();
    assertThat(account.getString("sid")).isEqualTo(ACCOUNT);
    assertThat(account.getString("status")).isEqualTo("active");
    assertThat(account.getValue("auth_token")).isNull();
  }

  @Test
  void trunkLifecycle() {
    HttpResponse<Buffer> created = twilio.post("/v1/Trunks", "FriendlyName", "tenant-42",
        "DomainName", "tenant-42.pstn.twilio.com");
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    JsonObject trunk = created.bodyAsJsonObject();
    String sid = trunk.getString("sid");
    assertThat(sid).matches("TK[0-9a-f]{32}");
    assertThat(trunk.getString("account_sid")).isEqualTo(ACCOUNT);
    assertThat(trunk.getString("domain_name")).isEqualTo("tenant-42.pstn.twilio.com");
    assertThat(trunk.getString("friendly_name")).isEqualTo("tenant-42");
    assertThat(trunk.getString("url")).isEqualTo(sim.baseUrl() + "/v1/Trunks/" + sid);
    assertThat(trunk.getString("date_created")).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");

    assertThat(twilio.get("/v1/Trunks/" + sid).bodyAsJsonObject()).isEqualTo(trunk);
    HttpResponse<Buffer> updated = twilio.post("/v1/Trunks/" + sid, "FriendlyName", "renamed", "Secure", "true");
    assertThat(updated.statusCode()).isEqualTo(200);
    assertThat(updated.bodyAsJsonObject().getString("friendly_name")).isEqualTo("renamed");
    assertThat(updated.bodyAsJsonObject().getBoolean("secure")).isTrue();
    assertThat(updated.bodyAsJsonObject().getString("domain_name")).isEqualTo("tenant-42.pstn.twilio.com");

    assertThat(twilio.delete("/v1/Trunks/" + sid).statusCode()).isEqualTo(204);
    HttpResponse<Buffer> gone = twilio.get("/v1/Trunks/" + sid);
    assertThat(gone.statusCode()).isEqualTo(404);
    assertThat(gone.bodyAsJsonObject().getInteger("code")).isEqualTo(20404);
    assertThat(gone.bodyAsJsonObject().getInteger("status")).isEqualTo(404);
    assertThat(gone.bodyAsJsonObject().getString("more_info")).contains("20404");
    // The domain is free again once its trunk is gone.
    assertThat(other.post("/v1/Trunks", "DomainName", "tenant-42.pstn.twilio.com").statusCode()).isEqualTo(201);
  }

  // ---- auth

  @Test
  void badCredentialsAre401WithTwilioError20003() {
    twilio.get("/2010-04-01/Accounts/$AC.json");
    TwilioClient wrongToken = new TwilioClient(webClient, sim.baseUrl(), ACCOUNT, "not-the-token");
    assertAuthFailure(wrongToken.get("/v1/Trunks"));
    TwilioClient badSid = new TwilioClient(webClient, sim.baseUrl(), "ACnot-a-sid", TOKEN);
    assertAuthFailure(badSid.get("/v1/Trunks"));
    TwilioClient anonymous = new TwilioClient(webClient, sim.baseUrl(), null, null);
    HttpResponse<Buffer> none = anonymous.get("/v1/Trunks");
    assertAuthFailure(none);
    assertThat(none.getHeader("WWW-Authenticate")).startsWith("Basic");
    // Valid credentials for one account do not open another account's paths.
    assertAuthFailure(twilio.get("/2010-04-01/Accounts/" + OTHER_ACCOUNT + "/SIP/CredentialLists.json"));
    // The first token presented stays the account's token.
    assertThat(twilio.get("/v1/Trunks").statusCode()).isEqualTo(200);
    assertNoSecret("the reply to an anonymous request", none.bodyAsString(), "the auth token", TOKEN);
  }

  private static void assertAuthFailure(HttpResponse<Buffer> reply) {
    assertThat(reply.statusCode()).isEqualTo(401);
    assertThat(reply.bodyAsJsonObject().getInteger("code")).isEqualTo(20003);
    assertThat(reply.bodyAsJsonObject().getInteger("status")).isEqualTo(401);
    assertThat(reply.bodyAsJsonObject().getString("message")).isNotBlank();
    assertThat(reply.bodyAsJsonObject().getString("more_info")).isNotBlank();
  }

  @Test
  void accountsNeverSeeEachOthersResources() {
    String trunk = createTrunk(twilio, "private.pstn.twilio.com");
    String list = createCredentialList(twilio, "private list");
    assertThat(other.get("/v1/Trunks/" + trunk).statusCode()).isEqualTo(404);
    assertThat(other.get("/v1/Trunks").bodyAsJsonObject().getJsonArray("trunks")).isEmpty();
    assertThat(other.get("/2010-04-01/Accounts/$AC/SIP/CredentialLists/" + list + ".json").statusCode())
        .isEqualTo(404);
    assertThat(other.post("/v1/Trunks/" + trunk + "/CredentialLists", "CredentialListSid", list).statusCode())
        .isEqualTo(404);
    assertThat(sim.trunks(OTHER_ACCOUNT)).isEmpty();
    assertThat(sim.trunks(ACCOUNT)).hasSize(1);
  }

  // ---- trunks

  @Test
  void trunkListPagesWithMetaNextPageUrl() {
    List<String> created = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      created.add(createTrunk(twilio, null));
    }
    List<String> seen = new ArrayList<>();
    String next = "/v1/Trunks?PageSize=2";
    int pages = 0;
    while (next != null) {
      JsonObject page = twilio.get(next).bodyAsJsonObject();
      JsonObject meta = page.getJsonObject("meta");
      assertThat(meta.getString("key")).isEqualTo("trunks");
      assertThat(meta.getInteger("page_size")).isEqualTo(2);
      assertThat(meta.getInteger("page")).isEqualTo(pages);
      page.getJsonArray("trunks").forEach(t -> seen.add(((JsonObject) t).getString("sid")));
      next = meta.getString("next_page_url");
      if (next != null) {
        assertThat(next).startsWith(sim.baseUrl() + "/v1/Trunks?");
        next = next.substring(sim.baseUrl().length());
      }
      pages++;
    }
    assertThat(pages).isEqualTo(3);
    assertThat(seen).containsExactlyElementsOf(created);
  }

  @Test
  void domainNamesAreGlobalAndMustBePstnDomains() {
    createTrunk(twilio, "acme.pstn.twilio.com");
    HttpResponse<Buffer> taken = other.post("/v1/Trunks", "DomainName", "acme.pstn.twilio.com");
    assertThat(taken.statusCode()).isEqualTo(409);
    assertThat(taken.bodyAsJsonObject().getInteger("code")).isEqualTo(21248);
    HttpResponse<Buffer> takenSameAccount = twilio.post("/v1/Trunks", "DomainName", "ACME.pstn.twilio.com");
    assertThat(takenSameAccount.statusCode()).isEqualTo(409);
    String second = createTrunk(twilio, null);
    assertThat(twilio.post("/v1/Trunks/" + second, "DomainName", "acme.pstn.twilio.com").statusCode()).isEqualTo(409);

    // Moving a trunk to a new domain frees the old one; a rejected update changes nothing.
    assertThat(twilio.post("/v1/Trunks/" + second, "DomainName", "acme-2.pstn.twilio.com").statusCode()).isEqualTo(200);
    assertThat(twilio.post("/v1/Trunks/" + second, "DomainName", "acme-3.pstn.twilio.com").statusCode()).isEqualTo(200);
    assertThat(other.post("/v1/Trunks", "DomainName", "acme-2.pstn.twilio.com").statusCode()).isEqualTo(201);
    assertThat(twilio.post("/v1/Trunks/" + second, "FriendlyName", "changed", "DomainName", "nope.example.com")
        .statusCode()).isEqualTo(400);
    assertThat(twilio.get("/v1/Trunks/" + second).bodyAsJsonObject().getString("friendly_name")).isEqualTo("trunk");

    HttpResponse<Buffer> wrongSuffix = twilio.post("/v1/Trunks", "DomainName", "acme.example.com");
    assertThat(wrongSuffix.statusCode()).isEqualTo(400);
    assertThat(wrongSuffix.bodyAsJsonObject().getInteger("code")).isEqualTo(21201);
    assertThat(wrongSuffix.bodyAsJsonObject().getString("message")).contains(".pstn.twilio.com");
    assertThat(twilio.post("/v1/Trunks", "DomainName", "bad_label!.pstn.twilio.com").statusCode()).isEqualTo(400);
    assertThat(sim.trunks(ACCOUNT)).hasSize(2);
    assertThat(sim.trunks(OTHER_ACCOUNT)).hasSize(1);
  }

  @Test
  void trunkCredentialListAssociation() {
    String trunk = createTrunk(twilio, "assoc.pstn.twilio.com");
    String list = createCredentialList(twilio, "assoc list");
    HttpResponse<Buffer> associated = twilio.post("/v1/Trunks/" + trunk + "/CredentialLists",
        "CredentialListSid", list);
    assertThat(associated.statusCode()).isEqualTo(201);
    assertThat(associated.bodyAsJsonObject().getString("sid")).isEqualTo(list);
    assertThat(associated.bodyAsJsonObject().getString("trunk_sid")).isEqualTo(trunk);
    assertThat(associated.bodyAsJsonObject().getString("friendly_name")).isEqualTo("assoc list");
    HttpResponse<Buffer> again = twilio.post("/v1/Trunks/" + trunk + "/CredentialLists", "CredentialListSid", list);
    assertThat(again.statusCode()).isEqualTo(409);
    assertThat(again.bodyAsJsonObject().getInteger("code")).isEqualTo(21240);
    String unknownList = "CL" + "0".repeat(32);
    assertThat(twilio.post("/v1/Trunks/" + trunk + "/CredentialLists", "CredentialListSid", unknownList)
        .statusCode()).isEqualTo(400);
    assertThat(twilio.get("/v1/Trunks/" + trunk).bodyAsJsonObject().getJsonArray("auth_type_set"))
        .containsExactly("CREDENTIAL_LIST");

    JsonObject page = twilio.get("/v1/Trunks/" + trunk + "/CredentialLists").bodyAsJsonObject();
    assertThat(page.getJsonArray("credential_lists")).hasSize(1);
    assertThat(page.getJsonObject("meta").getString("key")).isEqualTo("credential_lists");
    assertThat(twilio.get("/v1/Trunks/" + trunk + "/CredentialLists/" + list).statusCode()).isEqualTo(200);
    assertThat(twilio.delete("/v1/Trunks/" + trunk + "/CredentialLists/" + list).statusCode()).isEqualTo(204);
    assertThat(twilio.get("/v1/Trunks/" + trunk + "/CredentialLists/" + list).statusCode()).isEqualTo(404);
    // Dissociating keeps the list itself.
    assertThat(twilio.get("/2010-04-01/Accounts/$AC/SIP/CredentialLists/" + list + ".json").statusCode())
        .isEqualTo(200);
  }

  @Test
  void originationUrls() {
    String trunk = createTrunk(twilio, null);
    HttpResponse<Buffer> created = twilio.post("/v1/Trunks/" + trunk + "/OriginationUrls", "Weight", "1",
        "Priority", "1", "Enabled", "true", "FriendlyName", "retell", "SipUrl", "sip:sip.retellai.com");
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    JsonObject origination = created.bodyAsJsonObject();
    String sid = origination.getString("sid");
    assertThat(sid).matches("OU[0-9a-f]{32}");
    assertThat(origination.getString("sip_url")).isEqualTo("sip:sip.retellai.com");
    assertThat(origination.getInteger("weight")).isEqualTo(1);
    assertThat(origination.getBoolean("enabled")).isTrue();
    assertThat(twilio.get("/v1/Trunks/" + trunk + "/OriginationUrls/" + sid).bodyAsJsonObject()).isEqualTo(origination);
    assertThat(twilio.get("/v1/Trunks/" + trunk + "/OriginationUrls").bodyAsJsonObject()
        .getJsonArray("origination_urls")).hasSize(1);
    HttpResponse<Buffer> updated = twilio.post("/v1/Trunks/" + trunk + "/OriginationUrls/" + sid, "Enabled", "false");
    assertThat(updated.bodyAsJsonObject().getBoolean("enabled")).isFalse();
    // UpdateOriginationUrl takes SipUrl too (setup converges the transport that way), leaving the rest alone.
    HttpResponse<Buffer> moved = twilio.post("/v1/Trunks/" + trunk + "/OriginationUrls/" + sid,
        "SipUrl", "sip:sip.retellai.com;transport=tcp", "Enabled", "true");
    assertThat(moved.statusCode()).as(moved.bodyAsString()).isEqualTo(200);
    assertThat(moved.bodyAsJsonObject().getString("sip_url")).isEqualTo("sip:sip.retellai.com;transport=tcp");
    assertThat(moved.bodyAsJsonObject().getBoolean("enabled")).isTrue();
    assertThat(moved.bodyAsJsonObject().getString("sid")).isEqualTo(sid);
    assertThat(moved.bodyAsJsonObject().getString("friendly_name")).isEqualTo("retell");
    assertThat(twilio.get("/v1/Trunks/" + trunk + "/OriginationUrls").bodyAsJsonObject()
        .getJsonArray("origination_urls")).hasSize(1);
    assertThat(twilio.post("/v1/Trunks/" + trunk + "/OriginationUrls/" + sid, "SipUrl", "https://example.com")
        .statusCode()).isEqualTo(400);

    HttpResponse<Buffer> notSip = twilio.post("/v1/Trunks/" + trunk + "/OriginationUrls", "Weight", "1",
        "Priority", "1", "Enabled", "true", "FriendlyName", "x", "SipUrl", "https://example.com");
    assertThat(notSip.statusCode()).isEqualTo(400);
    assertThat(notSip.bodyAsJsonObject().getInteger("code")).isEqualTo(21201);
    assertThat(twilio.delete("/v1/Trunks/" + trunk + "/OriginationUrls/" + sid).statusCode()).isEqualTo(204);
    assertThat(twilio.get("/v1/Trunks/" + trunk + "/OriginationUrls/" + sid).statusCode()).isEqualTo(404);
  }

  @Test
  void openApiValidationRejectsNonConformingRequests() {
    String trunk = createTrunk(twilio, null);
    HttpResponse<Buffer> missingWeight = twilio.post("/v1/Trunks/" + trunk + "/OriginationUrls",
        "Priority", "1", "Enabled", "true", "FriendlyName", "retell", "SipUrl", "sip:sip.retellai.com");
    assertThat(missingWeight.statusCode()).isEqualTo(400);
    assertThat(missingWeight.bodyAsJsonObject().getInteger("code")).isEqualTo(21200);
    assertThat(missingWeight.bodyAsJsonObject().getString("message")).contains("CreateOriginationUrl")
        .contains("Weight");

    HttpResponse<Buffer> notBoolean = twilio.post("/v1/Trunks/" + trunk + "/OriginationUrls", "Weight", "1",
        "Priority", "1", "Enabled", "maybe", "FriendlyName", "retell", "SipUrl", "sip:sip.retellai.com");
    assertThat(notBoolean.statusCode()).isEqualTo(400);
    assertThat(notBoolean.bodyAsJsonObject().getString("message")).contains("Enabled");

    HttpResponse<Buffer> badSid = twilio.get("/v1/Trunks/TKnot-a-trunk-sid");
    assertThat(badSid.statusCode()).isEqualTo(400);
    assertThat(badSid.bodyAsJsonObject().getInteger("code")).isEqualTo(21200);
    assertThat(twilio.get("/v1/Trunks?PageSize=0").statusCode()).isEqualTo(400);
    assertThat(twilio.get("/v1/Trunks?PageSize=1001").statusCode()).isEqualTo(400);
    assertThat(twilio.post("/2010-04-01/Accounts/$AC/SIP/CredentialLists.json").statusCode()).isEqualTo(400);
    assertThat(twilio.post("/v1/Trunks/" + trunk + "/PhoneNumbers", "PhoneNumberSid", "PN123").statusCode())
        .isEqualTo(400);
    assertThat(twilio.get("/2010-04-01/Accounts/$AC/AvailablePhoneNumbers/US/Local.json?AreaCode=abc").statusCode())
        .isEqualTo(400);
    // Nothing was created by the rejected requests.
    assertThat(sim.trunks(ACCOUNT).get(0).getJsonArray("origination_urls")).isEmpty();
    assertThat(sim.credentialLists(ACCOUNT)).isEmpty();
  }

  // ---- SIP credential lists and credentials

  @Test
  void credentialListLifecycleAndPaging() {
    List<String> lists = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      lists.add(createCredentialList(twilio, "list " + i));
    }
    JsonObject first = twilio.get("/2010-04-01/Accounts/$AC/SIP/CredentialLists.json?PageSize=2").bodyAsJsonObject();
    assertThat(first.getJsonArray("credential_lists")).hasSize(2);
    assertThat(first.getInteger("page_size")).isEqualTo(2);
    assertThat(first.getInteger("start")).isZero();
    assertThat(first.getInteger("end")).isEqualTo(1);
    String next = first.getString("next_page_uri");
    assertThat(next).startsWith("/2010-04-01/Accounts/" + ACCOUNT + "/SIP/CredentialLists.json?");
    JsonObject second = twilio.get(next).bodyAsJsonObject();
    assertThat(second.getJsonArray("credential_lists")).hasSize(1);
    assertThat(second.getJsonArray("credential_lists").getJsonObject(0).getString("sid")).isEqualTo(lists.get(2));
    assertThat(second.getValue("next_page_uri")).isNull();
    assertThat(second.getString("previous_page_uri")).isNotNull();

    String sid = lists.get(0);
    JsonObject fetched = twilio.get("/2010-04-01/Accounts/$AC/SIP/CredentialLists/" + sid + ".json").bodyAsJsonObject();
    assertThat(fetched.getString("friendly_name")).isEqualTo("list 0");
    assertThat(fetched.getString("date_created")).matches("\\w{3}, \\d\\d \\w{3} \\d{4} \\d\\d:\\d\\d:\\d\\d \\+0000");
    assertThat(fetched.getJsonObject("subresource_uris").getString("credentials")).endsWith("/Credentials.json");
    assertThat(twilio.post("/2010-04-01/Accounts/$AC/SIP/CredentialLists/" + sid + ".json", "FriendlyName", "renamed")
        .bodyAsJsonObject().getString("friendly_name")).isEqualTo("renamed");
    assertThat(twilio.delete("/2010-04-01/Accounts/$AC/SIP/CredentialLists/" + sid + ".json").statusCode())
        .isEqualTo(204);
    HttpResponse<Buffer> gone = twilio.get("/2010-04-01/Accounts/$AC/SIP/CredentialLists/" + sid + ".json");
    assertThat(gone.statusCode()).isEqualTo(404);
    assertThat(gone.bodyAsJsonObject().getInteger("code")).isEqualTo(20404);
  }

  @Test
  void credentialsEnforceUsernameAndPasswordRulesAndNeverShowThePassword() {
    String list = createCredentialList(twilio, "creds");
    String path = "/2010-04-01/Accounts/$AC/SIP/CredentialLists/" + list + "/Credentials.json";
    HttpResponse<Buffer> created = twilio.post(path, "Username", "tenant_42_user", "Password", PASSWORD);
    // First: the assertions below print the reply, or parts of it, when they fail.
    assertNoSecret("the created credential", created.bodyAsString(), "the password", PASSWORD);
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    JsonObject credential = created.bodyAsJsonObject();
    String sid = credential.getString("sid");
    assertThat(sid).matches("CR[0-9a-f]{32}");
    assertThat(credential.getString("username")).isEqualTo("tenant_42_user");
    assertThat(credential.getString("credential_list_sid")).isEqualTo(list);
    assertThat(created.bodyAsString()).doesNotContainIgnoringCase("password");
    assertThat(sim.checkPassword(ACCOUNT, list, "tenant_42_user", PASSWORD)).isTrue();
    assertThat(sim.checkPassword(ACCOUNT, list, "tenant_42_user", "Wr0ngPassword99")).isFalse();

    HttpResponse<Buffer> duplicate = twilio.post(path, "Username", "tenant_42_user", "Password", PASSWORD);
    assertThat(duplicate.statusCode()).isEqualTo(409);
    assertThat(duplicate.bodyAsJsonObject().getInteger("code")).isEqualTo(21239);

    HttpResponse<Buffer> tooLong = twilio.post(path, "Username", "u".repeat(33), "Password", PASSWORD);
    assertThat(tooLong.statusCode()).isEqualTo(400);
    assertThat(tooLong.bodyAsJsonObject().getInteger("code")).isEqualTo(21201);
    assertThat(twilio.post(path, "Username", "u".repeat(32), "Password", PASSWORD).statusCode()).isEqualTo(201);

    // Named: a rejected password is still a password, so the descriptions say which rule, not which value.
    Map<String, String> weakPasswords = secrets("too short", "Sh0rtPass", "no digit", "nodigitsHereAtAll",
        "no lowercase", "NOLOWERCASE123", "no uppercase", "nouppercase123");
    for (Map.Entry<String, String> weak : weakPasswords.entrySet()) {
      HttpResponse<Buffer> rejected = twilio.post(path, "Username", "weak_user", "Password", weak.getValue());
      assertNoSecret("the rejection of a weak password (" + weak.getKey() + ")", rejected.bodyAsString(),
          "the weak password", weak.getValue());
      assertThat(rejected.statusCode()).as("weak password (%s)", weak.getKey()).isEqualTo(400);
      assertThat(rejected.bodyAsJsonObject().getInteger("code")).isEqualTo(21202);
    }

    String credentialPath = "/2010-04-01/Accounts/$AC/SIP/CredentialLists/" + list + "/Credentials/" + sid + ".json";
    assertThat(twilio.get(credentialPath).bodyAsJsonObject().getString("username")).isEqualTo("tenant_42_user");
    HttpResponse<Buffer> weakUpdate = twilio.post(credentialPath, "Password", "weak");
    assertThat(weakUpdate.statusCode()).isEqualTo(400);
    assertThat(sim.checkPassword(ACCOUNT, list, "tenant_42_user", PASSWORD)).isTrue();
    HttpResponse<Buffer> rotated = twilio.post(credentialPath, "Password", "N3wStrongPassword");
    assertNoSecret("the updated credential", rotated.bodyAsString(), "the new password", "N3wStrongPassword");
    assertThat(rotated.statusCode()).isEqualTo(200);
    assertThat(sim.checkPassword(ACCOUNT, list, "tenant_42_user", "N3wStrongPassword")).isTrue();

    JsonObject page = twilio.get(path).bodyAsJsonObject();
    Map<String, String> passwords = secrets("the password", PASSWORD, "the new password", "N3wStrongPassword");
    assertNoSecrets("the credential list", page.encode(), passwords);
    assertNoSecrets("the simulator's state", sim.state(ACCOUNT).encode(), passwords);
    assertThat(page.getJsonArray("credentials")).hasSize(2);

    assertThat(twilio.delete(credentialPath).statusCode()).isEqualTo(204);
    assertThat(twilio.get(credentialPath).statusCode()).isEqualTo(404);
    assertThat(sim.checkPassword(ACCOUNT, list, "tenant_42_user", "N3wStrongPassword")).isFalse();
  }

  // ---- numbers

  @Test
  void availableNumbersSearch() {
    JsonObject local = twilio.get("/2010-04-01/Accounts/$AC/AvailablePhoneNumbers/US/Local.json?AreaCode=415&PageSize=5")
        .bodyAsJsonObject();
    JsonArray numbers = local.getJsonArray("available_phone_numbers");
    assertThat(numbers).hasSize(5);
    numbers.forEach(n -> assertThat(((JsonObject) n).getString("phone_number")).startsWith("+1415"));
    assertThat(numbers.getJsonObject(0).getString("friendly_name")).isEqualTo("(415) 555-0100");
    assertThat(numbers.getJsonObject(0).getString("iso_country")).isEqualTo("US");
    assertThat(local.getValue("next_page_uri")).isNull();

    JsonArray contains = twilio.get("/2010-04-01/Accounts/$AC/AvailablePhoneNumbers/US/Local.json?AreaCode=212"
        + "&Contains=0142").bodyAsJsonObject().getJsonArray("available_phone_numbers");
    assertThat(contains).hasSize(1);
    assertThat(contains.getJsonObject(0).getString("phone_number")).isEqualTo("+12125550142");

    JsonArray tollFree = twilio.get("/2010-04-01/Accounts/$AC/AvailablePhoneNumbers/US/TollFree.json?PageSize=3")
        .bodyAsJsonObject().getJsonArray("available_phone_numbers");
    assertThat(tollFree.getJsonObject(0).getString("phone_number")).isEqualTo("+18005550100");
    JsonArray mobile = twilio.get("/2010-04-01/Accounts/$AC/AvailablePhoneNumbers/GB/Mobile.json?PageSize=2")
        .bodyAsJsonObject().getJsonArray("available_phone_numbers");
    assertThat(mobile.getJsonObject(0).getString("phone_number")).isEqualTo("+447700900000");

    for (String bad : List.of("41", "4155", "015")) {
      HttpResponse<Buffer> rejected = twilio.get("/2010-04-01/Accounts/$AC/AvailablePhoneNumbers/US/Local.json"
          + "?AreaCode=" + bad);
      assertThat(rejected.statusCode()).as(bad).isEqualTo(400);
      assertThat(rejected.bodyAsJsonObject().getString("message")).contains("AreaCode");
    }
  }

  @Test
  void purchaseTheExactNumberOrFailNeverASubstitute() {
    String trunk = createTrunk(twilio, null);
    String address = "AD" + "1".repeat(32);
    String emergency = "AD" + "2".repeat(32);
    String bundle = "BU" + "3".repeat(32);
    HttpResponse<Buffer> bought = twilio.post("/2010-04-01/Accounts/$AC/IncomingPhoneNumbers.json",
        "PhoneNumber", "+14155550123", "TrunkSid", trunk, "AddressSid", address, "EmergencyAddressSid", emergency,
        "BundleSid", bundle);
    assertThat(bought.statusCode()).as(bought.bodyAsString()).isEqualTo(201);
    JsonObject number = bought.bodyAsJsonObject();
    assertThat(number.getString("phone_number")).isEqualTo("+14155550123");
    assertThat(number.getString("sid")).matches("PN[0-9a-f]{32}");
    assertThat(number.getString("trunk_sid")).isEqualTo(trunk);
    assertThat(number.getString("address_sid")).isEqualTo(address);
    assertThat(number.getString("emergency_address_sid")).isEqualTo(emergency);
    assertThat(number.getString("bundle_sid")).isEqualTo(bundle);
    assertThat(number.getString("account_sid")).isEqualTo(ACCOUNT);

    // Gone from the inventory, for every account.
    JsonArray left = twilio.get("/2010-04-01/Accounts/$AC/AvailablePhoneNumbers/US/Local.json?AreaCode=415"
        + "&Contains=0123").bodyAsJsonObject().getJsonArray("available_phone_numbers");
    assertThat(left).isEmpty();
    HttpResponse<Buffer> again = other.post("/2010-04-01/Accounts/" + OTHER_ACCOUNT + "/IncomingPhoneNumbers.json",
        "PhoneNumber", "+14155550123");
    assertThat(again.statusCode()).isEqualTo(400);
    assertThat(again.bodyAsJsonObject().getInteger("code")).isEqualTo(21422);
    HttpResponse<Buffer> notInInventory = twilio.post("/2010-04-01/Accounts/$AC/IncomingPhoneNumbers.json",
        "PhoneNumber", "+14155559999");
    assertThat(notInInventory.statusCode()).isEqualTo(400);
    assertThat(notInInventory.bodyAsJsonObject().getInteger("code")).isEqualTo(21422);
    assertThat(sim.incomingNumbers(OTHER_ACCOUNT)).isEmpty();

    HttpResponse<Buffer> byAreaCode = twilio.post("/2010-04-01/Accounts/$AC/IncomingPhoneNumbers.json",
        "AreaCode", "628");
    assertThat(byAreaCode.statusCode()).isEqualTo(201);
    assertThat(byAreaCode.bodyAsJsonObject().getString("phone_number")).isEqualTo("+16285550100");
    assertThat(twilio.post("/2010-04-01/Accounts/$AC/IncomingPhoneNumbers.json", "AreaCode", "62").statusCode())
        .isEqualTo(400);
    HttpResponse<Buffer> nothing = twilio.post("/2010-04-01/Accounts/$AC/IncomingPhoneNumbers.json",
        "FriendlyName", "no number");
    assertThat(nothing.statusCode()).isEqualTo(400);
    assertThat(nothing.bodyAsJsonObject().getInteger("code")).isEqualTo(21201);
    HttpResponse<Buffer> unknownTrunk = twilio.post("/2010-04-01/Accounts/$AC/IncomingPhoneNumbers.json",
        "PhoneNumber", "+14155550124", "TrunkSid", "TK" + "9".repeat(32));
    assertThat(unknownTrunk.statusCode()).isEqualTo(400);
    assertThat(sim.incomingNumbers(ACCOUNT)).hasSize(2);
  }

  @Test
  void incomingNumbersListFetchUpdateRelease() {
    String trunk = createTrunk(twilio, null);
    List<String> sids = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      sids.add(buy(twilio, "+1212555010" + i));
    }
    String path = "/2010-04-01/Accounts/$AC/IncomingPhoneNumbers.json";
    JsonObject filtered = twilio.get(path + "?PhoneNumber=%2B12125550101").bodyAsJsonObject();
    assertThat(filtered.getJsonArray("incoming_phone_numbers")).hasSize(1);
    assertThat(filtered.getJsonArray("incoming_phone_numbers").getJsonObject(0).getString("sid")).isEqualTo(sids.get(1));

    JsonObject first = twilio.get(path + "?PageSize=2").bodyAsJsonObject();
    assertThat(first.getJsonArray("incoming_phone_numbers")).hasSize(2);
    JsonObject second = twilio.get(first.getString("next_page_uri")).bodyAsJsonObject();
    assertThat(second.getJsonArray("incoming_phone_numbers").getJsonObject(0).getString("sid")).isEqualTo(sids.get(2));
    assertThat(second.getValue("next_page_uri")).isNull();

    String numberPath = "/2010-04-01/Accounts/$AC/IncomingPhoneNumbers/" + sids.get(0) + ".json";
    assertThat(twilio.get(numberPath).bodyAsJsonObject().getValue("trunk_sid")).isNull();
    HttpResponse<Buffer> updated = twilio.post(numberPath, "TrunkSid", trunk);
    assertThat(updated.statusCode()).isEqualTo(200);
    assertThat(updated.bodyAsJsonObject().getString("trunk_sid")).isEqualTo(trunk);
    assertThat(twilio.get("/v1/Trunks/" + trunk + "/PhoneNumbers").bodyAsJsonObject().getJsonArray("phone_numbers"))
        .hasSize(1);

    assertThat(twilio.delete(numberPath).statusCode()).isEqualTo(204);
    assertThat(twilio.get(numberPath).statusCode()).isEqualTo(404);
    assertThat(twilio.get("/v1/Trunks/" + trunk + "/PhoneNumbers").bodyAsJsonObject().getJsonArray("phone_numbers"))
        .isEmpty();
    assertThat(sim.incomingNumbers(ACCOUNT)).hasSize(2);
  }

  @Test
  void trunkPhoneNumbers() {
    String trunk = createTrunk(twilio, null);
    String number = buy(twilio, "+13125550100");
    HttpResponse<Buffer> associated = twilio.post("/v1/Trunks/" + trunk + "/PhoneNumbers", "PhoneNumberSid", number);
    assertThat(associated.statusCode()).as(associated.bodyAsString()).isEqualTo(201);
    assertThat(associated.bodyAsJsonObject().getString("trunk_sid")).isEqualTo(trunk);
    assertThat(associated.bodyAsJsonObject().getString("phone_number")).isEqualTo("+13125550100");
    assertThat(twilio.post("/v1/Trunks/" + trunk + "/PhoneNumbers", "PhoneNumberSid", number).statusCode())
        .isEqualTo(409);
    assertThat(twilio.post("/v1/Trunks/" + trunk + "/PhoneNumbers", "PhoneNumberSid", "PN" + "0".repeat(32))
        .statusCode()).isEqualTo(400);
    assertThat(twilio.get("/v1/Trunks/" + trunk + "/PhoneNumbers/" + number).statusCode()).isEqualTo(200);
    JsonObject list = twilio.get("/v1/Trunks/" + trunk + "/PhoneNumbers").bodyAsJsonObject();
    assertThat(list.getJsonArray("phone_numbers")).hasSize(1);
    assertThat(list.getJsonObject("meta").getString("key")).isEqualTo("phone_numbers");

    assertThat(twilio.delete("/v1/Trunks/" + trunk + "/PhoneNumbers/" + number).statusCode()).isEqualTo(204);
    assertThat(twilio.get("/v1/Trunks/" + trunk + "/PhoneNumbers/" + number).statusCode()).isEqualTo(404);
    // Removing from the trunk keeps the number in the account.
    assertThat(twilio.get("/2010-04-01/Accounts/$AC/IncomingPhoneNumbers/" + number + ".json").bodyAsJsonObject()
        .getValue("trunk_sid")).isNull();

    twilio.post("/v1/Trunks/" + trunk + "/PhoneNumbers", "PhoneNumberSid", number);
    assertThat(twilio.delete("/v1/Trunks/" + trunk).statusCode()).isEqualTo(204);
    assertThat(twilio.get("/2010-04-01/Accounts/$AC/IncomingPhoneNumbers/" + number + ".json").bodyAsJsonObject()
        .getValue("trunk_sid")).isNull();
  }

  // ---- helpers over the state, counters and admin

  @Test
  void stateViewAndWriteCountersSupportIdempotenceChecks() {
    String trunk = createTrunk(twilio, "state.pstn.twilio.com");
    String list = createCredentialList(twilio, "state list");
    twilio.post("/2010-04-01/Accounts/$AC/SIP/CredentialLists/" + list + "/Credentials.json", "Username", "state_user",
        "Password", PASSWORD);
    twilio.post("/v1/Trunks/" + trunk + "/CredentialLists", "CredentialListSid", list);
    assertThat(sim.requests().writes(ACCOUNT)).isEqualTo(4);
    long reads = sim.requests().reads(ACCOUNT);
    twilio.get("/v1/Trunks/" + trunk);
    assertThat(sim.requests().writes(ACCOUNT)).isEqualTo(4);
    assertThat(sim.requests().reads(ACCOUNT)).isEqualTo(reads + 1);
    assertThat(sim.requests().count("POST", "/v1/Trunks")).isEqualTo(1);
    assertThat(sim.requests().count("POST", "/2010-04-01/Accounts/*/SIP/**")).isEqualTo(2);

    JsonObject state = sim.state(ACCOUNT);
    // Scanned first: the assertions below print the state, or parts of it, when they fail.
    assertNoSecrets("the simulator's state", state.encode(), secrets("the password", PASSWORD, "the auth token",
        TOKEN));
    JsonObject trunkView = state.getJsonArray("trunks").getJsonObject(0);
    assertThat(trunkView.getJsonArray("credential_list_sids")).containsExactly(list);
    assertThat(state.getJsonArray("credential_lists").getJsonObject(0).getJsonArray("credentials")
        .getJsonObject(0).getString("username")).isEqualTo("state_user");

    HttpResponse<Buffer> adminState = await(webClient.getAbs(sim.baseUrl() + "/__admin/state?account=" + ACCOUNT)
        .timeout(10_000).send());
    assertNoSecret("GET /__admin/state", adminState.bodyAsString(), "the password", PASSWORD);
    assertThat(adminState.bodyAsJsonObject()).isEqualTo(state);
    HttpResponse<Buffer> check = await(webClient.postAbs(sim.baseUrl() + "/__admin/check-password").timeout(10_000)
        .sendJsonObject(new JsonObject().put("accountSid", ACCOUNT).put("credentialListSid", list)
            .put("username", "state_user").put("password", PASSWORD)));
    assertThat(check.bodyAsJsonObject().getBoolean("matches")).isTrue();
  }

  static String createTrunk(TwilioClient client, String domain) {
    HttpResponse<Buffer> reply = domain == null ? client.post("/v1/Trunks", "FriendlyName", "trunk")
        : client.post("/v1/Trunks", "FriendlyName", "trunk", "DomainName", domain);
    assertThat(reply.statusCode()).as(reply.bodyAsString()).isEqualTo(201);
    return reply.bodyAsJsonObject().getString("sid");
  }

  static String createCredentialList(TwilioClient client, String name) {
    HttpResponse<Buffer> reply = client.post("/2010-04-01/Accounts/$AC/SIP/CredentialLists.json", "FriendlyName", name);
    assertThat(reply.statusCode()).as(reply.bodyAsString()).isEqualTo(201);
    return reply.bodyAsJsonObject().getString("sid");
  }

  static String buy(TwilioClient client, String e164) {
    HttpResponse<Buffer> reply = client.post("/2010-04-01/Accounts/$AC/IncomingPhoneNumbers.json", "PhoneNumber", e164);
    assertThat(reply.statusCode()).as(reply.bodyAsString()).isEqualTo(201);
    return reply.bodyAsJsonObject().getString("sid");
  }

  @Test
  void concurrentCreatesKeepTheUniquenessRules() {
    String list = createCredentialList(twilio, "race");
    String credentials = "/2010-04-01/Accounts/$AC/SIP/CredentialLists/" + list + "/Credentials.json";
    List<Future<HttpResponse<Buffer>>> calls = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      TwilioClient client = i % 2 == 0 ? twilio : other;
      calls.add(client.request(HttpMethod.POST, "/v1/Trunks").sendForm(MultiMap.caseInsensitiveMultiMap()
          .add("DomainName", "race.pstn.twilio.com")));
      calls.add(twilio.request(HttpMethod.POST, credentials).sendForm(MultiMap.caseInsensitiveMultiMap()
          .add("Username", "race_user").add("Password", PASSWORD)));
    }
    await(Future.all(calls));
    List<Integer> trunkStatuses = new ArrayList<>();
    List<Integer> credentialStatuses = new ArrayList<>();
    for (int i = 0; i < calls.size(); i++) {
      (i % 2 == 0 ? trunkStatuses : credentialStatuses).add(calls.get(i).result().statusCode());
    }
    assertThat(trunkStatuses).filteredOn(s -> s == 201).hasSize(1);
    assertThat(trunkStatuses).filteredOn(s -> s == 409).hasSize(19);
    assertThat(credentialStatuses).filteredOn(s -> s == 201).hasSize(1);
    assertThat(credentialStatuses).filteredOn(s -> s == 409).hasSize(19);
    assertThat(sim.trunks(ACCOUNT).size() + sim.trunks(OTHER_ACCOUNT).size()).isEqualTo(1);
    assertThat(sim.credentialLists(ACCOUNT).get(0).getJsonArray("credentials")).hasSize(1);
  }
}
