package dev.trunkline.app;

import dev.trunkline.store.OwnerOnly;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The secrets a sandbox needs (an encryption key, a JWT secret, a service token), generated once and kept
 * in {@code <dataDir>/sandbox-secrets.json} (mode 600, in a data dir created 700) so the data encrypted by one run
 * can be read by the next. Never for production: the launcher refuses to generate secrets outside sandbox mode.
 *
 * <p>Blocking file I/O: call it from the main thread or {@code executeBlocking}, never on an event loop.
 */
public final class SandboxSecrets {
  static final String FILE_NAME = "sandbox-secrets.json";
  private static final SecureRandom RANDOM = new SecureRandom();

  private SandboxSecrets() {}

  /** Reads the sandbox secrets under {@code dataDir}, creating them on first use. */
  public static JsonObject loadOrCreate(Path dataDir) throws IOException {
    // The sandbox creates the data dir before the store does: owner-only from the start (0700).
    OwnerOnly.directory(dataDir);
    Path file = dataDir.resolve(FILE_NAME);
    if (Files.exists(file)) {
      OwnerOnly.tighten(file);
      return new JsonObject(Files.readString(file, StandardCharsets.UTF_8));
    }
    JsonObject secrets = new JsonObject()
        .put("vaultKeys", "sandbox1:" + Base64.getEncoder().encodeToString(random(32)))
        .put("jwtSecret", Base64.getUrlEncoder().withoutPadding().encodeToString(random(48)))
        .put("serviceToken", Base64.getUrlEncoder().withoutPadding().encodeToString(random(32)));
    Path tmp = Files.createTempFile(dataDir, "sandbox-secrets", ".tmp");
    try {
      OwnerOnly.tighten(tmp);
      Files.writeString(tmp, secrets.encodePrettily(), StandardCharsets.UTF_8);
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
    // Another process may have won the race to create it: everyone uses what is on disk.
    return new JsonObject(Files.readString(file, StandardCharsets.UTF_8));
  }

  private static byte[] random(int n) {
    byte[] bytes = new byte[n];
    RANDOM.nextBytes(bytes);
    return bytes;
  }
}
