package dev.trunkline.app;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Sandbox or production, from {@code mode}. {@code auto} means the sandbox only when nothing production-like is
 * configured: a sandbox generates secrets, runs simulated Twilio and Retell and prints a dev token, none of which
 * may meet an operator's real keys, JWT secret or database. Any of {@link #PRODUCTION_SETTINGS} makes
 * {@code auto} production, which then needs its secrets and says which are missing.
 *
 * @param sandbox true for the sandbox
 * @param configured the production settings that are set (what made {@code auto} production), as
 *     {@link #describe} names them
 * @param auto true when the mode was {@code auto}
 */
record StartupMode(boolean sandbox, List<String> configured, boolean auto) {

  /** Settings only a real deployment has: secrets, the real database, real upstream endpoints. */
  static final List<String> PRODUCTION_SETTINGS = List.of(
      "vault.keys", "vault.legacyEncryptionKey",
      "gateway.jwtSecret", "gateway.rs256PublicKeys", "gateway.serviceToken",
      "mongo.uri",
      "twilio.apiBaseUrl", "twilio.trunkingBaseUrl", "retell.baseUrl", "retell.defaultApiKey");

  /** Reads {@code mode}: {@code auto} (default), {@code sandbox} or {@code production}. */
  static StartupMode resolve(JsonObject config) {
    String mode = NodeOptions.MODE.get(config);
    List<String> configured = PRODUCTION_SETTINGS.stream().filter(path -> isSet(config, path))
        .map(StartupMode::describe).toList();
    return switch (mode) {
      case "sandbox" -> new StartupMode(true, configured, false);
      case "production" -> new StartupMode(false, configured, false);
      case "auto" -> new StartupMode(configured.isEmpty(), configured, true);
      default -> throw new IllegalArgumentException("mode must be auto, sandbox or production, got '" + mode + "'");
    };
  }

  /** The resolved mode's name, as the effective configuration's {@code mode} carries it. */
  String name() {
    return sandbox ? "sandbox" : "production";
  }

  /** Drops every production setting, so that what remains can only ever run as a sandbox (the demo). */
  static JsonObject withoutProductionSettings(JsonObject config) {
    JsonObject copy = config.copy();
    for (String path : PRODUCTION_SETTINGS) {
      int dot = path.lastIndexOf('.');
      Object parent = ConfigLoader.get(copy, path.substring(0, dot));
      if (parent instanceof JsonObject section) {
        section.remove(path.substring(dot + 1));
      }
    }
    return copy;
  }

  static boolean isSet(JsonObject config, String path) {
    Object value = ConfigLoader.get(config, path);
    if (value instanceof String s) {
      return !s.isBlank();
    }
    if (value instanceof JsonArray array) {
      return !array.isEmpty();
    }
    return value != null;
  }

  /** {@code TRUNKLINE_KEYS (vault.keys)}: the variable an operator sets, and the key it lands on. */
  static String describe(String path) {
    return ConfigLoader.ENVIRONMENT.stream().filter(s -> s.path().equals(path)).findFirst()
        .map(s -> s.variable() + " (" + path + ")").orElse(path);
  }
}
