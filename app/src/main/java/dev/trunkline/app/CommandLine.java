package dev.trunkline.app;

import java.util.List;

/**
 * The launcher's arguments: {@code [run|demo|rotate-keys|help] [--conf FILE] [--cluster] [--roles a,b]}.
 *
 * @param command what to do (default {@code run})
 * @param confFile YAML configuration file, or null
 * @param cluster join a Hazelcast cluster
 * @param roles the roles to run, or null for the configured ones
 */
public record CommandLine(String command, String confFile, boolean cluster, String roles) {

  static final String USAGE = """
      usage: java -jar trunkline.jar [command] [options]
      commands:
        run            start Trunkline (default); sandbox mode when no upstream URL is configured
        demo           start a sandbox and walk through connect, setup, purchase, break, audit, fix, audit
        rotate-keys    re-encrypt every stored secret with the active key (TRUNKLINE_KEYS) and report counts
        help           print this text
      options:
        --conf FILE    YAML configuration file (also TRUNKLINE_CONFIG)
        --cluster      join a Hazelcast cluster (see docs/deployment.md)
        --roles LIST   run only these roles: gateway,provisioning,twilio,retell,store (default all)
      """;

  public static CommandLine parse(List<String> args) {
    String command = "run";
    String conf = null;
    boolean cluster = false;
    String roles = null;
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      switch (arg) {
        case "--conf", "--config" -> conf = value(args, ++i, arg);
        case "--cluster" -> cluster = true;
        case "--roles" -> roles = value(args, ++i, arg);
        case "-h", "--help" -> command = "help";
        default -> {
          if (arg.startsWith("--conf=")) {
            conf = arg.substring("--conf=".length());
          } else if (arg.startsWith("--roles=")) {
            roles = arg.substring("--roles=".length());
          } else if (arg.startsWith("-")) {
            throw new IllegalArgumentException("unknown option " + arg);
          } else if (i == 0) {
            command = arg;
          } else {
            throw new IllegalArgumentException("unexpected argument " + arg);
          }
        }
      }
    }
    if (!List.of("run", "demo", "rotate-keys", "help").contains(command)) {
      throw new IllegalArgumentException("unknown command " + command);
    }
    return new CommandLine(command, conf, cluster, roles);
  }

  private static String value(List<String> args, int i, String option) {
    if (i >= args.size()) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return args.get(i);
  }
}
