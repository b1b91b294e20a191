package dev.trunkline.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trunkline.contract.testing.FreePorts;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Event-bus TLS as {@code cluster.tls} configures it (docs/deployment.md): two members with certificates
 * they trust exchange messages; a member without TLS, or with a certificate the others do not trust, joins
 * Hazelcast but gets no message through (its request times out). Clustered Vert.x instances in this JVM, built
 * by {@link VertxFactory} from configuration; keystores made with the JDK's keytool.
 */
class EventBusTlsIT {
  private static final String PASSWORD = "changeit-test";
  private static final String ADDRESS = "it.tls.echo";

  @TempDir
  Path dir;

  private final List<Vertx> nodes = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (Vertx vertx : nodes) {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void onlyMembersWithTrustedCertificatesExchangeMessages() throws Exception {
    Path trusted = keystore("trusted");
    Path stranger = keystore("stranger");
    String name = "tls-it-" + System.nanoTime();
    // The member list names every node's port before any binds it.
    int[] ports = {FreePorts.pick(), FreePorts.pick(), FreePorts.pick(), FreePorts.pick()};
    String members = "127.0.0.1:" + ports[0] + ",127.0.0.1:" + ports[1] + ",127.0.0.1:" + ports[2]
        + ",127.0.0.1:" + ports[3];

    Vertx server = node(name, members, ports[0], tls(trusted));
    server.eventBus().<JsonObject>consumer(ADDRESS, m -> m.reply(new JsonObject().put("echo", m.body())))
        .completion().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    Vertx client = node(name, members, ports[1], tls(trusted));
    Vertx plain = node(name, members, ports[2], null);
    Vertx untrusted = node(name, members, ports[3], tls(stranger));

    assertThat(request(client).getJsonObject("echo").getString("secret")).isEqualTo("sip-password");
    assertThatThrownBy(() -> request(plain)).isInstanceOf(ExecutionException.class)
        .hasMessageContaining("Timed out");
    assertThatThrownBy(() -> request(untrusted)).isInstanceOf(ExecutionException.class)
        .hasMessageContaining("Timed out");
  }

  private Vertx node(String clusterName, String members, int port, JsonObject tls) throws Exception {
    JsonObject cluster = new JsonObject().put("enabled", true).put("name", clusterName).put("members", members)
        .put("port", port).put("eventBusHost", "127.0.0.1").put("eventBusPort", 0)
        .put("heartbeatSeconds", 1).put("maxNoHeartbeatSeconds", 15);
    if (tls != null) {
      cluster.put("tls", tls);
    }
    JsonObject config = new JsonObject().put("cluster", cluster).put("metrics", new JsonObject().put("enabled", false));
    Vertx vertx = VertxFactory.create(config).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    nodes.add(vertx);
    return vertx;
  }

  private static JsonObject request(Vertx from) throws Exception {
    return from.eventBus().<JsonObject>request(ADDRESS, new JsonObject().put("secret", "sip-password"),
            new DeliveryOptions().setSendTimeout(4_000))
        .map(m -> m.body()).toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  private static JsonObject tls(Path store) {
    return new JsonObject().put("enabled", true).put("keyStore", store.toString()).put("keyStorePassword", PASSWORD)
        .put("trustStore", store.toString()).put("trustStorePassword", PASSWORD);
  }

  /** A JKS keystore holding one self-signed key pair; as its own trust store it trusts exactly that certificate. */
  private Path keystore(String alias) throws Exception {
    Path store = dir.resolve(alias + ".jks");
    Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
        "-genkeypair", "-alias", alias, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + alias,
        "-validity", "2", "-keystore", store.toString(), "-storetype", "JKS", "-storepass", PASSWORD,
        "-keypass", PASSWORD).redirectErrorStream(true).start();
    assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(keytool.exitValue()).as(new String(keytool.getInputStream().readAllBytes())).isZero();
    return store;
  }
}
