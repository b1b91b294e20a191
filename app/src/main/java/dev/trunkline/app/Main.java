package dev.trunkline.app;

import dev.trunkline.gateway.GatewayConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar trunkline.jar [run|demo|rotate-keys|adopt-origin|store-server|help] [--conf FILE] [--cluster] [--roles LIST]}.
 */
public final class Main {
  static {
    // Vert.x and Hazelcast log through SLF4J/Logback like the rest of Trunkline.
    System.setProperty("vertx.logger-delegate-factory-class-name", "io.vertx.core.logging.SLF4JLogDelegateFactory");
    System.setProperty("hazelcast.logging.type", "slf4j");
  }

  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  private Main() {}

  public static void main(String[] args) {
    CommandLine cli;
    try {
      cli = CommandLine.parse(List.of(args));
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.print(CommandLine.USAGE);
      System.exit(2);
      return;
    }
    if (cli.command().equals("help")) {
      System.out.print(CommandLine.USAGE);
      return;
    }
    int exit;
    try {
      exit = switch (cli.command()) {
        case "demo" -> Demo.run(loadConfig(cli));
        case "rotate-keys" -> RekeyCommand.run(loadConfig(cli));
        case "adopt-origin" -> AdoptOriginCommand.run(loadConfig(cli), cli.commandOptions(), System.out);
        case "store-server" -> StoreServerCommand.run(cli.commandOptions(), System.out);
        default -> runServer(cli);
      };
    } catch (Exception e) {
      System.err.println("trunkline: " + e.getMessage());
      LOG.debug("start-up failed", e);
      exit = 1;
    }
    if (exit != 0 || !cli.command().equals("run")) {
      System.exit(exit);
    }
  }

  /** Loads configuration with a short-lived Vert.x (the real one may be clustered, which needs the config). */
  static JsonObject loadConfig(CommandLine cli) throws Exception {
    Vertx bootstrap = Vertx.vertx();
    try {
      Map<String, String> sys = new HashMap<>();
      System.getProperties().forEach((k, v) -> sys.put(String.valueOf(k), String.valueOf(v)));
      JsonObject config = await(ConfigLoader.load(bootstrap, cli.confFile(), System.getenv(), sys), 30);
      if (cli.roles() != null) {
        config.put("roles", cli.roles());
      }
      if (cli.cluster()) {
        ConfigLoader.put(config, "cluster.enabled", true);
      }
      // Before the node starts logging: log.format from YAML or -D, not only from the environment.
      LogFormat.apply(config);
      return config;
    } finally {
      await(bootstrap.close(), 10);
    }
  }

  private static int runServer(CommandLine cli) throws Exception {
    JsonObject config = loadConfig(cli);
    Vertx vertx = await(VertxFactory.create(config), 60);
    Trunkline node;
    try {
      node = await(Trunkline.start(vertx, config), 120);
    } catch (Exception e) {
      await(vertx.close(), 10);
      throw e;
    }
    long drainMs = GatewayConfig.SHUTDOWN_TIMEOUT_MS.get(config);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      LOG.info("shutting down: draining in-flight requests (at most {} ms)", drainMs);
      try {
        await(node.close().eventually(vertx::close), (int) (drainMs / 1000) + 10);
      } catch (Exception e) {
        LOG.warn("shutdown did not finish cleanly: {}", e.getMessage());
      }
    }, "trunkline-shutdown"));
    Banner.print(node);
    return 0;
  }

  static <T> T await(Future<T> future, int seconds) throws Exception {
    CompletableFuture<T> cf = future.toCompletionStage().toCompletableFuture();
    try {
      return cf.get(seconds, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      Throwable cause = e.getCause();
      throw cause instanceof Exception ex ? ex : new RuntimeException(cause);
    }
  }
}
