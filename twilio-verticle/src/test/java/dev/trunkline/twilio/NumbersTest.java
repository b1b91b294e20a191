package dev.trunkline.twilio;

import static dev.trunkline.twilio.TwilioTestEnv.assertFailure;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trunkline.contract.Addresses;
import dev.trunkline.contract.ServiceException;
import dev.trunkline.contract.TenantRef;
import dev.trunkline.contract.TwilioMessages.AvailableNumber;
import dev.trunkline.contract.TwilioMessages.AvailableNumbers;
import dev.trunkline.contract.TwilioMessages.EnsureTrunk;
import dev.trunkline.contract.TenantNumber;
import dev.trunkline.contract.TwilioMessages.NumberRemoved;
import dev.trunkline.contract.TwilioMessages.Released;
import dev.trunkline.contract.TwilioMessages.SearchNumbers;
import dev.trunkline.contract.TwilioMessages.TeardownResult;
import dev.trunkline.contract.TwilioMessages.TrunkInfo;
import dev.trunkline.contract.TwilioMessages.TrunkNumber;
import dev.trunkline.contract.TwilioMessages.TrunkNumbers;
import dev.trunkline.contract.TwilioMessages.TrunkStatus;
import dev.trunkline.twilio.TwilioTestEnv.Tenant;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Searching, buying, importing, listing, removing and releasing numbers, and tearing a trunk down. */
@ExtendWith(VertxExtension.class)
class NumbersTest {
  private static TwilioTestEnv env;

  @BeforeAll
  static void start(Vertx vertx) {
    env = TwilioTestEnv.start(vertx, null);
  }

  @AfterAll
  static void stop() {
    env.stop();
  }

  private static TrunkInfo setUp(Tenant t, String addressSid, String bundleSid) {
    return env.call(Addresses.Twilio.TRUNK_ENSURE, new EnsureTrunk(t.subaccountId(), addressSid, addressSid,
        bundleSid), TrunkInfo.class);
  }

  private static List<AvailableNumber> search(Tenant t, String country, String areaCode, String type, int limit) {
    return env.call(Addresses.Twilio.NUMBERS_SEARCH, new SearchNumbers(t.subaccountId(), country, areaCode, null,
        type, limit), AvailableNumbers.class).numbers();
  }

  private static JsonObject incoming(Tenant t, String phoneNumber) {
    return env.sim.incomingNumbers(t.accountSid()).stream()
        .filter(n -> phoneNumber.equals(n.getString("phone_number"))).findFirst().orElse(null);
  }

  @Test
  void searchFiltersAndValidates() {
    Tenant t = env.newTenant();
    List<AvailableNumber> local = search(t, "US", "415", "local", 5);
    assertThat(local).hasSize(5).allSatisfy(n -> assertThat(n.phoneNumber()).startsWith("+1415"));
    assertThat(search(t, "US", null, "tollFree", 2)).hasSize(2);
    assertThat(search(t, "GB", null, "mobile", 3)).hasSize(3).allSatisfy(n -> assertThat(n.isoCountry())
        .isEqualTo("GB"));
    List<AvailableNumber> containing = env.call(Addresses.Twilio.NUMBERS_SEARCH,
        new SearchNumbers(t.subaccountId(), "US", "212", "0142", "local", 10), AvailableNumbers.class).numbers();
    assertThat(containing).isNotEmpty().allSatisfy(n -> assertThat(n.phoneNumber()).contains("0142"));

    ServiceException gbArea = env.failure(Addresses.Twilio.NUMBERS_SEARCH,
        new SearchNumbers(t.subaccountId(), "GB", "207", null, "local", 5));
    assertFailure(gbArea, 400, "INVALID_AREA_CODE");
    assertThat(gbArea.getMessage()).contains("US and CA");
    assertFailure(env.failure(Addresses.Twilio.NUMBERS_SEARCH,
        new SearchNumbers(t.subaccountId(), "US", "41", null, "local", 5)), 400, "INVALID_AREA_CODE");
    assertFailure(env.failure(Addresses.Twilio.NUMBERS_SEARCH,
        new SearchNumbers(t.subaccountId(), "US", null, null, "landline", 5)), 400, "INVALID_NUMBER_TYPE");
    assertFailure(env.failure(Addresses.Twilio.NUMBERS_SEARCH,
        new SearchNumbers(t.subaccountId(), "US", null, null, "local", 51)), 400, "INVALID_LIMIT");
    assertFailure(env.failure(Addresses.Twilio.NUMBERS_SEARCH,
        new SearchNumbers(t.subaccountId(), "USA", null, null, "local", 5)), 400, "INVALID_COUNTRY_CODE");
  }

