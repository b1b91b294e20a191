package dev.trunkline.store;

import static dev.trunkline.contract.testing.Await.await;
import static dev.trunkline.contract.testing.SecretAssertions.assertNoSecrets;
import static dev.trunkline.store.StoreTestSupport.call;
import static dev.trunkline.store.StoreTestSupport.newTenant;
import static dev.trunkline.store.StoreTestSupport.sid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.trunkline.contract.Addresses.Store;
import dev.trunkline.contract.CredentialPurpose;
import dev.trunkline.contract.Secret;
import dev.trunkline.contract.StoreMessages.Connector;
import dev.trunkline.contract.StoreMessages.PromoteSip;
import dev.trunkline.contract.StoreMessages.PutPendingSip;
import dev.trunkline.contract.StoreMessages.PutRetellKey;
import dev.trunkline.contract.StoreMessages.PutTrunk;
import dev.trunkline.contract.StoreMessages.PutTwilioAccount;
import dev.trunkline.contract.StoreMessages.RetellKey;
import dev.trunkline.contract.StoreMessages.RekeyReport;
import dev.trunkline.contract.StoreMessages.SipCredentials;
import dev.trunkline.contract.StoreMessages.Trunk;
import dev.trunkline.contract.TenantRef;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.MongoClient;
import io.vertx.junit5.VertxExtension;
import java.net.ConnectException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded store as an attacker on the same machine, or one who gets a copy of its file, finds it: listening on
 * loopback only, its directory and file owner-only, and after {@code rotate-keys} no earlier copy of a secret (an
 * envelope under the old key, an adopted plain text) left in the file.
 */
@ExtendWith(VertxExtension.class)
class EmbeddedStoreAtRestTest {
  @TempDir
  Path tmp;

