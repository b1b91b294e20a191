package dev.trunkline.twilio;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trunkline.contract.Addresses;
import dev.trunkline.contract.TenantRef;
import dev.trunkline.contract.TwilioMessages.EnsureTrunk;
import dev.trunkline.contract.TwilioMessages.TrunkInfo;
import dev.trunkline.contract.TwilioMessages.TrunkStatus;
import dev.trunkline.twilio.TwilioTestEnv.Tenant;
import dev.trunkline.twilio.client.Resources;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The inbound transport: the origination URL setup provisions carries {@code ;transport=} of
 * {@code retell.transport}, and a trunk whose Retell URL has another transport, or none (UDP), is converged in
 * place: the same origination URL, updated, never a second one.
 */
@ExtendWith(VertxExtension.class)
class OriginationTransportTest {
  private static final String RETELL_PLAIN = "sip:sip.retellai.com";
  private static final String RETELL_TCP = TrunkSetupTest.RETELL_TCP;
  private static TwilioTestEnv env;

  @BeforeAll
  static void start(Vertx vertx) {
    env = TwilioTestEnv.start(vertx, null);
  }

  @AfterAll
  static void stop() {
    env.stop();
  }

  private static TrunkInfo ensure(TwilioTestEnv on, Tenant t) {
    return on.call(Addresses.Twilio.TRUNK_ENSURE, new EnsureTrunk(t.subaccountId(), null, null, null),
        TrunkInfo.class);
  }

  private static TrunkStatus status(Tenant t) {
    return env.call(Addresses.Twilio.TRUNK_STATUS, new TenantRef(t.subaccountId()), TrunkStatus.class);
  }

  private static JsonArray originationUrls(TwilioTestEnv on, Tenant t) {
    List<JsonObject> trunks = on.sim.trunks(t.accountSid());
    assertThat(trunks).as("trunks of the tenant").hasSize(1);
    return trunks.get(0).getJsonArray("origination_urls");
  }

  /** A trunk as an earlier Trunkline (or a person) left it: named for the tenant, with a domain. */
  private static Resources.Trunk seedTrunk(Tenant t) {
    String name = "trunkline-" + t.subaccountId();
    return TwilioTestEnv.await(env.api.createTrunk(t.auth(), name, name + ".pstn.twilio.com"));
  }

  /** Creates an origination URL through the simulator's API, as Twilio's console would. */
  private static String seedOriginationUrl(Tenant t, String trunkSid, String sipUrl, boolean enabled) {
    return post(t, "/v1/Trunks/" + trunkSid + "/OriginationUrls", MultiMap.caseInsensitiveMultiMap()
        .add("Weight", "1").add("Priority", "1").add("Enabled", Boolean.toString(enabled))
        .add("FriendlyName", "legacy").add("SipUrl", sipUrl), 201).getString("sid");
  }

  private static JsonObject post(Tenant t, String path, MultiMap form, int expectedStatus) {
    WebClient web = WebClient.create(env.vertx);
    try {
      return TwilioTestEnv.await(web.postAbs(env.sim.baseUrl() + path)
          .basicAuthentication(t.accountSid(), t.auth().authToken().reveal()).timeout(10_000).sendForm(form)
          .map(r -> {
            assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(expectedStatus);
            return r.bodyAsJsonObject();
          }));
    } finally {
      web.close();
    }
  }

  private static long originationUpdates(String trunkSid) {
    return env.sim.requests().count("POST", "/v1/Trunks/" + trunkSid + "/OriginationUrls/*");
  }

  @ParameterizedTest(name = "retell.transport={0}")
  @CsvSource({"UDP, sip:sip.retellai.com;transport=udp", "tls, sip:sip.retellai.com;transport=tls"})
  void aNewTrunkCarriesTheConfiguredTransport(String transport, String expected) {
    Vertx vertx = Vertx.vertx();
    TwilioTestEnv other = TwilioTestEnv.startWith(vertx, null,
        new JsonObject().put("retell", new JsonObject().put("transport", transport)));
    try {
      Tenant t = other.newTenant();
      TrunkInfo info = ensure(other, t);
      assertThat(info.originationUrl()).isEqualTo(expected);
      JsonArray urls = originationUrls(other, t);
      assertThat(urls).hasSize(1);
      assertThat(urls.getJsonObject(0).getString("sip_url")).isEqualTo(expected);
      assertThat(other.call(Addresses.Twilio.TRUNK_STATUS, new TenantRef(t.subaccountId()), TrunkStatus.class)
          .problems()).isEmpty();
    } finally {
      other.stop();
      TwilioTestEnv.await(vertx.close());
    }
  }

  @Test
  void aNewTrunkCarriesTcpByDefault() {
    Tenant t = env.newTenant();
    assertThat(ensure(env, t).originationUrl()).isEqualTo(RETELL_TCP);
    assertThat(originationUrls(env, t).getJsonObject(0).getString("sip_url")).isEqualTo(RETELL_TCP);
  }