  @Test
  void purchasePutsTheExactNumberOnTheTrunkWithTheTenantsRegulatorySids() {
    Tenant t = env.newTenant();
    String address = "AD" + "a".repeat(32);
    String bundle = "BU" + "b".repeat(32);
    TrunkInfo trunk = setUp(t, address, bundle);
    String wanted = search(t, "US", "628", "local", 3).get(2).phoneNumber();

    TrunkNumber bought = env.call(Addresses.Twilio.NUMBERS_PURCHASE, new TenantNumber(t.subaccountId(), wanted),
        TrunkNumber.class);

    assertThat(bought.phoneNumber()).isEqualTo(wanted);
    assertThat(bought.trunkSid()).isEqualTo(trunk.trunkSid());
    assertThat(bought.sid()).startsWith("PN");
    JsonObject record = incoming(t, wanted);
    assertThat(record.getString("trunk_sid")).isEqualTo(trunk.trunkSid());
    assertThat(record.getString("address_sid")).isEqualTo(address);
    assertThat(record.getString("emergency_address_sid")).isEqualTo(address);
    assertThat(record.getString("bundle_sid")).isEqualTo(bundle);

    // A retried purchase (the caller never saw the reply) returns the same number and buys nothing.
    long posts = env.sim.requests().count("POST", "/2010-04-01/Accounts/" + t.accountSid()
        + "/IncomingPhoneNumbers.json");
    TrunkNumber again = env.call(Addresses.Twilio.NUMBERS_PURCHASE, new TenantNumber(t.subaccountId(), wanted),
        TrunkNumber.class);
    assertThat(again.sid()).isEqualTo(bought.sid());
    assertThat(env.sim.requests().count("POST", "/2010-04-01/Accounts/" + t.accountSid()
        + "/IncomingPhoneNumbers.json")).isEqualTo(posts);
    assertThat(env.sim.incomingNumbers(t.accountSid())).hasSize(1);
  }

  @Test
  void purchaseOfANumberThatIsGoneIsAClear409AndBuysNothingElse() {
    Tenant t = env.newTenant();
    setUp(t, null, null);
    Tenant other = env.newTenant();
    setUp(other, null, null);
    String wanted = search(t, "US", "312", "local", 1).get(0).phoneNumber();
    env.call(Addresses.Twilio.NUMBERS_PURCHASE, new TenantNumber(other.subaccountId(), wanted), TrunkNumber.class);

    ServiceException gone = env.failure(Addresses.Twilio.NUMBERS_PURCHASE, new TenantNumber(t.subaccountId(), wanted));

    assertFailure(gone, 409, "NUMBER_UNAVAILABLE");
    assertThat(gone.details().getInteger("twilioCode")).isEqualTo(21422);
    assertThat(env.sim.incomingNumbers(t.accountSid())).as("no substitute was bought").isEmpty();
  }

  @Test
  void aPurchaseWhoseReplyWasLostIsNotBoughtTwiceOnRetry() {
    Tenant t = env.newTenant();
    TrunkInfo trunk = setUp(t, null, null);
    String wanted = search(t, "US", "415", "local", 1).get(0).phoneNumber();
    env.sim.faults().add(dev.trunkline.simulators.FaultRule.on("POST", "/2010-04-01/Accounts/" + t.accountSid()
        + "/IncomingPhoneNumbers.json").dropResponse().times(1));

    ServiceException lost = env.failure(Addresses.Twilio.NUMBERS_PURCHASE, new TenantNumber(t.subaccountId(), wanted));
    assertFailure(lost, 502, "TWILIO_ERROR");
    assertThat(env.sim.incomingNumbers(t.accountSid())).as("Twilio did buy it").hasSize(1);

    TrunkNumber retried = env.call(Addresses.Twilio.NUMBERS_PURCHASE, new TenantNumber(t.subaccountId(), wanted),
        TrunkNumber.class);
    assertThat(retried.phoneNumber()).isEqualTo(wanted);
    assertThat(retried.trunkSid()).isEqualTo(trunk.trunkSid());
    assertThat(env.sim.incomingNumbers(t.accountSid())).as("and only once").hasSize(1);
  }

