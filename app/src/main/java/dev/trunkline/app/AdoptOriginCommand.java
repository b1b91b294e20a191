package dev.trunkline.app;

import dev.trunkline.contract.Identifiers;
import dev.trunkline.store.AdoptOriginCommand.Options;
import dev.trunkline.store.AdoptOriginCommand.Report;
import dev.trunkline.store.AdoptOriginCommand.Source;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code java -jar trunkline.jar adopt-origin}: copies the origin service's tenants into Trunkline's store
 * ({@link dev.trunkline.store.AdoptOriginCommand}), from one origin database for all tenants
 * ({@code --origin-uri} and {@code --origin-db}) and/or a database per subaccount listed in a file
 * ({@code --origin-tenants}), with the tenant manager's Retell keys from {@code --retell-export}. With the embedded
 * store, stop the service first (one process at a time can open its data file).
 */
final class AdoptOriginCommand {
  /** Options that take a value. */
  static final Set<String> VALUED = Set.of("--origin-uri", "--origin-db", "--origin-tenants", "--retell-export",
      "--origin-key-file", "--progress-every");
  /** Options without a value. */
  static final Set<String> FLAGS = Set.of("--dry-run", "--overwrite");
  static final int DEFAULT_PROGRESS_EVERY = 100;
  /** Each store call has its own timeout; this bounds the whole run (many tenants, one at a time). */
  private static final long CALL_TIMEOUT_MS = 30_000L;
  private static final int RUN_TIMEOUT_SECONDS = 12 * 3600;

  private AdoptOriginCommand() {}

  static int run(JsonObject config, List<String> args, PrintStream out) throws Exception {
    Options options = options(args);
    RekeyCommand.useSandboxKeys(config);
    Vertx vertx = Vertx.vertx();
    try {
      out.println((options.dryRun() ? "dry run: reading" : "adopting") + " the origin's tenants from "
          + options.sources().size() + " database(s)"
          + (options.retellExport() == null ? "" : " and the Retell export " + options.retellExport()) + "...");
      Report report = Main.await(dev.trunkline.store.AdoptOriginCommand.run(vertx, config, options, out::println,
          CALL_TIMEOUT_MS), RUN_TIMEOUT_SECONDS);
      return report.failed() == 0 ? 0 : 1;
    } finally {
      Main.await(vertx.close(), 30);
    }
  }

  /** The command's options; fails with a message for the operator when they do not make a run. */
  static Options options(List<String> args) throws IOException {
    String uri = null;
    String db = null;
    Path tenantsFile = null;
    Path export = null;
    String originKey = null;
    int progressEvery = DEFAULT_PROGRESS_EVERY;
    boolean dryRun = false;
    boolean overwrite = false;
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      switch (arg) {
        case "--origin-uri" -> uri = args.get(++i);
        case "--origin-db" -> db = args.get(++i);
        case "--origin-tenants" -> tenantsFile = Path.of(args.get(++i));
        case "--retell-export" -> export = Path.of(args.get(++i));
        case "--origin-key-file" -> originKey = Files.readString(Path.of(args.get(++i))).strip();
        case "--progress-every" -> progressEvery = positive(args.get(++i));
        case "--dry-run" -> dryRun = true;
        case "--overwrite" -> overwrite = true;
        default -> throw new IllegalArgumentException("unknown option " + arg);
      }
    }
    List<Source> sources = new ArrayList<>();
    if (db != null) {
      if (uri == null) {
        throw new IllegalArgumentException("--origin-db needs --origin-uri");
      }
      sources.add(new Source(null, uri, db));
    }
    if (tenantsFile != null) {
      sources.addAll(tenants(Files.readAllLines(tenantsFile), uri, tenantsFile));
    }
    if (sources.isEmpty() && export == null) {
      throw new IllegalArgumentException("adopt-origin needs --origin-uri with --origin-db, --origin-tenants or "
          + "--retell-export");
    }
    if (originKey != null && originKey.isEmpty()) {
      throw new IllegalArgumentException("the --origin-key-file is empty");
    }
    return new Options(sources, export, originKey, dryRun, overwrite, progressEvery);
  }

  /**
   * The databases of {@code --origin-tenants}: a line {@code <subaccountId> <database> [<mongodb-uri>]} per
   * subaccount (the URI defaults to {@code --origin-uri}); blank lines and {@code #} comments are skipped.
   */
  static List<Source> tenants(List<String> lines, String defaultUri, Path file) {
    List<Source> sources = new ArrayList<>();
    for (int n = 0; n < lines.size(); n++) {
      String line = lines.get(n).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] parts = line.split("\\s+");
      String where = file + " line " + (n + 1);
      if (parts.length < 2 || parts.length > 3) {
        throw new IllegalArgumentException(where + ": expected <subaccountId> <database> [<mongodb-uri>]");
      }
      if (!Identifiers.isSubaccountId(parts[0])) {
        throw new IllegalArgumentException(where + ": the subaccountId is not 24 hexadecimal characters");
      }
      String uri = parts.length == 3 ? parts[2] : defaultUri;
      if (uri == null) {
        // The line is not repeated: its URI part may hold a password.
        throw new IllegalArgumentException(where + ": no MongoDB URI on the line and no --origin-uri");
      }
      sources.add(new Source(parts[0], uri, parts[1]));
    }
    return sources;
  }

  private static int positive(String value) {
    try {
      int n = Integer.parseInt(value);
      if (n >= 1) {
        return n;
      }
    } catch (NumberFormatException e) {
      // the message below
    }
    throw new IllegalArgumentException("--progress-every must be a whole number of 1 or more");
  }
}
