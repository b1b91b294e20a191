package dev.trunkline.store;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;

/**
 * The embedded engine (mongo-java-server over an H2 MVStore file, {@code <dataDir>/store.mv}) listening on a host
 * and port: what {@link EmbeddedMongo} runs inside a store node, and what the launcher's {@code store-server}
 * command runs as a process of its own so that several store nodes can share one database (tests and small
 * installations; production uses a MongoDB replica set, docs/deployment.md).
 *
 * <p>The engine has no authentication: bind it to loopback unless the network around it is trusted. The data
 * directory is created 0700 and the file 0600 ({@link OwnerOnly}). Opening and closing block (file I/O, Netty).
 */
public final class StoreServer implements AutoCloseable {
  private final MongoServer server;
  private final String connectionString;
  private final Path file;

  private StoreServer(MongoServer server, String connectionString, Path file) {
    this.server = server;
    this.connectionString = connectionString;
    this.file = file;
  }

  /** Opens (or creates) {@code dataDir/store.mv} and listens on {@code host:port} (0: a free port). Blocking. */
  public static StoreServer open(Path dataDir, String host, int port) throws IOException {
    Path dir = dataDir.toAbsolutePath().normalize();
    Path file = dir.resolve(EmbeddedMongo.FILE_NAME);
    OwnerOnly.directory(dir);
    // Created 0600 before MVStore opens it (MVStore would create it with the process's umask, often 0644).
    OwnerOnly.file(file);
    H2Backend backend = new H2Backend(file.toString());
    MongoServer server = new MongoServer(backend);
    try {
      server.bind(host, port);
    } catch (RuntimeException e) {
      backend.close();
      throw e;
    }
    InetSocketAddress address = server.getLocalAddress();
    String uriHost = host.contains(":") ? "[" + host + "]" : host;
    return new StoreServer(server, "mongodb://" + uriHost + ":" + address.getPort(), file);
  }

  /** {@code mongodb://<host>:<port>}: what store nodes are given as {@code mongo.uri}. */
  public String connectionString() {
    return connectionString;
  }

  public int port() {
    return server.getLocalAddress().getPort();
  }

  public Path file() {
    return file;
  }

  /** Closes the client connections, stops listening and closes the data file (MVStore commits). Blocking. */
  @Override
  public void close() {
    server.shutdownNow();
  }
}
