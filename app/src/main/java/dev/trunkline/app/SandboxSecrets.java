package dev.trunkline.app;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The secrets a sandbox needs (an encryption key, a JWT secret, a service token), generated once and kept
 * in {@code <dataDir>/sandbox-secrets.json} (mode 600) so the data encrypted by one run can be read by the
 * next. Never for production: the launcher refuses to generate secrets outside sandbox mode.
 *
 * <p>Blocking file I/O: call it from the main thread or {@code executeBlocking}, never on an event loop.
 */
public final class SandboxSecrets {
  static final String FILE_NAME = "sandbox-secrets.json";
  private static final SecureRandom RANDOM = new SecureRandom();

  private SandboxSecrets() {}

  /** Reads the sandbox secrets under {@code dataDir}, creating them on first use. */
  public static JsonObject loadOrCreate(Path dataDir) throws IOException {
    Files.createDirectories(dataDir);
    Path file = dataDir.resolve(FILE_NAME);
    if (Files.exists(file)) {
      return new JsonObject(Files.readString(file, StandardCharsets.UTF_8));
    }
    JsonObject secrets = new JsonObject()
        .put("vaultKeys", "sandbox1:" + Base64.getEncoder().encodeToString(random(32)))
        .put("jwtSecret", Base64.getUrlEncoder().withoutPadding().encodeToString(random(48)))
        .put("serviceToken", Base64.getUrlEncoder().withoutPadding().encodeToString(random(32)));
    Path tmp = Files.createTempFile(dataDir, "sandbox-secrets", ".tmp");
    try {
      setOwnerOnly(tmp);
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

  private static void setOwnerOnly(Path path) {
    try {
      Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException | IOException ignored) {
      // not a POSIX file system: the data dir's own permissions apply
    }
  }

  private static byte[] random(int n) {
    byte[] bytes = new byte[n];
    RANDOM.nextBytes(bytes);
    return bytes;
  }
}
