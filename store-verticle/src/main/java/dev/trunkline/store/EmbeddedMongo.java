package dev.trunkline.store;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded MongoDB-compatible default: de.bwaldvogel mongo-java-server with the H2 MVStore backend, its data
 * in {@code <dataDir>/store.mv}, listening on 127.0.0.1 on a free port. The store connects to it over the socket
 * with an ordinary connection string, through exactly the code path a real MongoDB uses.
 *
 * <p>The server has no authentication, so it listens on loopback only ({@link #BIND_HOST}, not configurable): only
 * processes on this machine reach it. The data directory is created 0700 and the file 0600 ({@link OwnerOnly}).
 * MVStore appends: a rewritten document's earlier versions stay in the file until their space is reused, so after
 * a key rotation {@link #compact} copies the live data into a fresh file.
 *
 * <p>An MVStore file can be opened by one server only, so servers are shared per file inside a JVM and
 * reference-counted: several store verticle instances (or a redeploy) reuse the running one, and the last
 * {@link #release()} shuts it down and closes the file. Start and stop block (file I/O, Netty shutdown), so both
 * run in {@code executeBlocking}.
 */
public final class EmbeddedMongo {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedMongo.class);
  static final String FILE_NAME = "store.mv";
  /** Loopback only: the embedded server asks no one for credentials. */
  static final String BIND_HOST = "127.0.0.1";

  private static final Map<Path, Running> RUNNING = new HashMap<>();

  private final Vertx vertx;
  private final Path file;
  private final String connectionString;
  private boolean released;

  private EmbeddedMongo(Vertx vertx, Path file, String connectionString) {
    this.vertx = vertx;
    this.file = file;
    this.connectionString = connectionString;
  }

  /** Starts (or joins) the embedded server for {@code dataDir}. */
  public static Future<EmbeddedMongo> acquire(Vertx vertx, String dataDir) {
    return vertx.executeBlocking(() -> {
      Path dir = Path.of(dataDir).toAbsolutePath().normalize();
      Path file = dir.resolve(FILE_NAME);
      synchronized (RUNNING) {
        Running running = RUNNING.get(file);
        if (running == null) {
          running = start(dir, file);
          RUNNING.put(file, running);
        }
        running.references++;
        return new EmbeddedMongo(vertx, file, running.connectionString);
      }
    }, false);
  }

  private static Running start(Path dir, Path file) throws IOException {
    StoreServer server = StoreServer.open(dir, BIND_HOST, 0);
    LOG.info("embedded MongoDB-compatible server on {}:{} with data in {}", BIND_HOST, server.port(), file);
    return new Running(server, server.connectionString());
  }

  /**
   * Rewrites the store file of {@code dataDir} with only its live data: a fresh 0600 file that gets every map's
   * current entries, then replaces the old one by an atomic rename. Earlier versions of rewritten documents (old
   * envelopes, adopted plain text) are not copied. The file must be closed: fails when this process has it open,
   * and MVStore's file lock refuses when another process has. Blocking, so in {@code executeBlocking}.
   */
  public static Future<Compaction> compact(Vertx vertx, String dataDir) {
    return vertx.executeBlocking(() -> {
      Path file = Path.of(dataDir).toAbsolutePath().normalize().resolve(FILE_NAME);
      // Holding the lock keeps this process from opening the file while it is being replaced.
      synchronized (RUNNING) {
        if (RUNNING.containsKey(file)) {
          throw new IllegalStateException("the embedded store file " + file + " is open in this process");
        }
        if (!Files.exists(file)) {
          return new Compaction(0, 0);
        }
        long before = Files.size(file);
        Path fresh = file.resolveSibling(FILE_NAME + ".compacting");
        Files.deleteIfExists(fresh);
        OwnerOnly.file(fresh);
        try {
          try (MVStore source = new MVStore.Builder().fileName(file.toString()).readOnly().open();
              MVStore target = new MVStore.Builder().fileName(fresh.toString()).open()) {
            // The backend's maps use the default (object) data types, so the default ones read and write them.
            for (String name : source.getMapNames()) {
              MVMap<Object, Object> from = source.openMap(name);
              MVMap<Object, Object> to = target.openMap(name);
              to.putAll(from);
            }
          }
          Files.move(fresh, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
          Files.deleteIfExists(fresh);
        }
        long after = Files.size(file);
        LOG.info("embedded store file {} compacted: {} bytes before, {} after; earlier versions of its documents "
            + "are no longer in it", file, before, after);
        return new Compaction(before, after);
      }
    }, false);
  }

  /** What {@link #compact} did: the file's size before and after, in bytes (0 and 0: there was no file). */
  public record Compaction(long bytesBefore, long bytesAfter) {}

  /** {@code mongodb://127.0.0.1:<port>}. */
  public String connectionString() {
    return connectionString;
  }

  public Path file() {
    return file;
  }

  /** Drops this reference; the last one shuts the server down and closes the data file. Idempotent. */
  public Future<Void> release() {
    if (released) {
      return Future.succeededFuture();
    }
    released = true;
    return vertx.executeBlocking(() -> {
      synchronized (RUNNING) {
        Running running = RUNNING.get(file);
        if (running != null && --running.references == 0) {
          RUNNING.remove(file);
          // Closes the remaining client connections, stops Netty and closes the backend (the MVStore commits).
          running.server.close();
          LOG.info("embedded MongoDB-compatible server stopped, data in {}", file);
        }
      }
      return null;
    }, false);
  }

  private static final class Running {
    final StoreServer server;
    final String connectionString;
    int references;

    Running(StoreServer server, String connectionString) {
      this.server = server;
      this.connectionString = connectionString;
    }
  }
}
