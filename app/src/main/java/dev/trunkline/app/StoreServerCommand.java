package dev.trunkline.app;

import dev.trunkline.store.StoreServer;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * {@code java -jar trunkline.jar store-server [--port P] [--data-dir D] [--host H]}: the embedded MongoDB-compatible
 * engine as a process of its own, so that two or more store nodes ({@code --roles store}, {@code TRUNKLINE_MONGO_URI}
 * set to the URI it prints) share one database and a store node can die without taking the data with it. For tests
 * and small installations: the engine itself is one process (production runs a MongoDB replica set,
 * docs/deployment.md). It has no authentication, so it binds loopback unless told otherwise. Runs until SIGTERM,
 * then closes its connections and its data file.
 */
final class StoreServerCommand {
  /** Options that take a value. */
  static final Set<String> VALUED = Set.of("--port", "--data-dir", "--host");
  static final int DEFAULT_PORT = 27017;
  static final String DEFAULT_HOST = "127.0.0.1";
  static final String DEFAULT_DATA_DIR = "./data";

  private StoreServerCommand() {}

  /** What to serve. */
  record Options(String host, int port, Path dataDir) {}

  static Options options(List<String> args) {
    String host = DEFAULT_HOST;
    int port = DEFAULT_PORT;
    Path dataDir = Path.of(DEFAULT_DATA_DIR);
    for (int i = 0; i + 1 < args.size(); i += 2) {
      String value = args.get(i + 1);
      switch (args.get(i)) {
        case "--host" -> host = value;
        case "--data-dir" -> dataDir = Path.of(value);
        case "--port" -> {
          try {
            port = Integer.parseInt(value);
          } catch (NumberFormatException e) {
            port = -1;
          }
          if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("--port must be a port number from 0 to 65535");
          }
        }
        default -> throw new IllegalArgumentException("unknown option " + args.get(i));
      }
    }
    return new Options(host, port, dataDir);
  }

  /** Serves until the JVM is asked to stop; the shutdown hook closes the engine (its data file commits). */
  static int run(List<String> args, PrintStream out) throws Exception {
    Options options = options(args);
    StoreServer server = StoreServer.open(options.dataDir(), options.host(), options.port());
    CountDownLatch closed = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        server.close();
        out.println("store-server stopped; data in " + server.file());
      } finally {
        closed.countDown();
      }
    }, "store-server-shutdown"));
    if (!isLoopback(options.host())) {
      out.println("WARNING: the store-server has no authentication and listens on " + options.host()
          + ": only trusted machines may reach that address (docs/deployment.md)");
    }
    out.println("store-server listening; data in " + server.file());
    out.println("TRUNKLINE_MONGO_URI=" + server.connectionString());
    out.flush();
    closed.await();
    return 0;
  }

  private static boolean isLoopback(String host) {
    return host.equals("localhost") || host.startsWith("127.") || host.equals("::1");
  }
}
