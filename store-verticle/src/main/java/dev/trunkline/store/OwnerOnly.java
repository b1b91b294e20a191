package dev.trunkline.store;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Directories (0700) and files (0600) that only the account running Trunkline can open: the data directory, the
 * embedded store's file and the sandbox's secrets. On a file system without POSIX permissions (Windows) the
 * directory's own access control applies and nothing is changed.
 *
 * <p>A directory that already exists is the operator's: it is not changed, only reported when others can enter
 * it. Files are Trunkline's own and are tightened. Blocking file I/O: never on an event loop.
 */
public final class OwnerOnly {
  private static final Logger LOG = LoggerFactory.getLogger(OwnerOnly.class);
  static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");
  static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

  private OwnerOnly() {}

  /** Creates {@code dir} (and missing parents) as 0700; warns when an existing one is open to group or others. */
  public static Path directory(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      warnIfOpen(dir);
      return dir;
    }
    try {
      return Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(DIRECTORY));
    } catch (UnsupportedOperationException e) {
      return Files.createDirectories(dir);
    }
  }

  /** Creates an empty 0600 file when there is none; makes an existing one 0600. */
  public static Path file(Path file) throws IOException {
    try {
      Files.createFile(file, PosixFilePermissions.asFileAttribute(FILE));
      return file;
    } catch (UnsupportedOperationException e) {
      return Files.exists(file) ? file : Files.createFile(file);
    } catch (FileAlreadyExistsException e) {
      tighten(file);
      return file;
    }
  }

  /** Makes an existing file 0600 (a no-op where permissions are not POSIX). */
  public static void tighten(Path file) throws IOException {
    try {
      Set<PosixFilePermission> current = Files.getPosixFilePermissions(file);
      if (!current.equals(FILE)) {
        Files.setPosixFilePermissions(file, FILE);
        LOG.info("{} was {}, now rw------- (it holds encrypted secrets and metadata)", file,
            PosixFilePermissions.toString(current));
      }
    } catch (UnsupportedOperationException e) {
      // not POSIX: the directory's access control applies
    }
  }

  private static void warnIfOpen(Path dir) throws IOException {
    try {
      Set<PosixFilePermission> current = Files.getPosixFilePermissions(dir);
      if (current.stream().anyMatch(p -> !DIRECTORY.contains(p))) {
        LOG.warn("data directory {} is {}: other accounts on this machine can list it. Trunkline creates it "
            + "rwx------; run chmod 700 on it (docs/security.md)", dir, PosixFilePermissions.toString(current));
      }
    } catch (UnsupportedOperationException e) {
      // not POSIX
    }
  }
}
