package dev.trunkline.app;

import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import dev.trunkline.contract.config.Option;
import dev.trunkline.contract.config.Options;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Loads Trunkline's configuration with vertx-config, lowest precedence first:
 * built-in defaults (every declared key's default, {@link NodeOptions#ALL}), an optional YAML file ({@code --conf FILE} or
 * {@code TRUNKLINE_CONFIG}), environment variables ({@link #ENVIRONMENT}), then system properties
 * ({@code -Dtrunkline.http.port=9090} sets {@code http.port}).
 *
 * <p>Environment variables and system properties arrive flat; they are mapped onto the nested keys here, in
 * one place, so the README's configuration table and the code cannot drift apart (a test checks the table). Each
 * value is parsed as the type its key declares, and the merged result is checked against the declared keys: an
 * unknown or mistyped key, from any source, stops the start with a message that names it.
 */
public final class ConfigLoader {

  /** A setting that an environment variable controls: where it lands (its type is the key's). */
  public record EnvSetting(String variable, String path, String description) {}

  public static final List<EnvSetting> ENVIRONMENT = List.of(
      new EnvSetting("TRUNKLINE_HTTP_PORT", "http.port", "HTTP port of the gateway (default 8080)"),
      new EnvSetting("TRUNKLINE_HTTP_HOST", "http.host", "interface the gateway binds (default 0.0.0.0)"),
      new EnvSetting("TRUNKLINE_MODE", "mode",
          "`auto` (default: sandbox only when no production setting is set), `sandbox` or `production`"),
      new EnvSetting("TRUNKLINE_MONGO_URI", "mongo.uri",
          "MongoDB connection string; unset: the embedded store under the data dir"),
      new EnvSetting("TRUNKLINE_MONGO_DATABASE", "mongo.database", "database name (default trunkline)"),
      new EnvSetting("TRUNKLINE_DATA_DIR", "dataDir", "data directory (default ./data)"),
      new EnvSetting("TRUNKLINE_JWT_SECRET", "gateway.jwtSecret",
          "HS256 secret for bearer tokens (sandbox: generated)"),
      new EnvSetting("TRUNKLINE_JWT_ISSUER", "gateway.jwtIssuer",
          "when set, bearer tokens must carry this `iss`"),
      new EnvSetting("TRUNKLINE_JWT_AUDIENCE", "gateway.jwtAudience",
          "when set, bearer tokens must carry this `aud`"),
      new EnvSetting("TRUNKLINE_SERVICE_TOKEN", "gateway.serviceToken",
          "token for service-only routes, sent as X-Service-Token (sandbox: generated)"),
      new EnvSetting("TRUNKLINE_KEYS", "vault.keys",
          "encryption keys `kid:base64key,...`, 32-byte keys, first is active (sandbox: generated)"),
      new EnvSetting("TRUNKLINE_LEGACY_ENCRYPTION_KEY", "vault.legacyEncryptionKey",
          "the origin service's ENCRYPTION_KEY, to adopt its encrypted records"),
      new EnvSetting("TRUNKLINE_ADOPT_LEGACY_PLAINTEXT", "vault.adoptLegacyPlaintext",
          "`true` to adopt the origin's plain-text secrets (default false: plain text in a secret field is an "
              + "integrity error)"),
      new EnvSetting("TWILIO_API_BASE_URL", "twilio.apiBaseUrl",
          "Twilio core API (default https://api.twilio.com)"),
      new EnvSetting("TWILIO_TRUNKING_BASE_URL", "twilio.trunkingBaseUrl",
          "Twilio trunking API (default https://trunking.twilio.com)"),
      new EnvSetting("RETELL_BASE_URL", "retell.baseUrl", "Retell API (default https://api.retellai.com)"),
      new EnvSetting("RETELL_API_KEY", "retell.defaultApiKey",
          "Retell API key for tenants that have none of their own"),
      new EnvSetting("TRUNKLINE_FIX_CONCURRENCY", "provisioning.fixConcurrency",
          "numbers updated at once by the fix flow (default 32)"),
      new EnvSetting("TRUNKLINE_DRIFT_ENABLED", "drift.enabled",
          "`false` to stop this node sweeping for drifted numbers (default true; `docs/drift.md`)"),
      new EnvSetting("TRUNKLINE_ROLES", "roles",
          "verticles this node runs: any of gateway,provisioning,twilio,retell,store (default all)"),
      new EnvSetting("TRUNKLINE_CLUSTER_MEMBERS", "cluster.members",
          "Hazelcast TCP-IP members, `host[:port],...` (clustered mode)"),
      new EnvSetting("TRUNKLINE_LOG_FORMAT", "log.format", "`text` (default) or `json`"));

  private static final String SYS_PREFIX = "trunkline.";

  private ConfigLoader() {}

  /**
   * @param confFile the YAML file from {@code --conf}, or null (then {@code TRUNKLINE_CONFIG} is used if set)
   * @param env the environment (a parameter so tests can pass their own)
   * @param sys the system properties to apply (a parameter for the same reason)
   */
  public static Future<JsonObject> load(Vertx vertx, String confFile, Map<String, String> env,
      Map<String, String> sys) {
    String file = confFile != null ? confFile : env.get("TRUNKLINE_CONFIG");
    if (file == null || file.isBlank()) {
      return Future.<JsonObject>succeededFuture(new JsonObject()).map(config -> applyOverrides(config, env, sys));
    }
    if (!Files.isRegularFile(Path.of(file))) {
      return Future.failedFuture(new IllegalArgumentException("configuration file not found: " + file));
    }
    // The defaults are not a store here: they go in last, under everything, after former key names have been
    // moved to their new ones (a default under a new name must not hide a value set under the old one).
    ConfigRetrieverOptions options = new ConfigRetrieverOptions()
        .setIncludeDefaultStores(false)
        .addStore(new ConfigStoreOptions().setType("file").setFormat("yaml")
            .setConfig(new JsonObject().put("path", file)));
    ConfigRetriever retriever = ConfigRetriever.create(vertx, options);
    return retriever.getConfig()
        .map(config -> applyOverrides(config, env, sys))
        .eventually(() -> {
          retriever.close();
          return Future.succeededFuture();
        });
  }

  /** The built-in defaults: a fresh copy of every declared key's default. */
  public static JsonObject defaults() {
    return NodeOptions.ALL.defaults();
  }

  /**
   * Applies environment variables and system properties over {@code config} and checks the result.
   *
   * @throws IllegalArgumentException naming the variable, property or key that is unknown or of the wrong type
   */
  static JsonObject applyOverrides(JsonObject config, Map<String, String> env, Map<String, String> sys) {
    JsonObject out = config.copy();
    for (EnvSetting setting : ENVIRONMENT) {
      String value = env.get(setting.variable());
      if (value != null && !value.isBlank()) {
        put(out, setting.path(), option(setting.path()).parse(setting.variable(), value));
      }
    }
    sys.forEach((key, value) -> {
      if (key.startsWith(SYS_PREFIX) && value != null) {
        String path = key.substring(SYS_PREFIX.length());
        Option<?> option = NodeOptions.ALL.find(path);
        if (option != null) {
          put(out, path, option.parse("-D" + key, value));
        } else if (NodeOptions.ALL.objectContaining(path) != null) {
          // A member of a map-valued key (-Dtrunkline.gateway.rateLimit.routes.getTrunk=60): its reader checks it.
          put(out, path, loose(value.trim()));
        } else {
          throw new IllegalArgumentException("unknown configuration key " + path + " (system property -D" + key
              + "; docs/development.md lists where the keys are declared)");
        }
      }
    });
    NodeOptions.ALL.renameFormerKeys(out);
    JsonObject merged = defaults().mergeIn(out, true);
    NodeOptions.ALL.check(merged);
    return merged;
  }

  /** A member of a map-valued key has no declared type: a whole number or a flag is read as such. */
  private static Object loose(String value) {
    if (value.matches("-?\\d{1,9}")) {
      return Integer.parseInt(value);
    }
    return value.equals("true") || value.equals("false") ? (Object) Boolean.parseBoolean(value) : value;
  }

  private static Option<?> option(String path) {
    Option<?> option = NodeOptions.ALL.find(path);
    if (option == null) {
      throw new IllegalStateException("environment variable mapped to undeclared key " + path);
    }
    return option;
  }

  /** Sets a dotted path, creating the objects on the way. */
  static void put(JsonObject root, String path, Object value) {
    Options.put(root, path, value);
  }

  /** Reads a dotted path, or null. */
  static Object get(JsonObject root, String path) {
    return Options.at(root, path);
  }
}
