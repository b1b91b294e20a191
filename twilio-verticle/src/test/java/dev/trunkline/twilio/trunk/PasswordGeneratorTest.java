package dev.trunkline.twilio.trunk;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PasswordGeneratorTest {

  @Test
  void everyPasswordMeetsTwilioPolicyAndTheyDoNotRepeat() {
    PasswordGenerator generator = new PasswordGenerator();
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 2000; i++) {
      String p = generator.next().reveal();
      assertThat(PasswordGenerator.meetsPolicy(p)).as("policy").isTrue();
      assertThat(p).hasSize(PasswordGenerator.LENGTH).matches("[A-Za-z0-9]+");
      seen.add(p);
    }
    assertThat(seen).hasSize(2000);
  }

  @Test
  void policyCheckRejectsWeakPasswords() {
    assertThat(PasswordGenerator.meetsPolicy("IWasAtSignal2018")).isTrue();
    assertThat(PasswordGenerator.meetsPolicy("Short1a")).isFalse();
    assertThat(PasswordGenerator.meetsPolicy("alllowercase123")).isFalse();
    assertThat(PasswordGenerator.meetsPolicy("NoDigitsAtAllHere")).isFalse();
  }

  @Test
  void secretDoesNotPrintItsValue() {
    assertThat(new PasswordGenerator().next().toString()).isEqualTo("[REDACTED]");
  }
}
