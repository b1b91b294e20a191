package dev.trunkline.twilio;

import static dev.trunkline.twilio.TwilioTestEnv.assertFailure;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trunkline.contract.Addresses;
import dev.trunkline.contract.Bus;
import dev.trunkline.contract.Secret;
import dev.trunkline.contract.ServiceException;
import dev.trunkline.contract.StoreMessages.PasswordState;
import dev.trunkline.contract.StoreMessages.SipCredentials;
import dev.trunkline.contract.StoreMessages.Trunk;
import dev.trunkline.contract.TenantRef;
import dev.trunkline.contract.TwilioMessages.EnsureTrunk;
import dev.trunkline.contract.TwilioMessages.TrunkInfo;
import dev.trunkline.contract.TwilioMessages.TrunkStatus;
import dev.trunkline.simulators.FaultRule;
import dev.trunkline.twilio.TwilioTestEnv.Tenant;
import dev.trunkline.twilio.client.Resources;
import dev.trunkline.twilio.trunk.PasswordGenerator;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The setup flow against the Twilio simulator and a real store. */
@ExtendWith(VertxExtension.class)
class TrunkSetupTest {
  /** Retell's SIP server over the default transport (TCP, as Retell recommends): the URL setup provisions. */
  static final String RETELL_TCP = "sip:sip.retellai.com;transport=tcp";
  private static TwilioTestEnv env;

  @BeforeAll
  static void start(Vertx vertx) {
    env = TwilioTestEnv.start(vertx, null);
  }

  @AfterAll
  static void stop() {
    env.stop();
  }

  private static TrunkInfo ensure(Tenant t) {
    return env.call(Addresses.Twilio.TRUNK_ENSURE, new EnsureTrunk(t.subaccountId(), null, null, null),
        TrunkInfo.class);
  }

  /** The tenant's trunk is consistent in Twilio and in the store, and its stored password works. */
  static void assertConsistent(Tenant t, TrunkInfo info) {
    JsonObject state = env.sim.state(t.accountSid());
    List<JsonObject> trunks = named(state.getJsonArray("trunks"), "trunkline-" + t.subaccountId());
    assertThat(trunks).as("trunks named for the tenant").hasSize(1);
    JsonObject trunk = trunks.get(0);
    assertThat(trunk.getString("sid")).isEqualTo(info.trunkSid());
    assertThat(trunk.getString("domain_name")).isEqualTo(info.domainName()).endsWith(".pstn.twilio.com");
    assertThat(trunk.getJsonArray("credential_list_sids")).containsExactly(info.credentialListSid());
    assertThat(trunk.getJsonArray("origination_urls")).hasSize(1);
    JsonObject origination = trunk.getJsonArray("origination_urls").getJsonObject(0);
    assertThat(origination.getString("sip_url")).isEqualTo(RETELL_TCP);
    assertThat(origination.getBoolean("enabled")).isTrue();

    List<JsonObject> lists = named(state.getJsonArray("credential_lists"), "trunkline-" + t.subaccountId());
    assertThat(lists).as("credential lists named for the tenant").hasSize(1);
    JsonArray credentials = lists.get(0).getJsonArray("credentials");
    assertThat(credentials).as("credentials").hasSize(1);
    assertThat(credentials.getJsonObject(0).getString("username")).isEqualTo(info.username());
    assertThat(info.username()).hasSizeLessThanOrEqualTo(32);

    Trunk stored = env.connector(t).trunk();
    assertThat(stored.trunkSid()).isEqualTo(info.trunkSid());
    assertThat(stored.credentialListSid()).isEqualTo(info.credentialListSid());
    assertThat(stored.credentialSid()).isEqualTo(credentials.getJsonObject(0).getString("sid"));
    assertThat(stored.domainName()).isEqualTo(info.domainName());
    assertThat(stored.terminationUri()).isEqualTo(info.domainName());
    assertThat(stored.originationUrlSid()).isEqualTo(origination.getString("sid"));
    assertThat(stored.username()).isEqualTo(info.username());

    SipCredentials sip = env.sip(t);
    assertThat(sip.passwordState()).isEqualTo(PasswordState.KNOWN);
    assertThat(sip.pending()).isNull();
    assertThat(PasswordGenerator.meetsPolicy(sip.password().reveal())).isTrue();
    assertThat(env.sim.checkPassword(t.accountSid(), info.credentialListSid(), info.username(),
        sip.password().reveal())).as("the stored password works in Twilio").isTrue();
  }

