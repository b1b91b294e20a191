package dev.trunkline.contract.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One configuration key: its dotted path, its type and its default, declared once (as a constant of the module's
 * {@code *Config} class) and read through {@link #get}, so the default a verticle uses, the default the launcher
 * loads, the type the launcher checks and the variable that sets it cannot disagree.
 *
 * <p>{@code default} null means "unset": the key is known but absent unless configured (secrets, URLs whose
 * presence makes the start production). {@link #fallback} is then what the reader uses, without putting it into
 * the loaded configuration.
 *
 * @param path dotted key, e.g. {@code retell.requestTimeoutMs}
 * @param type what a value must be
 * @param defaultValue loaded into the configuration when nothing sets the key, or null
 * @param fallback what {@link #get} returns when the key is absent (the default, or a built-in for unset keys)
 * @param oldPaths former names still read, with a warning, when {@code path} is absent (first found wins)
 */
public record Option<T>(String path, Type type, T defaultValue, T fallback, List<String> oldPaths) {
  private static final Logger LOG = LoggerFactory.getLogger(Option.class);
  private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();

  /** The types a key may have; each names what it expects, for the message that refuses a value. */
  public enum Type {
    STRING("a string"),
    INT("a whole number"),
    LONG("a whole number"),
    DOUBLE("a number"),
    BOOLEAN("true or false"),
    /** A list of strings: a YAML list, or one comma-separated string (environment, system property). */
    LIST("a list of strings or a comma-separated string"),
    /** An object whose keys the reader defines (e.g. per-route limits); its members are not checked here. */
    OBJECT("an object");

    private final String expected;

    Type(String expected) {
      this.expected = expected;
    }

    public String expected() {
      return expected;
    }
  }

  public static Option<String> string(String path, String dflt) {
    return new Option<>(path, Type.STRING, dflt, dflt, List.of());
  }

  /** A string key that stays absent unless configured; readers get {@code fallback}. */
  public static Option<String> unsetString(String path, String fallback) {
    return new Option<>(path, Type.STRING, null, fallback, List.of());
  }

  public static Option<Integer> integer(String path, Integer dflt) {
    return new Option<>(path, Type.INT, dflt, dflt, List.of());
  }

  public static Option<Long> longValue(String path, Long dflt) {
    return new Option<>(path, Type.LONG, dflt, dflt, List.of());
  }

  public static Option<Double> decimal(String path, Double dflt) {
    return new Option<>(path, Type.DOUBLE, dflt, dflt, List.of());
  }

  public static Option<Boolean> flag(String path, Boolean dflt) {
    return new Option<>(path, Type.BOOLEAN, dflt, dflt, List.of());
  }

  public static Option<Object> list(String path) {
    return new Option<>(path, Type.LIST, null, null, List.of());
  }

  public static Option<JsonObject> object(String path) {
    return new Option<>(path, Type.OBJECT, null, null, List.of());
  }

  /**
   * The same key, also read under its former names when the new one is absent (with one warning naming both);
   * the launcher moves them to the new name before it adds the defaults ({@link Options#renameFormerKeys}).
   */
  public Option<T> formerly(String... former) {
    return new Option<>(path, type, defaultValue, fallback, List.of(former));
  }

  /** The section, i.e. the path up to the last dot ({@code ""} for a top-level key). */
  public String section() {
    int dot = path.lastIndexOf('.');
    return dot < 0 ? "" : path.substring(0, dot);
  }

  /**
   * The value in {@code root} (the whole configuration), converted to this key's type, or {@link #fallback}.
   *
   * @throws IllegalArgumentException naming the key and what it expects when the value has another type
   */
  public T get(JsonObject root) {
    T value = explicit(root);
    return value == null ? fallback : value;
  }

  /** The configured value, or null when neither the key nor its former name is set. */
  public T explicit(JsonObject root) {
    Object raw = Options.at(root, path);
    String from = path;
    for (int i = 0; raw == null && i < oldPaths.size(); i++) {
      from = oldPaths.get(i);
      raw = Options.at(root, from);
      if (raw != null && WARNED.add(from)) {
        LOG.warn("configuration key {} is deprecated: it is read as {}; rename it", from, path);
      }
    }
    return raw == null ? null : convert(from, raw);
  }

  /** Converts a value found at {@code from} (this key or its former name), refusing one of another type. */
  @SuppressWarnings("unchecked")
  T convert(String from, Object raw) {
    Object value = switch (type) {
      case STRING -> raw instanceof String s ? s : null;
      case INT -> raw instanceof Number n && whole(n) && n.longValue() == n.intValue() ? (Object) n.intValue() : null;
      case LONG -> raw instanceof Number n && whole(n) ? (Object) n.longValue() : null;
      case DOUBLE -> raw instanceof Number n ? (Object) n.doubleValue() : null;
      case BOOLEAN -> raw instanceof Boolean b ? b : null;
      case LIST -> raw instanceof JsonArray || raw instanceof List<?> || raw instanceof String ? raw : null;
      case OBJECT -> raw instanceof JsonObject ? raw : null;
    };
    if (value == null) {
      throw new IllegalArgumentException(mistyped(from, raw));
    }
    return (T) value;
  }

  /**
   * Parses text (an environment variable or a system property) as this key's type.
   *
   * @param source what set it, for the message (e.g. {@code TRUNKLINE_HTTP_PORT})
   * @throws IllegalArgumentException naming {@code source} and what it expects; the value is repeated only for
   *     keys that are not secret-bearing strings (a number or flag is never a secret)
   */
  public Object parse(String source, String text) {
    String value = text.trim();
    try {
      return switch (type) {
        case STRING, LIST -> value;
        case INT -> Integer.parseInt(value);
        case LONG -> Long.parseLong(value);
        case DOUBLE -> Double.parseDouble(value);
        case BOOLEAN -> {
          if (!value.equals("true") && !value.equals("false")) {
            throw new NumberFormatException();
          }
          yield Boolean.parseBoolean(value);
        }
        case OBJECT -> new JsonObject(value);
      };
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(source + " must be " + type.expected + ", got '" + value + "'");
    }
  }

  private String mistyped(String from, Object raw) {
    String got = raw instanceof String s ? "the string '" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "'"
        : raw instanceof JsonObject ? "an object" : raw instanceof JsonArray ? "a list" : "'" + raw + "'";
    return "configuration key " + from + " must be " + type.expected + ", got " + got;
  }

  private static boolean whole(Number n) {
    return n instanceof Integer || n instanceof Long || n instanceof Short || n instanceof Byte
        || n.doubleValue() == Math.rint(n.doubleValue()) && !Double.isInfinite(n.doubleValue());
  }
}
