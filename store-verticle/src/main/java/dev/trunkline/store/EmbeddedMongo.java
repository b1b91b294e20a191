package dev.trunkline.store;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded MongoDB-compatible default: de.bwaldvogel mongo-java-server with the H2 MVStore backend, its data
 * in {@code <dataDir>/store.mv}, listening on 127.0.0.1 on a free port. The store connects to it over the socket
 * with an ordinary connection string, through exactly the code path a real MongoDB uses.
 *
 * <p>An MVStore file can be opened by one server only, so servers are shared per file inside a JVM and
 * reference-counted: several store verticle instances (or a redeploy) reuse the running one, and the last
 * {@link #release()} shuts it down and closes the file. Start and stop block (file I/O, Netty shutdown), so both
 * run in {@code executeBlocking}.
 */
public final class EmbeddedMongo {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedMongo.class);
  static final String FILE_NAME = "store.mv";

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
    Files.createDirectories(dir);
    H2Backend backend = new H2Backend(file.toString());
    MongoServer server = new MongoServer(backend);
    try {
      server.bind("127.0.0.1", 0);
    } catch (RuntimeException e) {
      backend.close();
      throw e;
    }
    InetSocketAddress address = server.getLocalAddress();
    String uri = "mongodb://127.0.0.1:" + address.getPort();
    LOG.info("embedded MongoDB-compatible server on 127.0.0.1:{} with data in {}", address.getPort(), file);
    return new Running(server, uri);
  }

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
          running.server.shutdownNow();
          LOG.info("embedded MongoDB-compatible server stopped, data in {}", file);
        }
      }
      return null;
    }, false);
  }

  private static final class Running {
    final MongoServer server;
    final String connectionString;
    int references;

    Running(MongoServer server, String connectionString) {
      this.server = server;
      this.connectionString = connectionString;
    }
  }
}