  @Test
  void aPlainRetellUrlIsUpdatedInPlaceAndASecondSetupChangesNothing() {
    Tenant t = env.newTenant();
    Resources.Trunk trunk = seedTrunk(t);
    String sid = seedOriginationUrl(t, trunk.sid(), RETELL_PLAIN, true);

    TrunkInfo info = ensure(env, t);

    assertThat(info.trunkSid()).isEqualTo(trunk.sid());
    assertThat(info.repaired()).contains("originationUrlTransport").doesNotContain("originationUrl",
        "originationUrlEnabled");
    assertThat(info.originationUrl()).isEqualTo(RETELL_TCP);
    JsonArray urls = originationUrls(env, t);
    assertThat(urls).as("one origination URL, not a second one").hasSize(1);
    JsonObject url = urls.getJsonObject(0);
    assertThat(url.getString("sid")).as("the same origination URL").isEqualTo(sid);
    assertThat(url.getString("sip_url")).isEqualTo(RETELL_TCP);
    assertThat(url.getBoolean("enabled")).isTrue();
    assertThat(url.getString("friendly_name")).as("nothing else of it changes").isEqualTo("legacy");
    assertThat(env.connector(t).trunk().originationUrlSid()).isEqualTo(sid);
    assertThat(status(t).problems()).isEmpty();

    long writes = env.sim.requests().writes(t.accountSid());
    TrunkInfo again = ensure(env, t);
    assertThat(env.sim.requests().writes(t.accountSid())).as("Twilio writes on re-run").isEqualTo(writes);
    assertThat(again.repaired()).isEmpty();
    assertThat(again.originationUrl()).isEqualTo(RETELL_TCP);
    assertThat(originationUrls(env, t)).hasSize(1);
  }

  @Test
  void aDisabledUrlWithAnotherTransportIsConvergedAndEnabledInOneWrite() {
    Tenant t = env.newTenant();
    Resources.Trunk trunk = seedTrunk(t);
    String sid = seedOriginationUrl(t, trunk.sid(), "sip:sip.retellai.com;transport=udp", false);

    TrunkInfo info = ensure(env, t);

    assertThat(info.repaired()).contains("originationUrlTransport", "originationUrlEnabled")
        .doesNotContain("originationUrl");
    assertThat(originationUpdates(trunk.sid())).as("updates of origination URLs").isEqualTo(1);
    JsonArray urls = originationUrls(env, t);
    assertThat(urls).hasSize(1);
    assertThat(urls.getJsonObject(0).getString("sid")).isEqualTo(sid);
    assertThat(urls.getJsonObject(0).getString("sip_url")).isEqualTo(RETELL_TCP);
    assertThat(urls.getJsonObject(0).getBoolean("enabled")).isTrue();
  }

  @Test
  void aDisabledUrlWithTheRightTransportIsOnlyReEnabled() {
    Tenant t = env.newTenant();
    Resources.Trunk trunk = seedTrunk(t);
    String sid = seedOriginationUrl(t, trunk.sid(), RETELL_TCP, false);

    TrunkInfo info = ensure(env, t);

    assertThat(info.repaired()).contains("originationUrlEnabled").doesNotContain("originationUrl",
        "originationUrlTransport");
    JsonArray urls = originationUrls(env, t);
    assertThat(urls).hasSize(1);
    assertThat(urls.getJsonObject(0).getString("sid")).isEqualTo(sid);
    assertThat(urls.getJsonObject(0).getBoolean("enabled")).isTrue();
  }

  @Test
  void statusReportsAUrlThatLostItsTransportAndSetupPutsItBack() {
    Tenant t = env.newTenant();
    TrunkInfo first = ensure(env, t);
    String sid = env.connector(t).trunk().originationUrlSid();
    // Someone edits the URL in Twilio's console, dropping the transport (inbound calls go over UDP again).
    post(t, "/v1/Trunks/" + first.trunkSid() + "/OriginationUrls/" + sid,
        MultiMap.caseInsensitiveMultiMap().add("SipUrl", RETELL_PLAIN), 200);

    TrunkStatus broken = status(t);
    assertThat(broken.originationUrl()).isEqualTo(RETELL_PLAIN);
    assertThat(broken.problems()).containsExactly("origination URL " + RETELL_PLAIN + " should be " + RETELL_TCP);

    TrunkInfo repaired = ensure(env, t);
    assertThat(repaired.repaired()).containsExactly("originationUrlTransport");
    assertThat(originationUrls(env, t)).hasSize(1);
    assertThat(originationUrls(env, t).getJsonObject(0).getString("sid")).isEqualTo(sid);
    assertThat(status(t).problems()).isEmpty();
  }

  @Test
  void urlsToOtherServersAreLeftAlone() {
    Tenant t = env.newTenant();
    Resources.Trunk trunk = seedTrunk(t);
    String pbx = seedOriginationUrl(t, trunk.sid(), "sip:pbx.example.com", true);
    String retell = seedOriginationUrl(t, trunk.sid(), RETELL_PLAIN, true);

    ensure(env, t);

    List<String> seen = new ArrayList<>();
    JsonArray urls = originationUrls(env, t);
    for (int i = 0; i < urls.size(); i++) {
      JsonObject url = urls.getJsonObject(i);
      seen.add(url.getString("sid") + " " + url.getString("sip_url"));
    }
    assertThat(seen).containsExactlyInAnyOrder(pbx + " sip:pbx.example.com", retell + " " + RETELL_TCP);
  }
}
