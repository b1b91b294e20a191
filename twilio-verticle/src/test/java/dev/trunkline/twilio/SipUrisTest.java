package dev.trunkline.twilio;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SipUrisTest {

  @Test
  void hostIgnoresUserPortParametersHeadersAndCase() {
    assertThat(SipUris.host("sip:sip.retellai.com")).isEqualTo("sip.retellai.com");
    assertThat(SipUris.host("SIP:Sip.RetellAI.com;transport=tcp")).isEqualTo("sip.retellai.com");
    assertThat(SipUris.host("sip:agent@sip.retellai.com:5060;transport=udp?X-Foo=1")).isEqualTo("sip.retellai.com");
    assertThat(SipUris.host("sip:[2001:db8::1]:5060")).isEqualTo("[2001:db8::1]");
    assertThat(SipUris.host("https://sip.retellai.com")).isNull();
    assertThat(SipUris.host(null)).isNull();
  }

  @Test
  void transportIsReadFromTheParametersOnly() {
    assertThat(SipUris.transport("sip:sip.retellai.com")).isNull();
    assertThat(SipUris.transport("sip:sip.retellai.com;lr;Transport=TLS")).isEqualTo("TLS");
    assertThat(SipUris.transport("sip:sip.retellai.com?transport=tcp")).as("a header, not a parameter").isNull();
  }

  @Test
  void withTransportAddsTheParameterBeforeHeadersAndKeepsAnExplicitOne() {
    assertThat(SipUris.withTransport("sip:sip.retellai.com", "TCP")).isEqualTo("sip:sip.retellai.com;transport=tcp");
    assertThat(SipUris.withTransport("sip:a.example;lr?X-Foo=1", "UDP"))
        .isEqualTo("sip:a.example;lr;transport=udp?X-Foo=1");
    assertThat(SipUris.withTransport("sip:sip.retellai.com;transport=tls", "TCP"))
        .isEqualTo("sip:sip.retellai.com;transport=tls");
  }
}
