package dev.trunkline.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** A clustered node whose event bus other machines reach without TLS says so loudly at start. */
class PlaintextBusWarningTest {

  @Test
  void aBusOnAnotherInterfaceWithoutTlsIsWarnedAbout() {
    assertThat(VertxFactory.plaintextBusWarning(new JsonObject().put("eventBusHost", "10.0.0.2")))
        .hasValueSatisfying(w -> assertThat(w).startsWith("EVENT BUS WITHOUT TLS on 10.0.0.2")
            .contains("cluster.tls"));
  }

  @Test
  void thePublicHostIsWhatOtherNodesUse() {
    JsonObject cluster = new JsonObject().put("eventBusHost", "127.0.0.1").put("publicHost", "node-b.internal");
    assertThat(VertxFactory.plaintextBusWarning(cluster)).hasValueSatisfying(w -> assertThat(w)
        .contains("node-b.internal"));
  }

  @Test
  void loopbackOrTlsIsQuiet() {
    assertThat(VertxFactory.plaintextBusWarning(new JsonObject())).isEmpty();
    assertThat(VertxFactory.plaintextBusWarning(new JsonObject().put("eventBusHost", "127.0.0.1"))).isEmpty();
    assertThat(VertxFactory.plaintextBusWarning(new JsonObject().put("eventBusHost", "localhost"))).isEmpty();
    assertThat(VertxFactory.plaintextBusWarning(new JsonObject().put("eventBusHost", "10.0.0.2")
        .put("tls", new JsonObject().put("enabled", true)))).isEmpty();
  }
}
