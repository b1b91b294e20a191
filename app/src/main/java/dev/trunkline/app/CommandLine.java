package dev.trunkline.app;

import java.util.ArrayList;
import java.util.List;

/**
 * The launcher's arguments: {@code [run|demo|rotate-keys|adopt-origin|store-server|help] [--conf FILE] [--cluster]
 * [--roles a,b]} and the options of {@code adopt-origin} and {@code store-server}.
 *
 * @param command what to do (default {@code run})
 * @param confFile YAML configuration file, or null
 * @param cluster join a Hazelcast cluster
 * @param roles the roles to run, or null for the configured ones
 * @param commandOptions the command's own options as given ({@code adopt-origin}'s, {@code store-server}'s), empty
 *     for the others
 */
public record CommandLine(String command, String confFile, boolean cluster, String roles,
    List<String> commandOptions) {

  public CommandLine(String command, String confFile, boolean cluster, String roles) {
    this(command, confFile, cluster, roles, List.of());
  }

  static final String USAGE = """
      usage: java -jar trunkline.jar [command] [options]
      commands:
        run            start Trunkline (default); sandbox mode when no upstream URL is configured
        demo           start a sandbox and walk through connect, setup, purchase, break, audit, fix, audit
        rotate-keys    re-encrypt every stored secret with the active key (TRUNKLINE_KEYS) and report counts
        adopt-origin   copy the origin service's tenants into the store (docs/store.md, "Migrating from the origin")
        store-server   serve the embedded store engine on a port, for several store nodes (docs/deployment.md)
        help           print this text
      options:
        --conf FILE    YAML configuration file (also TRUNKLINE_CONFIG)
        --cluster      join a Hazelcast cluster (see docs/deployment.md)
        --roles LIST   run only these roles: gateway,provisioning,twilio,retell,store (default all)
      adopt-origin options (the origin's key: TRUNKLINE_LEGACY_ENCRYPTION_KEY or --origin-key-file):
        --origin-uri URI        the origin's MongoDB
        --origin-db NAME        a database holding every tenant's connectorsubaccount documents
        --origin-tenants FILE   a database per subaccount: lines "<subaccountId> <database> [<mongodb-uri>]"
        --retell-export FILE    the tenant manager's Retell accounts (JSON array, or one object per line)
        --origin-key-file FILE  a file holding the origin's ENCRYPTION_KEY
        --dry-run               report what would be adopted and what cannot be read; write nothing
        --overwrite             replace what Trunkline already has of a tenant (default: keep it)
        --progress-every N      a progress line every N tenants (default 100)
      store-server options (store nodes then set TRUNKLINE_MONGO_URI to the URI it prints):
        --port P                the port to listen on (default 27017; 0 picks a free one)
        --data-dir D            where its data file store.mv lives (default ./data)
        --host H                the address to bind (default 127.0.0.1; it asks no one for credentials)
      """;

  public static CommandLine parse(List<String> args) {
    String command = "run";
    String conf = null;
    boolean cluster = false;
    String roles = null;
    List<String> commandOptions = new ArrayList<>();
    boolean adopt = !args.isEmpty() && args.get(0).equals("adopt-origin");
    boolean storeServer = !args.isEmpty() && args.get(0).equals("store-server");
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      switch (arg) {
        case "--conf", "--config" -> conf = value(args, ++i, arg);
        case "--cluster" -> cluster = true;
        case "--roles" -> roles = value(args, ++i, arg);
        case "-h", "--help" -> command = "help";
        default -> {
          if (adopt && AdoptOriginCommand.VALUED.contains(arg)) {
            commandOptions.add(arg);
            commandOptions.add(value(args, ++i, arg));
          } else if (adopt && AdoptOriginCommand.FLAGS.contains(arg)) {
            commandOptions.add(arg);
          } else if (storeServer && StoreServerCommand.VALUED.contains(arg)) {
            commandOptions.add(arg);
            commandOptions.add(value(args, ++i, arg));
          } else if (arg.startsWith("--conf=")) {
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
    if (!List.of("run", "demo", "rotate-keys", "adopt-origin", "store-server", "help").contains(command)) {
      throw new IllegalArgumentException("unknown command " + command);
    }
    return new CommandLine(command, conf, cluster, roles, List.copyOf(commandOptions));
  }

  private static String value(List<String> args, int i, String option) {
    if (i >= args.size()) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return args.get(i);
  }
}
