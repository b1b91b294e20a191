package dev.trunkline.retell;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TerminationUrisTest {
  @Test
  void retellGetsNoSipScheme() {
    assertThat(TerminationUris.forRetell("sip:acme.pstn.twilio.com")).isEqualTo("acme.pstn.twilio.com");
    assertThat(TerminationUris.forRetell(" SIP:acme.pstn.twilio.com ")).isEqualTo("acme.pstn.twilio.com");
    assertThat(TerminationUris.forRetell("acme.pstn.twilio.com")).isEqualTo("acme.pstn.twilio.com");
  }

  @Test
  void comparesWithoutSchemeAndHostCaseInsensitively() {
    assertThat(TerminationUris.same("sip:Acme.PSTN.twilio.com", "acme.pstn.twilio.com")).isTrue();
    assertThat(TerminationUris.same("acme.pstn.twilio.com:5060", "ACME.pstn.twilio.com:5060")).isTrue();
    assertThat(TerminationUris.same("acme.pstn.twilio.com", "other.pstn.twilio.com")).isFalse();
    assertThat(TerminationUris.same("acme.pstn.twilio.com", "acme.pstn.twilio.com:5061")).isFalse();
    assertThat(TerminationUris.same("acme.pstn.twilio.com;transport=TLS", "acme.pstn.twilio.com;transport=tls"))
        .isFalse();
    assertThat(TerminationUris.same("User@acme.pstn.twilio.com", "user@ACME.pstn.twilio.com")).isFalse();
    assertThat(TerminationUris.same("acme.pstn.twilio.com", null)).isFalse();
    assertThat(TerminationUris.same(null, null)).isFalse();
  }

  @Test
  void phoneNumbersAreEncodedInPaths() {
    assertThat(RetellApi.pathSegment("+14155550100")).isEqualTo("%2B14155550100");
    assertThat(RetellApi.pathSegment("a b/c")).isEqualTo("a%20b%2Fc");
  }
}
