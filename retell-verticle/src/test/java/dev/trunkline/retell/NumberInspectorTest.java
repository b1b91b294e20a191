package dev.trunkline.retell;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trunkline.contract.RetellMessages.InspectionStatus;
import dev.trunkline.contract.RetellMessages.RetellNumber;
import org.junit.jupiter.api.Test;

/** The judgement alone; the same cases run against the simulator in RetellVerticleTest. */
class NumberInspectorTest {
  private static RetellNumber number(String uri, String username) {
    return new RetellNumber("+14155550100", "custom", null, uri, "TCP", username, 1L);
  }

  @Test
  void missingUsernameComesFirstBecauseItBreaksOutboundCalls() {
    assertThat(NumberInspector.judge(number("other.example", ""), "acme.pstn.twilio.com", "acme_user"))
        .isEqualTo(InspectionStatus.MISSING_USERNAME);
    assertThat(NumberInspector.judge(number("acme.pstn.twilio.com", null), "acme.pstn.twilio.com", "acme_user"))
        .isEqualTo(InspectionStatus.MISSING_USERNAME);
    assertThat(NumberInspector.judge(number("acme.pstn.twilio.com", "  "), "acme.pstn.twilio.com", null))
        .isEqualTo(InspectionStatus.MISSING_USERNAME);
  }

  @Test
  void wrongUsernameThenWrongUriThenOk() {
    assertThat(NumberInspector.judge(number("other.example", "bob"), "acme.pstn.twilio.com", "acme_user"))
        .isEqualTo(InspectionStatus.WRONG_USERNAME);
    assertThat(NumberInspector.judge(number("other.example", "acme_user"), "acme.pstn.twilio.com", "acme_user"))
        .isEqualTo(InspectionStatus.WRONG_TERMINATION_URI);
    assertThat(NumberInspector.judge(number("ACME.pstn.twilio.com", "acme_user"), "sip:acme.pstn.twilio.com",
        "acme_user")).isEqualTo(InspectionStatus.OK);
  }
}
