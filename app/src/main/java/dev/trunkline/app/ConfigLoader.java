package dev.trunkline.app;

import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Loads Trunkline's configuration with vertx-config, lowest precedence first:
 * built-in defaults ({@code trunkline-defaults.json}), an optional YAML file ({@code --conf FILE} or
 * {@code TRUNKLINE_CONFIG}), environment variables ({@link #ENVIRONMENT}), then system properties
 * ({@code -Dtrunkline.http.port=9090} sets {@code http.port}).
 *
 * <p>Environment variables and system properties arrive flat; they are mapped onto the nested keys here, in
 * one place, so the README's configuration table and the code cannot drift apart (a test checks the table).
 */
public final class ConfigLoader {

  /** A setting that an environment variable controls: where it lands and of which type it is. */
  public record EnvSetting(String variable, String path, Class<?> type, String description) {}

  public static final List<EnvSetting> ENVIRONMENT = List.of(
      new EnvSetting("TRUNKLINE_HTTP_PORT", "http.port", Integer.class, "HTTP port of the gateway (default 8080)"),
      new EnvSetting("TRUNKLINE_HTTP_HOST", "http.host", String.class, "interface the gateway binds (default 0.0.0.0)"),
      new EnvSetting("TRUNKLINE_MODE", "mode", String.class,
          "`auto` (default: sandbox only when no production setting is set), `sandbox` or `production`"),
      new EnvSetting("TRUNKLINE_MONGO_URI", "mongo.uri", String.class,
          "MongoDB connection string; unset: the embedded store under the data dir"),
      new EnvSetting("TRUNKLINE_MONGO_DATABASE", "mongo.database", String.class, "database name (default trunkline)"),
      new EnvSetting("TRUNKLINE_DATA_DIR", "dataDir", String.class, "data directory (default ./data)"),
      new EnvSetting("TRUNKLINE_JWT_SECRET", "gateway.jwtSecret", String.class,
          "HS256 secret for bearer tokens (sandbox: generated)"),
      new EnvSetting("TRUNKLINE_JWT_ISSUER", "gateway.jwtIssuer", String.class,
          "when set, bearer tokens must carry this `iss`"),
      new EnvSetting("TRUNKLINE_JWT_AUDIENCE", "gateway.jwtAudience", String.class,
          "when set, bearer tokens must carry this `aud`"),
      new EnvSetting("TRUNKLINE_SERVICE_TOKEN", "gateway.serviceToken", String.class,
          "token for service-only routes, sent as X-Service-Token (sandbox: generated)"),
      new EnvSetting("TRUNKLINE_KEYS", "vault.keys", String.class,
          "encryption keys `kid:base64key,...`, 32-byte keys, first is active (sandbox: generated)"),
      new EnvSetting("TRUNKLINE_LEGACY_ENCRYPTION_KEY", "vault.legacyEncryptionKey", String.class,
          "the origin service's ENCRYPTION_KEY, to adopt its encrypted records"),
      new EnvSetting("TRUNKLINE_ADOPT_LEGACY_PLAINTEXT", "vault.adoptLegacyPlaintext", Boolean.class,
          "`true` to adopt the origin's plain-text secrets (default false: plain text in a secret field is an "
              + "integrity error)"),
      new EnvSetting("TWILIO_API_BASE_URL", "twilio.apiBaseUrl", String.class,
          "Twilio core API (default https://api.twilio.com)"),
      new EnvSetting("TWILIO_TRUNKING_BASE_URL", "twilio.trunkingBaseUrl", String.class,
          "Twilio trunking API (default https://trunking.twilio.com)"),
      new EnvSetting("RETELL_BASE_URL", "retell.baseUrl", String.class, "Retell API (default https://api.retellai.com)"),
      new EnvSetting("RETELL_API_KEY", "retell.defaultApiKey", String.class,
          "Retell API key for tenants that have none of their own"),
      new EnvSetting("TRUNKLINE_FIX_CONCURRENCY", "provisioning.fixConcurrency", Integer.class,
          "numbers updated at once by the fix flow (default 32)"),
      new EnvSetting("TRUNKLINE_DRIFT_ENABLED", "drift.enabled", Boolean.class,
          "`false` to stop this node sweeping for drifted numbers (default true; `docs/drift.md`)"),
      new EnvSetting("TRUNKLINE_ROLES", "roles", String.class,
          "verticles this node runs: any of gateway,provisioning,twilio,retell,store (default all)"),
      new EnvSetting("TRUNKLINE_CLUSTER_MEMBERS", "cluster.members", String.class,
          "Hazelcast TCP-IP members, `host[:port],...` (clustered mode)"),
      new EnvSetting("TRUNKLINE_LOG_FORMAT", "log.format", String.class, "`text` (default) or `json`"));

  private static final String SYS_PREFIX = "trunkline.";

  private ConfigLoader() {}

  /**
   * @param confFile the YAML file from {@code --conf}, or null (then {@code TRUNKLINE_CONFIG} is used if set)
   * @param env the environment (a parameter so tests can pass their own)
   * @param sys the system properties to apply (a parameter for the same reason)
   */
  public static Future<JsonObject> load(Vertx vertx, String confFile, Map<String, String> env,
      Map<String, String> sys) {
    ConfigRetrieverOptions options = new ConfigRetrieverOptions()
        .setIncludeDefaultStores(false)
        .addStore(new ConfigStoreOptions().setType("json").setConfig(defaults()));
    String file = confFile != null ? confFile : env.get("TRUNKLINE_CONFIG");
    if (file != null && !file.isBlank()) {
      if (!Files.isRegularFile(Path.of(file))) {
        return Future.failedFuture(new IllegalArgumentException("configuration file not found: " + file));
      }
      options.addStore(new ConfigStoreOptions().setType("file").setFormat("yaml")
          .setConfig(new JsonObject().put("path", file)));
    }
    ConfigRetriever retriever = ConfigRetriever.create(vertx, options);
    return retriever.getConfig()
        .map(config -> applyOverrides(config, env, sys))
        .eventually(() -> {
          retriever.close();
          return Future.succeededFuture();
        });
  }

  static JsonObject defaults() {
    try (var in = ConfigLoader.class.getResourceAsStream("/trunkline-defaults.json")) {
      return new JsonObject(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
    } catch (java.io.IOException | NullPointerException e) {
      throw new IllegalStateException("built-in defaults missing from the jar", e);
    }
  }

  static JsonObject applyOverrides(JsonObject config, Map<String, String> env, Map<String, String> sys) {
    JsonObject out = config.copy();
    for (EnvSetting setting : ENVIRONMENT) {
      String value = env.get(setting.variable());
      if (value != null && !value.isBlank()) {
        put(out, setting.path(), coerce(setting, value.trim()));
      }
    }
    sys.forEach((key, value) -> {
      if (key.startsWith(SYS_PREFIX) && value != null) {
        put(out, key.substring(SYS_PREFIX.length()), coerceLoose(value.trim()));
      }
    });
    return out;
  }

  private static Object coerce(EnvSetting setting, String value) {
    if (setting.type() == Boolean.class) {
      if (!value.equals("true") && !value.equals("false")) {
        throw new IllegalArgumentException(setting.variable() + " must be true or false, got '" + value + "'");
      }
      return Boolean.parseBoolean(value);
    }
    if (setting.type() == Integer.class) {
      try {
        return Integer.parseInt(value);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(setting.variable() + " must be a number, got '" + value + "'");
      }
    }
    return value;
  }

  /** System properties have no declared type: numbers and booleans are read as such. */
  private static Object coerceLoose(String value) {
    if (value.matches("-?\\d{1,9}")) {
      return Integer.parseInt(value);
    }
    if (value.equals("true") || value.equals("false")) {
      return Boolean.parseBoolean(value);
    }
    return value;
  }

  /** Sets a dotted path, creating the objects on the way. */
  static void put(JsonObject root, String path, Object value) {
    String[] parts = path.split("\\.");
    JsonObject node = root;
    for (int i = 0; i < parts.length - 1; i++) {
      JsonObject child = node.getJsonObject(parts[i]);
      if (child == null) {
        child = new JsonObject();
        node.put(parts[i], child);
      }
      node = child;
    }
    node.put(parts[parts.length - 1], value);
  }

  /** Reads a dotted path, or null. */
  static Object get(JsonObject root, String path) {
    String[] parts = path.split("\\.");
    Object node = root;
    for (String part : parts) {
      if (!(node instanceof JsonObject json)) {
        return null;
      }
      node = json.getValue(part);
    }
    return node;
  }
}
