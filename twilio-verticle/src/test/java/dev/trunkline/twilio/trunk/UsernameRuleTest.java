package dev.trunkline.twilio.trunk;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class UsernameRuleTest {

  @Test
  void shortTrunkNameFollowsTheOriginRule() {
    assertThat(UsernameRule.forTrunk("scalai5jj7w1sp", "trunkline", "69199436c98895ff97a17e95"))
        .isEqualTo("scalai5jj7w1sp_user");
    assertThat(UsernameRule.forTrunk("my trunk-1", "trunkline", "69199436c98895ff97a17e95"))
        .isEqualTo("my_trunk_1_user");
  }

  @Test
  void withoutTrunkNameUsesPrefixAndFirstEightCharacters() {
    assertThat(UsernameRule.forTrunk(null, "scalai", "69199436c98895ff97a17e95")).isEqualTo("scalai_69199436_user");
  }

  @Test
  void longNamesAreCappedAtThirtyTwoWithoutLosingUniqueness() {
    String a = UsernameRule.forTrunk("trunkline-69199436c98895ff97a17e95", "trunkline", "69199436c98895ff97a17e95");
    String b = UsernameRule.forTrunk("trunkline-69199436c98895ff97a17e96", "trunkline", "69199436c98895ff97a17e96");
    assertThat(a).hasSizeLessThanOrEqualTo(32).startsWith("trunkline_69199436").endsWith("_user");
    assertThat(b).hasSizeLessThanOrEqualTo(32);
    // The first 26 characters of the two names are equal: only the hash of the full name tells them apart.
    assertThat(a).isNotEqualTo(b);
  }

  @Test
  void manyTenantsSharingALongPrefixGetDistinctUsernames() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 5000; i++) {
      String id = String.format("69199436c98895ff97a%05x", i);
      String name = UsernameRule.forTrunk("trunkline-" + id, "trunkline", id);
      assertThat(name).hasSizeLessThanOrEqualTo(32).matches("[A-Za-z0-9_]+");
      seen.add(name);
    }
    assertThat(seen).hasSize(5000);
  }

  @Test
  void rotationNamesReplaceEarlierRotationSuffixAndStayWithinLimit() {
    assertThat(UsernameRule.forRotation("scalai5jj7w1sp_user", 2)).isEqualTo("scalai5jj7w1sp_user_r2");
    assertThat(UsernameRule.forRotation("scalai5jj7w1sp_user_r2", 3)).isEqualTo("scalai5jj7w1sp_user_r3");
    String capped = UsernameRule.forRotation("trunkline_69199436c9_a1b2c3_user", 12);
    assertThat(capped).hasSizeLessThanOrEqualTo(32).endsWith("_r12");
    assertThat(UsernameRule.forRotation("trunkline_69199436c9_a1b2c3_user", 2))
        .isNotEqualTo(UsernameRule.forRotation("trunkline_69199436c9_a1b2c3_user", 3));
  }
}