  @Test
  void purchaseNeedsASetUpTrunkAndAValidNumber() {
    Tenant t = env.newTenant();
    assertFailure(env.failure(Addresses.Twilio.NUMBERS_PURCHASE, new TenantNumber(t.subaccountId(), "+14155550100")),
        409, "TRUNK_NOT_SET_UP");
    setUp(t, null, null);
    assertFailure(env.failure(Addresses.Twilio.NUMBERS_PURCHASE, new TenantNumber(t.subaccountId(), "4155550100")),
        400, "INVALID_PHONE_NUMBER");
  }

  @Test
  void importListRemoveReleaseAndTeardown() {
    Tenant t = env.newTenant();
    TrunkInfo trunk = setUp(t, null, null);
    // A number the account bought elsewhere (no trunk): buy it directly at Twilio.
    String owned = search(t, "US", "646", "local", 1).get(0).phoneNumber();
    JsonObject raw = buyWithoutTrunk(t, owned);
    assertThat(raw.getString("trunk_sid")).isNull();

    assertFailure(env.failure(Addresses.Twilio.NUMBERS_IMPORT, new TenantNumber(t.subaccountId(), "+14155559999")),
        404, "NUMBER_NOT_FOUND");
    assertFailure(env.failure(Addresses.Twilio.NUMBERS_RELEASE, new TenantNumber(t.subaccountId(), owned)), 409,
        "NUMBER_NOT_ON_TRUNK");
    TrunkNumber imported = env.call(Addresses.Twilio.NUMBERS_IMPORT, new TenantNumber(t.subaccountId(), owned),
        TrunkNumber.class);
    assertThat(imported.trunkSid()).isEqualTo(trunk.trunkSid());
    assertThat(incoming(t, owned).getString("trunk_sid")).isEqualTo(trunk.trunkSid());
    // Importing again is a no-op.
    assertThat(env.call(Addresses.Twilio.NUMBERS_IMPORT, new TenantNumber(t.subaccountId(), owned),
        TrunkNumber.class).sid()).isEqualTo(imported.sid());

    String bought = search(t, "US", "415", "local", 1).get(0).phoneNumber();
    env.call(Addresses.Twilio.NUMBERS_PURCHASE, new TenantNumber(t.subaccountId(), bought), TrunkNumber.class);
    String third = search(t, "US", "415", "local", 1).get(0).phoneNumber();
    env.call(Addresses.Twilio.NUMBERS_PURCHASE, new TenantNumber(t.subaccountId(), third), TrunkNumber.class);
    String fourth = search(t, "US", "415", "local", 1).get(0).phoneNumber();
    env.call(Addresses.Twilio.NUMBERS_PURCHASE, new TenantNumber(t.subaccountId(), fourth), TrunkNumber.class);

    // Four numbers: more than one page at the test page size of 3.
    TrunkNumbers listed = env.call(Addresses.Twilio.NUMBERS_LIST, new TenantRef(t.subaccountId()),
        TrunkNumbers.class);
    assertThat(listed.numbers()).extracting(TrunkNumber::phoneNumber)
        .containsExactlyInAnyOrder(owned, bought, third, fourth);
    assertThat(env.call(Addresses.Twilio.TRUNK_STATUS, new TenantRef(t.subaccountId()), TrunkStatus.class)
        .numberCount()).isEqualTo(4);

    ServiceException busy = env.failure(Addresses.Twilio.TRUNK_TEARDOWN, new TenantRef(t.subaccountId()));
    assertFailure(busy, 409, "TRUNK_HAS_NUMBERS");
    assertThat(busy.details().getInteger("numberCount")).isEqualTo(4);

    // Another tenant can neither release nor remove this tenant's numbers.
    Tenant stranger = env.connect(TwilioTestEnv.newSubaccountId(), t.auth());
    setUp(stranger, null, null);
    assertFailure(env.failure(Addresses.Twilio.NUMBERS_RELEASE, new TenantNumber(stranger.subaccountId(), bought)),
        409, "NUMBER_NOT_ON_TRUNK");
    assertThat(env.call(Addresses.Twilio.NUMBERS_REMOVE, new TenantNumber(stranger.subaccountId(), bought),
        NumberRemoved.class).removed()).isFalse();
    assertFailure(env.failure(Addresses.Twilio.NUMBERS_IMPORT, new TenantNumber(stranger.subaccountId(), bought)),
        409, "NUMBER_ON_OTHER_TRUNK");

    NumberRemoved removed = env.call(Addresses.Twilio.NUMBERS_REMOVE, new TenantNumber(t.subaccountId(), owned),
        NumberRemoved.class);
    assertThat(removed.removed()).isTrue();
    assertThat(incoming(t, owned)).as("removed from the trunk, still in the account").isNotNull();
    assertThat(incoming(t, owned).getString("trunk_sid")).isNull();
    assertThat(env.call(Addresses.Twilio.NUMBERS_REMOVE, new TenantNumber(t.subaccountId(), owned),
        NumberRemoved.class).removed()).isFalse();

    for (String n : List.of(bought, third, fourth)) {
      Released released = env.call(Addresses.Twilio.NUMBERS_RELEASE, new TenantNumber(t.subaccountId(), n),
          Released.class);
      assertThat(released.released()).isTrue();
      assertThat(incoming(t, n)).isNull();
    }
    assertFailure(env.failure(Addresses.Twilio.NUMBERS_RELEASE, new TenantNumber(t.subaccountId(), bought)), 404,
        "NUMBER_NOT_FOUND");

    TeardownResult down = env.call(Addresses.Twilio.TRUNK_TEARDOWN, new TenantRef(t.subaccountId()),
        TeardownResult.class);
    assertThat(down.deleted()).isTrue();
    assertThat(down.trunkSid()).isEqualTo(trunk.trunkSid());
    assertThat(down.removed()).containsExactly("trunk", "credentialList");
    assertThat(env.sim.trunks(t.accountSid())).extracting(j -> j.getString("sid")).doesNotContain(trunk.trunkSid());
    assertThat(env.connector(t).trunk() == null || env.connector(t).trunk().trunkSid() == null).isTrue();
    assertThat(env.call(Addresses.Twilio.TRUNK_STATUS, new TenantRef(t.subaccountId()), TrunkStatus.class)
        .exists()).isFalse();
    // Nothing left to tear down; a new setup starts from scratch.
    assertThat(env.call(Addresses.Twilio.TRUNK_TEARDOWN, new TenantRef(t.subaccountId()), TeardownResult.class)
        .deleted()).isFalse();
    TrunkInfo fresh = setUp(t, null, null);
    assertThat(fresh.created()).isTrue();
    assertThat(fresh.trunkSid()).isNotEqualTo(trunk.trunkSid());
  }

  /** Buys a number with no trunk, the way a person might in Twilio's console. */
  private static JsonObject buyWithoutTrunk(Tenant t, String phoneNumber) {
    io.vertx.ext.web.client.WebClient client = io.vertx.ext.web.client.WebClient.create(env.vertx);
    try {
      return TwilioTestEnv.await(client.postAbs(env.sim.baseUrl() + "/2010-04-01/Accounts/" + t.accountSid()
              + "/IncomingPhoneNumbers.json")
          .basicAuthentication(t.accountSid(), t.auth().authToken().reveal())
          .timeout(10_000)
          .sendForm(MultiMap.caseInsensitiveMultiMap().add("PhoneNumber", phoneNumber))
          .map(r -> {
            assertThat(r.statusCode()).isEqualTo(201);
            return r.bodyAsJsonObject();
          }));
    } finally {
      client.close();
    }
  }
}
