package dev.trunkline.app;

import static dev.trunkline.contract.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trunkline.contract.Addresses;
import dev.trunkline.contract.Bus;
import dev.trunkline.contract.Secret;
import dev.trunkline.contract.StoreMessages.PutRetellKey;
import dev.trunkline.contract.StoreMessages.RetellKey;
import dev.trunkline.contract.TenantRef;
import dev.trunkline.contract.testing.SecretAssertions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code java -jar trunkline.jar rotate-keys} as an operator runs it on the embedded store: secrets written under
 * the sandbox's key, the service stopped, a new key put first in {@code TRUNKLINE_KEYS}, the command run (twice:
 * the second run has nothing to do), and the service started with the new key alone reads every secret.
 */
class RotateKeysCommandLineTest {
  private static final int TENANTS = 3;

  @TempDir
  Path dataDir;

  private Vertx vertx;

  @BeforeEach
  void vertx() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void close() throws Exception {
    await(vertx.close());
  }

  @Test
  void rotateKeysReencryptsEverySecretSoTheOldKeyCanGo() throws Exception {
    Map<String, String> apiKeys = new LinkedHashMap<>();
    for (int i = 0; i < TENANTS; i++) {
      apiKeys.put(String.format("64f1c0ffee0000000000%04d", i), "key_" + random(18));
    }
    Trunkline before = await(Trunkline.start(vertx, config(null)));
    String oldKeys = before.config().getJsonObject("vault").getString("keys");
    for (Map.Entry<String, String> e : apiKeys.entrySet()) {
      await(Bus.request(vertx, Addresses.Store.RETELL_KEY_PUT,
          new PutRetellKey(e.getKey(), new Secret(e.getValue())), Object.class, 10_000, "test"));
    }
    await(before.close());

    String newKeys = "k2:" + random(32) + "," + oldKeys;
    Map<String, String> secrets = new LinkedHashMap<>();
    apiKeys.forEach((tenant, key) -> secrets.put("the Retell key of " + tenant, key));
    secrets.put("the new vault key", newKeys.substring(3, newKeys.indexOf(',')));
    secrets.put("the old vault key", oldKeys.substring(oldKeys.indexOf(':') + 1));

    List<String> first = new ArrayList<>();
    assertThat(runCommand(newKeys, first)).as("exit code").isZero();
    SecretAssertions.assertNoSecrets("rotate-keys output", String.join("\n", first), secrets);
    assertThat(first).anyMatch(l -> l.matches("scanned \\d+, re-encrypted " + TENANTS + ", already current 0, failed 0"));

    List<String> second = new ArrayList<>();
    assertThat(runCommand(newKeys, second)).isZero();
    assertThat(second).anyMatch(l -> l.matches("scanned \\d+, re-encrypted 0, already current " + TENANTS
        + ", failed 0"));

    // The old key is gone from the keyring: every secret still reads, so each was rewritten under k2.
    Trunkline after = await(Trunkline.start(vertx, config(newKeys.substring(0, newKeys.indexOf(',')))));
    try {
      for (Map.Entry<String, String> e : apiKeys.entrySet()) {
        RetellKey read = await(Bus.request(vertx, Addresses.Store.RETELL_KEY_GET, new TenantRef(e.getKey()),
            RetellKey.class, 10_000, "test"));
        assertThat(read.apiKey().reveal().equals(e.getValue())).as("%s's key reads back", e.getKey()).isTrue();
      }
    } finally {
      await(after.close());
    }
  }

  private JsonObject config(String vaultKeys) {
    Map<String, String> env = new LinkedHashMap<>(Map.of("TRUNKLINE_HTTP_PORT", "0",
        "TRUNKLINE_HTTP_HOST", "127.0.0.1", "TRUNKLINE_DATA_DIR", dataDir.toString()));
    if (vaultKeys != null) {
      env.put("TRUNKLINE_KEYS", vaultKeys);
      // The sandbox's data under keys of the operator's: a sandbox only when asked for (auto would be production).
      env.put("TRUNKLINE_MODE", "sandbox");
    }
    return ConfigLoader.applyOverrides(ConfigLoader.defaults(), env, Map.of("trunkline.http.instances", "1"));
  }

  /** Runs the command's entry point with its standard output captured line by line. */
  private int runCommand(String vaultKeys, List<String> lines) throws Exception {
    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      return RekeyCommand.run(config(vaultKeys));
    } finally {
      System.setOut(original);
      lines.addAll(captured.toString(StandardCharsets.UTF_8).lines().toList());
    }
  }

  private static String random(int bytes) {
    byte[] b = new byte[bytes];
    new SecureRandom().nextBytes(b);
    return Base64.getEncoder().encodeToString(b);
  }
}
