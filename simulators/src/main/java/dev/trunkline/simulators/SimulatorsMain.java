package dev.trunkline.simulators;

import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs both simulators from the command line, for curl sessions and demos:
 * {@code java -cp <simulators jar + dependencies> dev.trunkline.simulators.SimulatorsMain --twilio-port 8101
 * --retell-port 8102 [--host 127.0.0.1] [--retell-rate-limit 20]}. Prints the two base URLs and runs until killed.
 */
public final class SimulatorsMain {

  private SimulatorsMain() {
  }

  record Settings(String host, int twilioPort, int retellPort, int retellRateLimit) {
  }

  public static void main(String[] args) throws Exception {
    Settings settings = parse(args);
    Vertx vertx = Vertx.vertx();
    Future<TwilioSimulator> twilio = TwilioSimulator.start(vertx,
        new SimulatorOptions().host(settings.host()).port(settings.twilioPort()));
    Future<RetellSimulator> retell = RetellSimulator.start(vertx, new SimulatorOptions().host(settings.host())
        .port(settings.retellPort()).rateLimitPerSecond(settings.retellRateLimit()));
    try {
      Future.all(twilio, retell).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      // Vert.x threads are not daemons: without closing, a failed start would leave a half-started process behind.
      System.err.println("simulators did not start: " + (e.getCause() == null ? e : e.getCause()));
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      System.exit(1);
    }
    System.out.println("TWILIO_API_BASE_URL=" + twilio.result().baseUrl());
    System.out.println("TWILIO_TRUNKING_BASE_URL=" + twilio.result().baseUrl());
    System.out.println("RETELL_BASE_URL=" + retell.result().baseUrl());
    Runtime.getRuntime().addShutdownHook(new Thread(() -> vertx.close()));
  }

  static Settings parse(String[] args) {
    Map<String, Integer> ports = new HashMap<>(Map.of("--twilio-port", 0, "--retell-port", 0,
        "--retell-rate-limit", 0));
    String host = SimulatorOptions.DEFAULT_HOST;
    for (int i = 0; i < args.length; i++) {
      String name = args[i];
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("missing value for " + name);
      }
      String value = args[++i];
      if (name.equals("--host")) {
        host = value;
      } else if (ports.containsKey(name)) {
        try {
          ports.put(name, Integer.parseInt(value));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(name + " needs an integer, got " + value);
        }
      } else {
        throw new IllegalArgumentException("unknown option " + name
            + " (use --host, --twilio-port, --retell-port, --retell-rate-limit)");
      }
    }
    return new Settings(host, ports.get("--twilio-port"), ports.get("--retell-port"), ports.get("--retell-rate-limit"));
  }
}
