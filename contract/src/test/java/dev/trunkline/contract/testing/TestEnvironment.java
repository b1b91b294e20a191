package dev.trunkline.contract.testing;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * What every module's test environment makes the same way: fresh ids in Twilio's and the store's formats, a
 * fresh vault keyring, a data directory of its own, and the store's section of the configuration.
 *
 * <p>What stays with each module's builder (TrunklineHarness, TwilioTestEnv, the Retell Fixture, StoreTestSupport)
 * is its own section of the configuration, with timeouts and retries chosen for its tests, the simulators it
 * points at, and the verticles it deploys: those differ on purpose.
 */
public final class TestEnvironment {
  /** The database the store's tests use (the store's default). */
  public static final String DATABASE = "trunkline";
  private static final SecureRandom RANDOM = new SecureRandom();

  private TestEnvironment() {}

  /** A tenant (subaccount) id: 24 lower-case hex characters. */
  public static String newTenantId() {
    return hex(12);
  }

  /** A Twilio SID: the prefix ("AC", "TK", "PN"...) and 32 hex characters. */
  public static String newSid(String prefix) {
    return prefix + hex(16);
  }

  /** A fresh AES-256 key, base64, as one entry of {@code vault.keys} takes it. */
  public static String newVaultKey() {
    byte[] key = new byte[32];
    RANDOM.nextBytes(key);
    return Base64.getEncoder().encodeToString(key);
  }

  /** A fresh keyring of one key: {@code k1:<base64>}. */
  public static String newVaultKeys() {
    return "k1:" + newVaultKey();
  }

  /** A new temporary directory, e.g. for the embedded store's file. */
  public static Path newDataDir(String prefix) {
    try {
      return Files.createTempDirectory(prefix);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The store's part of the configuration: its data directory, the embedded database, the vault's keys. */
  public static JsonObject storeConfig(Path dataDir, String vaultKeys) {
    return new JsonObject()
        .put("dataDir", dataDir.toString())
        .put("mongo", new JsonObject().put("database", DATABASE))
        .put("vault", new JsonObject().put("keys", vaultKeys));
  }

  /** {@link #storeConfig(Path, String)} with a new data directory and a new keyring. */
  public static JsonObject newStoreConfig(String dataDirPrefix) {
    return storeConfig(newDataDir(dataDirPrefix), newVaultKeys());
  }

  /** {@code bytes} random bytes in lower-case hex. */
  public static String hex(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }
}
