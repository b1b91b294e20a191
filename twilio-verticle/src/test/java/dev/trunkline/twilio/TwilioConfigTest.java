package dev.trunkline.twilio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The origination URL's transport: derived from {@code retell.transport}, unless the URL names one itself. */
@ExtendWith(VertxExtension.class)
class TwilioConfigTest {

  private static JsonObject config(String transport, String originationSipUrl) {
    JsonObject root = new JsonObject();
    if (transport != null) {
      root.put("retell", new JsonObject().put("transport", transport));
    }
    if (originationSipUrl != null) {
      root.put("twilio", new JsonObject().put("originationSipUrl", originationSipUrl));
    }
    return root;
  }

  private static String originationSipUrl(String transport, String originationSipUrl) {
    return TwilioConfig.from(config(transport, originationSipUrl)).originationSipUrl();
  }

  @Test
  void theDefaultIsRetellsServerOverTcp() {
    assertThat(TwilioConfig.from(new JsonObject()).originationSipUrl())
        .isEqualTo("sip:sip.retellai.com;transport=tcp");
  }

  @Test
  void theTransportIsTheOneRetellIsToldToo() {
    assertThat(originationSipUrl("UDP", null)).isEqualTo("sip:sip.retellai.com;transport=udp");
    assertThat(originationSipUrl("tls", null)).isEqualTo("sip:sip.retellai.com;transport=tls");
    assertThat(originationSipUrl("Tcp", null)).isEqualTo("sip:sip.retellai.com;transport=tcp");
  }

  @Test
  void anExplicitUrlGetsTheTransportUnlessItNamesOne() {
    assertThat(originationSipUrl("TCP", "sip:sip.example.net:5080"))
        .isEqualTo("sip:sip.example.net:5080;transport=tcp");
    // The operator's choice, as given, even against retell.transport.
    assertThat(originationSipUrl("TCP", "sip:sip.retellai.com;transport=udp"))
        .isEqualTo("sip:sip.retellai.com;transport=udp");
    assertThat(originationSipUrl(null, "sip:SIP.retellai.com;Transport=TLS;lr"))
        .isEqualTo("sip:SIP.retellai.com;Transport=TLS;lr");
  }

  @Test
  void anInvalidTransportIsRefusedNamingTheKey() {
    assertThatThrownBy(() -> originationSipUrl("SCTP", null)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("retell.transport").hasMessageContaining("SCTP");
    assertThatThrownBy(() -> originationSipUrl("", null)).hasMessageContaining("retell.transport");
    assertThatThrownBy(() -> originationSipUrl("TCP", "sip:sip.retellai.com;transport=sctp"))
        .hasMessageContaining("twilio.originationSipUrl").hasMessageContaining("sctp");
    assertThatThrownBy(() -> originationSipUrl("TCP", "https://sip.retellai.com"))
        .hasMessageContaining("twilio.originationSipUrl");
  }

  @Test
  void aVerticleWithAnInvalidTransportDoesNotStart(Vertx vertx, VertxTestContext ctx) {
    vertx.deployVerticle(new TwilioVerticle(), new DeploymentOptions().setConfig(config("SCTP", null)))
        .onComplete(ctx.failing(err -> ctx.verify(() -> {
          assertThat(err).hasMessageContaining("retell.transport must be TCP, TLS or UDP");
          ctx.completeNow();
        })));
  }
}
