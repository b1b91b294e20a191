package dev.trunkline.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trunkline.contract.StoreMessages.PutTrunk;
import dev.trunkline.contract.StoreMessages.Trunk;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/**
 * The trunk record gained a builder and a merge; its JSON must stay what older nodes send and read, so that a
 * rolling upgrade mixes them safely. The literals below are messages as the twelve-argument record wrote them.
 */
class TrunkWireShapeTest {
  private static final String OLD_PUT_TRUNK = """
      {"subaccountId":"65a1b2c3d4e5f60718293a4b","expectedVersion":3,"trunk":{
        "trunkSid":"TK0123456789abcdef0123456789abcdef","friendlyName":"trunkline-65a1",
        "domainName":"tl-65a1.pstn.twilio.com","terminationUri":"tl-65a1.pstn.twilio.com",
        "credentialListSid":"CL0123456789abcdef0123456789abcdef","credentialSid":"CR0123456789abcdef0123456789abcdef",
        "previousCredentialSid":"","originationUrlSid":"OU0123456789abcdef0123456789abcdef","username":"tl_user",
        "addressSid":"AD0123456789abcdef0123456789abcdef","emergencyAddressSid":"AD0123456789abcdef0123456789abcdee",
        "bundleSid":"BU0123456789abcdef0123456789abcdef"}}""";

  private static final Trunk FULL = Trunk.builder()
      .trunkSid("TK0123456789abcdef0123456789abcdef")
      .friendlyName("trunkline-65a1")
      .domainName("tl-65a1.pstn.twilio.com")
      .terminationUri("tl-65a1.pstn.twilio.com")
      .credentialListSid("CL0123456789abcdef0123456789abcdef")
      .credentialSid("CR0123456789abcdef0123456789abcdef")
      .previousCredentialSid("")
      .originationUrlSid("OU0123456789abcdef0123456789abcdef")
      .username("tl_user")
      .addressSid("AD0123456789abcdef0123456789abcdef")
      .emergencyAddressSid("AD0123456789abcdef0123456789abcdee")
      .bundleSid("BU0123456789abcdef0123456789abcdef")
      .build();

  @Test
  void anOldBusMessageDecodesToTheSameTrunk() {
    PutTrunk put = Json.fromJson(new JsonObject(OLD_PUT_TRUNK), PutTrunk.class);

    assertThat(put.trunk()).isEqualTo(FULL);
    assertThat(put.expectedVersion()).isEqualTo(3L);
  }

  @Test
  void aTrunkEncodesAsOldNodesExpect() {
    assertThat(Json.toJson(new PutTrunk("65a1b2c3d4e5f60718293a4b", FULL, 3L)))
        .isEqualTo(new JsonObject(OLD_PUT_TRUNK));
    // A patch names only its fields: nothing else appears, not even as null (a null would not be "keep").
    assertThat(Json.toJson(Trunk.builder().credentialSid("CR1").build()))
        .isEqualTo(new JsonObject().put("credentialSid", "CR1"));
    assertThat(Json.toJson(Trunk.EMPTY)).isEqualTo(new JsonObject());
  }

  @Test
  void aPatchLaidOverATrunkKeepsWhatItDoesNotName() {
    Trunk patch = Trunk.builder().credentialSid("CR2").previousCredentialSid("").build();

    Trunk merged = patch.over(FULL);

    assertThat(merged).isEqualTo(FULL.toBuilder().credentialSid("CR2").previousCredentialSid("").build());
    assertThat(merged.trunkSid()).isEqualTo(FULL.trunkSid());
    assertThat(Trunk.EMPTY.over(FULL)).isEqualTo(FULL);
  }

  @Test
  void aPatchLessWhatIsKnownNamesOnlyTheChanges() {
    Trunk patch = Trunk.builder().trunkSid(FULL.trunkSid()).credentialSid("CR2").build();

    assertThat(patch.minus(FULL)).isEqualTo(Trunk.builder().credentialSid("CR2").build());
    assertThat(FULL.minus(FULL)).isEqualTo(Trunk.EMPTY);
  }
}