  static List<JsonObject> named(JsonArray items, String friendlyName) {
    List<JsonObject> out = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      if (friendlyName.equals(items.getJsonObject(i).getString("friendly_name"))) {
        out.add(items.getJsonObject(i));
      }
    }
    return out;
  }

  @Test
  void firstSetupCreatesEverythingAndStoresEverySid() {
    Tenant t = env.newTenant();
    TrunkInfo info = ensure(t);
    assertThat(info.created()).isTrue();
    assertThat(info.repaired()).contains("trunk", "credentialList", "credentialListAssociation", "credential",
        "originationUrl");
    assertThat(info.friendlyName()).isEqualTo("trunkline-" + t.subaccountId());
    assertThat(info.domainName()).isEqualTo("trunkline-" + t.subaccountId() + ".pstn.twilio.com");
    assertThat(info.terminationUri()).isEqualTo(info.domainName());
    assertThat(info.originationUrl()).isEqualTo(RETELL_TCP);
    // The username rule on a 34-character trunk name: trimmed, with a hash of the full name, 32 chars at most.
    assertThat(info.username()).startsWith("trunkline_" + t.subaccountId().substring(0, 10)).endsWith("_user")
        .hasSize(32);
    assertConsistent(t, info);

    TrunkStatus status = env.call(Addresses.Twilio.TRUNK_STATUS, new TenantRef(t.subaccountId()),
        TrunkStatus.class);
    assertThat(status.exists()).isTrue();
    assertThat(status.credentialPresent()).isTrue();
    assertThat(status.passwordKnown()).isTrue();
    assertThat(status.originationUrl()).isEqualTo(RETELL_TCP);
    assertThat(status.numberCount()).isZero();
    assertThat(status.problems()).isEmpty();
  }

  @Test
  void rerunOnACompleteTrunkMakesNoTwilioWriteCalls() {
    Tenant t = env.newTenant();
    TrunkInfo first = ensure(t);
    Secret passwordBefore = env.sip(t).password();
    long writesBefore = env.sim.requests().writes(t.accountSid());
    long readsBefore = env.sim.requests().reads(t.accountSid());

    TrunkInfo again = ensure(t);

    assertThat(env.sim.requests().writes(t.accountSid())).as("Twilio writes on re-run").isEqualTo(writesBefore);
    assertThat(env.sim.requests().reads(t.accountSid())).as("the re-run did look").isGreaterThan(readsBefore);
    assertThat(again.created()).isFalse();
    assertThat(again.repaired()).isEmpty();
    assertThat(again.trunkSid()).isEqualTo(first.trunkSid());
    assertThat(again.credentialSid()).isEqualTo(first.credentialSid());
    assertThat(env.sip(t).password()).isEqualTo(passwordBefore);
    assertConsistent(t, again);
  }

  @Test
  void twentyConcurrentSetupsCreateExactlyOneTrunkListAndCredential(Vertx vertx, VertxTestContext ctx)
      throws InterruptedException {
    Tenant t = env.newTenant();
    List<Future<TrunkInfo>> runs = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      runs.add(Bus.request(vertx, Addresses.Twilio.TRUNK_ENSURE, new EnsureTrunk(t.subaccountId(), null, null, null),
          TrunkInfo.class, 60_000, null));
    }
    Future.all(runs).onComplete(ctx.succeeding(all -> ctx.verify(() -> {
      Set<String> trunkSids = new HashSet<>();
      Set<String> credentialSids = new HashSet<>();
      int created = 0;
      for (Future<TrunkInfo> run : runs) {
        trunkSids.add(run.result().trunkSid());
        credentialSids.add(run.result().credentialSid());
        created += run.result().created() ? 1 : 0;
      }
      assertThat(trunkSids).hasSize(1);
      assertThat(credentialSids).hasSize(1);
      assertThat(created).isEqualTo(1);
      assertThat(env.sim.trunks(t.accountSid())).hasSize(1);
      assertThat(env.sim.credentialLists(t.accountSid())).hasSize(1);
      ctx.completeNow();
    })));
    assertThat(ctx.awaitCompletion(120, TimeUnit.SECONDS)).isTrue();
    if (ctx.failed()) {
      throw new AssertionError(ctx.causeOfFailure());
    }
    assertConsistent(t, runs.get(0).result());
  }

  /** Every Twilio write of the setup flow, in order. */
  static Stream<Arguments> writeSteps() {
    List<Arguments> steps = new ArrayList<>();
    String[][] routes = {
        {"POST", "/v1/Trunks"},
        {"POST", "/2010-04-01/Accounts/*/SIP/CredentialLists.json"},
        {"POST", "/v1/Trunks/*/CredentialLists"},
        {"POST", "/2010-04-01/Accounts/*/SIP/CredentialLists/*/Credentials.json"},
        {"POST", "/v1/Trunks/*/OriginationUrls"},
    };
    for (String[] route : routes) {
      for (String kind : List.of("dropResponse", "dropConnection", "error500")) {
        steps.add(Arguments.of(route[0], route[1], kind));
      }
    }
    return steps.stream();
  }

  /**
   * A crash at each step: the call either took effect and its reply was lost (dropResponse), never arrived
   * (dropConnection), or failed (500). The run fails; the next run converges on one consistent trunk.
   */
  @ParameterizedTest(name = "{2} on {0} {1}")
  @MethodSource("writeSteps")
  void crashAtAnyStepThenRerunConverges(String method, String path, String kind) {
    Tenant t = env.newTenant();
    FaultRule rule = FaultRule.on(method, path.replace("/Accounts/*/", "/Accounts/" + t.accountSid() + "/"));
    switch (kind) {
      case "dropResponse" -> rule.dropResponse();
      case "dropConnection" -> rule.dropConnection();
      default -> rule.error(500);
    }
    env.sim.faults().add(rule.times(1));
    try {
      ServiceException failure = env.failure(Addresses.Twilio.TRUNK_ENSURE,
          new EnsureTrunk(t.subaccountId(), null, null, null));
      assertThat(failure.status()).isIn(502, 504);
    } finally {
      env.sim.faults().remove(rule.id());
    }
    TrunkInfo info = ensure(t);
    assertConsistent(t, info);
    // And the run after that has nothing left to do.
    long writes = env.sim.requests().writes(t.accountSid());
    assertThat(ensure(t).repaired()).isEmpty();
    assertThat(env.sim.requests().writes(t.accountSid())).isEqualTo(writes);
  }

  @Test
  void crashAfterThePasswordWasWrittenAheadReusesThatPassword() {
    Tenant t = env.newTenant();
    FaultRule rule = env.sim.faults().add(FaultRule.on("POST", "/2010-04-01/Accounts/" + t.accountSid()
        + "/SIP/CredentialLists/*/Credentials.json").dropResponse().times(1));
    env.failure(Addresses.Twilio.TRUNK_ENSURE, new EnsureTrunk(t.subaccountId(), null, null, null));
    env.sim.faults().remove(rule.id());
    SipCredentials pending = env.sip(t);
    assertThat(pending.passwordState()).isEqualTo(PasswordState.PENDING);
    Secret written = pending.pending().password();
    long deletesBefore = env.sim.requests().count("DELETE", "/**");

    TrunkInfo info = ensure(t);
    assertConsistent(t, info);
    assertThat(env.sip(t).password()).as("the written-ahead password, not a new one").isEqualTo(written);
    assertThat(env.sim.requests().count("DELETE", "/**")).isEqualTo(deletesBefore);
  }

  @Test
  void legacyTenantWithUsernameButNoPasswordGetsANewPasswordOnItsExistingCredential() {
    Tenant t = env.newTenant();
    // The origin service's trunk: its own names, a credential whose password nobody knows any more.
    Resources.Trunk trunk = TwilioTestEnv.await(env.api.createTrunk(t.auth(), "scalai5jj7w1sp",
        "scalai5jj7w1sp-" + t.subaccountId().substring(0, 6) + ".pstn.twilio.com"));
    Resources.CredentialList list = TwilioTestEnv.await(env.api.createCredentialList(t.auth(), "scalai5jj7w1sp"));
    TwilioTestEnv.await(env.api.associateCredentialList(t.auth(), trunk.sid(), list.sid()));
    Resources.Credential legacy = TwilioTestEnv.await(env.api.createCredential(t.auth(), list.sid(),
        "scalai5jj7w1sp_user", new Secret("LostPassword2018")));
    env.putTrunk(t, Trunk.builder().trunkSid(trunk.sid()).friendlyName("scalai5jj7w1sp")
        .domainName(trunk.domainName()).terminationUri(trunk.domainName()).username("scalai5jj7w1sp_user").build());
    assertThat(env.connector(t).passwordState()).isEqualTo(PasswordState.UNKNOWN);
    long deletesBefore = env.sim.requests().count("DELETE", "/**");

    TrunkInfo info = ensure(t);

    assertThat(info.created()).isFalse();
    assertThat(info.trunkSid()).isEqualTo(trunk.sid());
    assertThat(info.credentialListSid()).isEqualTo(list.sid());
    assertThat(info.credentialSid()).as("the same credential, not a new one").isEqualTo(legacy.sid());
    assertThat(info.username()).isEqualTo("scalai5jj7w1sp_user");
    assertThat(info.repaired()).contains("password").doesNotContain("credential", "trunk");
    assertThat(env.sim.requests().count("DELETE", "/**")).as("nothing deleted, anywhere").isEqualTo(deletesBefore);
    SipCredentials sip = env.sip(t);
    assertThat(sip.passwordState()).isEqualTo(PasswordState.KNOWN);
    assertThat(sip.username()).isEqualTo("scalai5jj7w1sp_user");
    assertThat(env.sim.checkPassword(t.accountSid(), list.sid(), "scalai5jj7w1sp_user", sip.password().reveal()))
        .isTrue();
    assertThat(env.sim.checkPassword(t.accountSid(), list.sid(), "scalai5jj7w1sp_user", "LostPassword2018"))
        .isFalse();
    JsonObject state = env.sim.state(t.accountSid());
    assertThat(state.getJsonArray("trunks")).hasSize(1);
    assertThat(state.getJsonArray("credential_lists")).hasSize(1);
    assertThat(state.getJsonArray("credential_lists").getJsonObject(0).getJsonArray("credentials")).hasSize(1);
  }

  @Test
  void tenantsSharingOneTwilioAccountNeverSeeEachOthersTrunk() {
    Tenant a = env.newTenant();
    // B's id shares A's first 23 characters: a prefix match would adopt A's trunk and list.
    String bId = a.subaccountId().substring(0, 23) + (a.subaccountId().endsWith("0") ? "1" : "0");
    Tenant b = env.connect(bId, a.auth());
    // And a trunk someone named with B's id as a prefix must not be adopted either.
    TwilioTestEnv.await(env.api.createTrunk(a.auth(), "trunkline-" + bId + "-old", null));

    TrunkInfo infoA = ensure(a);
    TrunkInfo infoB = ensure(b);

    assertThat(infoB.created()).isTrue();
    assertThat(infoB.trunkSid()).isNotEqualTo(infoA.trunkSid());
    assertThat(infoB.credentialListSid()).isNotEqualTo(infoA.credentialListSid());
    assertThat(infoB.credentialSid()).isNotEqualTo(infoA.credentialSid());
    assertThat(infoB.username()).isNotEqualTo(infoA.username());
    assertThat(infoB.domainName()).isNotEqualTo(infoA.domainName());
    assertConsistent(a, infoA);
    assertConsistent(b, infoB);
    assertThat(env.sim.trunks(a.accountSid())).hasSize(3);
    assertThat(ensure(a).trunkSid()).isEqualTo(infoA.trunkSid());
    assertThat(ensure(b).trunkSid()).isEqualTo(infoB.trunkSid());
  }

  @Test
  void aTakenDomainNameIsRetriedWithAnotherName() {
    Tenant t = env.newTenant();
    Tenant squatter = env.newTenant();
    String wanted = "trunkline-" + t.subaccountId() + ".pstn.twilio.com";
    TwilioTestEnv.await(env.api.createTrunk(squatter.auth(), "someone else", wanted));

    TrunkInfo info = ensure(t);

    assertThat(info.domainName()).isNotEqualTo(wanted)
        .matches("trunkline-" + t.subaccountId() + "-[a-z0-9]{6}\\.pstn\\.twilio\\.com");
    assertConsistent(t, info);
  }

  @Test
  void aTrunkWithoutDomainGetsOneAndACollisionThereIsRetriedToo() {
    Tenant t = env.newTenant();
    Tenant squatter = env.newTenant();
    String wanted = "trunkline-" + t.subaccountId() + ".pstn.twilio.com";
    TwilioTestEnv.await(env.api.createTrunk(squatter.auth(), "someone else", wanted));
    // Made by an earlier run (or by hand) without a domain: adopted by its exact name.
    Resources.Trunk bare = TwilioTestEnv.await(env.api.createTrunk(t.auth(), "trunkline-" + t.subaccountId(), null));

    TrunkInfo info = ensure(t);

    assertThat(info.created()).isFalse();
    assertThat(info.trunkSid()).isEqualTo(bare.sid());
    assertThat(info.repaired()).contains("domainName");
    assertThat(info.domainName()).matches("trunkline-" + t.subaccountId() + "-[a-z0-9]{6}\\.pstn\\.twilio\\.com");
    assertConsistent(t, info);
  }

  @Test
  void aLegacyRepairWhoseReplyWasLostConvergesOnTheWrittenAheadPassword() {
    Tenant t = env.newTenant();
    Resources.Trunk trunk = TwilioTestEnv.await(env.api.createTrunk(t.auth(), "legacytrunk",
        "legacytrunk-" + t.subaccountId() + ".pstn.twilio.com"));
    Resources.CredentialList list = TwilioTestEnv.await(env.api.createCredentialList(t.auth(), "legacytrunk"));
    TwilioTestEnv.await(env.api.associateCredentialList(t.auth(), trunk.sid(), list.sid()));
    Resources.Credential legacy = TwilioTestEnv.await(env.api.createCredential(t.auth(), list.sid(),
        "legacytrunk_user", new Secret("ForgottenPass1x")));
    env.putTrunk(t, Trunk.builder().trunkSid(trunk.sid()).credentialListSid(list.sid()).credentialSid(legacy.sid())
        .username("legacytrunk_user").build());
    // Setting a password is idempotent, so one lost reply is simply repeated: every reply is lost until the rule goes.
    FaultRule rule = env.sim.faults().add(FaultRule.on("POST", "/2010-04-01/Accounts/" + t.accountSid()
        + "/SIP/CredentialLists/*/Credentials/*.json").dropResponse());
    env.failure(Addresses.Twilio.TRUNK_ENSURE, new EnsureTrunk(t.subaccountId(), null, null, null));
    env.sim.faults().remove(rule.id());
    SipCredentials half = env.sip(t);
    assertThat(half.passwordState()).isEqualTo(PasswordState.PENDING);
    Secret written = half.pending().password();
    assertThat(env.sim.checkPassword(t.accountSid(), list.sid(), "legacytrunk_user", written.reveal()))
        .as("Twilio took the new password before the reply was lost").isTrue();

    TrunkInfo info = ensure(t);

    assertThat(info.credentialSid()).isEqualTo(legacy.sid());
    SipCredentials sip = env.sip(t);
    assertThat(sip.passwordState()).isEqualTo(PasswordState.KNOWN);
    assertThat(sip.password()).as("the written-ahead password, promoted").isEqualTo(written);
    assertThat(env.sim.checkPassword(t.accountSid(), list.sid(), "legacytrunk_user", written.reveal())).isTrue();
  }

  @Test
  void aTrunkDeletedOutsideTrunklineIsRecreated() {
    Tenant t = env.newTenant();
    TrunkInfo first = ensure(t);
    TwilioTestEnv.await(env.api.deleteTrunk(t.auth(), first.trunkSid()));

    TrunkInfo second = ensure(t);

    assertThat(second.created()).isTrue();
    assertThat(second.trunkSid()).isNotEqualTo(first.trunkSid());
    assertThat(second.credentialListSid()).as("the list is kept and re-associated")
        .isEqualTo(first.credentialListSid());
    assertThat(second.credentialSid()).isEqualTo(first.credentialSid());
    assertConsistent(t, second);
  }

  @Test
  void statusReportsWhatWasBrokenOutsideTrunklineAndSetupRepairsItKeepingTheUsername() {
    Tenant t = env.newTenant();
    TrunkInfo first = ensure(t);
    Secret firstPassword = env.sip(t).password();
    // Someone deletes the credential and the origination URL in Twilio's console.
    TwilioTestEnv.await(env.api.deleteCredential(t.auth(), first.credentialListSid(), first.credentialSid()));
    String urlSid = env.connector(t).trunk().originationUrlSid();
    io.vertx.ext.web.client.WebClient web = io.vertx.ext.web.client.WebClient.create(env.vertx);
    try {
      TwilioTestEnv.await(web.deleteAbs(env.sim.baseUrl() + "/v1/Trunks/" + first.trunkSid() + "/OriginationUrls/"
          + urlSid).basicAuthentication(t.accountSid(), t.auth().authToken().reveal()).timeout(10_000).send());
    } finally {
      web.close();
    }

    TrunkStatus broken = env.call(Addresses.Twilio.TRUNK_STATUS, new TenantRef(t.subaccountId()),
        TrunkStatus.class);
    assertThat(broken.exists()).isTrue();
    assertThat(broken.credentialPresent()).isFalse();
    assertThat(broken.originationUrl()).isNull();
    assertThat(broken.problems()).containsExactlyInAnyOrder("credential missing",
        "origination URL " + RETELL_TCP + " missing");

    TrunkInfo repaired = ensure(t);
    assertThat(repaired.repaired()).containsExactlyInAnyOrder("credential", "originationUrl");
    assertThat(repaired.username()).as("the stored username is kept").isEqualTo(first.username());
    assertThat(repaired.credentialSid()).isNotEqualTo(first.credentialSid());
    assertThat(env.sip(t).password()).as("a new password for the new credential").isNotEqualTo(firstPassword);
    assertConsistent(t, repaired);
    assertThat(env.call(Addresses.Twilio.TRUNK_STATUS, new TenantRef(t.subaccountId()), TrunkStatus.class)
        .problems()).isEmpty();
  }

  @Test
  void regulatorySidsAreValidatedAndStored() {
    Tenant t = env.newTenant();
    ServiceException bad = env.failure(Addresses.Twilio.TRUNK_ENSURE,
        new EnsureTrunk(t.subaccountId(), "XX123", null, null));
    assertFailure(bad, 400, "INVALID_ADDRESS_SID");
    String address = "AD" + "1".repeat(32);
    String bundle = "BU" + "2".repeat(32);
    ensureWith(t, address, bundle);
    Trunk stored = env.connector(t).trunk();
    assertThat(stored.addressSid()).isEqualTo(address);
    assertThat(stored.emergencyAddressSid()).isEqualTo(address);
    assertThat(stored.bundleSid()).isEqualTo(bundle);
  }

  private static void ensureWith(Tenant t, String address, String bundle) {
    env.call(Addresses.Twilio.TRUNK_ENSURE, new EnsureTrunk(t.subaccountId(), address, address, bundle),
        TrunkInfo.class);
  }

  @Test
  void malformedAndUnknownTenantsAreRejected() {
    assertFailure(env.failure(Addresses.Twilio.TRUNK_ENSURE, new EnsureTrunk("not-an-id", null, null, null)), 400,
        "INVALID_SUBACCOUNT_ID");
    ServiceException unknown = env.failure(Addresses.Twilio.TRUNK_ENSURE,
        new EnsureTrunk(TwilioTestEnv.newSubaccountId(), null, null, null));
    assertThat(unknown.status()).isEqualTo(404);
  }
}