  @Test
  void theServerListensOnLoopbackOnly(Vertx vertx) throws Exception {
    EmbeddedMongo server = StoreTestSupport.embedded(vertx, tmp.resolve("data"));
    try {
      URI uri = URI.create(server.connectionString());
      assertThat(uri.getHost()).isEqualTo("127.0.0.1");
      try (Socket control = new Socket()) {
        control.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), uri.getPort()), 2000);
      }
      List<InetAddress> others = Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
          .flatMap(NetworkInterface::inetAddresses)
          .filter(a -> !a.isLoopbackAddress() && !(a instanceof Inet6Address v6 && v6.isLinkLocalAddress()))
          .collect(Collectors.toList());
      assumeTrue(!others.isEmpty(), "this machine has no address but loopback to try");
      for (InetAddress address : others) {
        assertThatThrownBy(() -> {
          try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address, uri.getPort()), 2000);
          }
        }).as("connecting on %s", address).isInstanceOf(ConnectException.class);
      }
    } finally {
      await(server.release());
    }
  }

  @Test
  void theDataDirectoryAndTheStoreFileAreOwnerOnly(Vertx vertx) throws Exception {
    assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"), "POSIX permissions");
    Path dataDir = tmp.resolve("var").resolve("trunkline");
    EmbeddedMongo server = StoreTestSupport.embedded(vertx, dataDir);
    await(server.release());
    Path file = dataDir.resolve(EmbeddedMongo.FILE_NAME);
    assertThat(permissions(dataDir)).isEqualTo("rwx------");
    assertThat(permissions(dataDir.getParent())).as("missing parents are created the same way").isEqualTo("rwx------");
    assertThat(permissions(file)).isEqualTo("rw-------");

    // A file left readable by an earlier version is tightened at the next start.
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    server = StoreTestSupport.embedded(vertx, dataDir);
    await(server.release());
    assertThat(permissions(file)).isEqualTo("rw-------");
  }

  @Test
  void afterRotateKeysNoEarlierCopyOfASecretIsLeftInTheStoreFile(Vertx vertx) throws Exception {
    Path dataDir = tmp.resolve("data");
    String oldKey = "k1:" + StoreTestSupport.newKeyBase64();
    String newKey = "k2:" + StoreTestSupport.newKeyBase64();
    String tenant = newTenant();
    String originTenant = newTenant();
    String marker = "trunk-marker-" + UUID.randomUUID();
    String originPassword = "Origin-Plain-" + UUID.randomUUID().toString().substring(0, 8);

    String deployment = StoreTestSupport.deploy(vertx, StoreTestSupport.config(dataDir, oldKey));
    call(vertx, Store.TWILIO_ACCOUNT_PUT, new PutTwilioAccount(tenant, sid("AC"), new Secret("tok-at-rest-1")),
        Connector.class);
    call(vertx, Store.RETELL_KEY_PUT, new PutRetellKey(tenant, new Secret("key_at_rest_1")), Connector.class);
    call(vertx, Store.SIP_PENDING_PUT, new PutPendingSip(tenant, "tl_user", new Secret("Sip-At-Rest-1"), CredentialPurpose.SETUP,
        null), Connector.class);
    call(vertx, Store.SIP_PROMOTE, new PromoteSip(tenant, "tl_user", null), Connector.class);
    call(vertx, Store.TRUNK_PUT, new PutTrunk(tenant, Trunk.builder().trunkSid(sid("TK")).friendlyName(marker)
        .build(), null), Connector.class);
    await(vertx.undeploy(deployment));

    // Every envelope under the old key, and an origin plaintext to adopt.
    Map<String, String> earlier = new LinkedHashMap<>();
    EmbeddedMongo server = StoreTestSupport.embedded(vertx, dataDir);
    MongoClient raw = StoreTestSupport.rawClient(vertx, server);
    try {
      for (JsonObject doc : await(raw.find("connectorsubaccount", new JsonObject().put("subaccountId", tenant)))) {
        for (SecretField field : SecretField.values()) {
          if (ConnectorDocs.get(doc, field.path()) instanceof JsonObject envelope) {
            earlier.put("the k1 envelope of " + field, envelope.getString("ct"));
          }
        }
      }
      await(raw.insert("connectorsubaccount", LegacyAdoptionTest.originDoc(originTenant,
          new JsonObject().put("username", "origin_user").put("password", originPassword))));
    } finally {
      await(raw.close());
      await(server.release());
    }
    earlier.put("the origin's plaintext password", originPassword);
    assertThat(earlier).hasSize(4);
    assertThat(fileText(dataDir)).as("control: the file holds what was written")
        .contains(earlier.values()).contains(marker);

    JsonObject rotating = StoreTestSupport.config(dataDir, newKey + "," + oldKey);
    rotating.getJsonObject("vault").put("adoptLegacyPlaintext", true);
    RekeyReport report = await(VaultRekeyCommand.run(vertx, rotating, null, 60_000));
    assertThat(report.reencrypted()).as("the tenant's two documents and the origin one").isEqualTo(3);
    assertThat(report.failed()).isZero();

    String text = fileText(dataDir);
    Map<String, String> inEitherEncoding = new LinkedHashMap<>();
    earlier.forEach((name, value) -> {
      inEitherEncoding.put(name, value);
      inEitherEncoding.put(name + " (UTF-16LE)",
          new String(value.getBytes(StandardCharsets.UTF_16LE), StandardCharsets.ISO_8859_1));
    });
    assertNoSecrets("the store file after rotate-keys", text, inEitherEncoding);
    assertThat(text).as("control: the live data is still there").contains(marker);
    if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
      assertThat(permissions(dataDir.resolve(EmbeddedMongo.FILE_NAME))).isEqualTo("rw-------");
    }
    // The compacted file is a working store: every secret reads with the new key alone.
    StoreTestSupport.deploy(vertx, StoreTestSupport.config(dataDir, newKey));
    assertThat(call(vertx, Store.RETELL_KEY_GET, new TenantRef(tenant), RetellKey.class).apiKey().reveal())
        .isEqualTo("key_at_rest_1");
    assertThat(call(vertx, Store.SIP_GET, new TenantRef(tenant), SipCredentials.class).password().reveal())
        .isEqualTo("Sip-At-Rest-1");
    assertThat(call(vertx, Store.SIP_GET, new TenantRef(originTenant), SipCredentials.class).password().reveal())
        .isEqualTo(originPassword);
  }

  @Test
  void compactingAFileThatIsOpenIsRefused(Vertx vertx) {
    Path dataDir = tmp.resolve("data");
    EmbeddedMongo server = StoreTestSupport.embedded(vertx, dataDir);
    try {
      assertThatThrownBy(() -> await(EmbeddedMongo.compact(vertx, dataDir.toString())))
          .hasMessageContaining("is open in this process");
    } finally {
      await(server.release());
    }
  }

  /** The file's bytes one char each, so any byte sequence is findable. */
  private static String fileText(Path dataDir) throws Exception {
    return new String(Files.readAllBytes(dataDir.resolve(EmbeddedMongo.FILE_NAME)), StandardCharsets.ISO_8859_1);
  }

  private static String permissions(Path path) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
  }
}
