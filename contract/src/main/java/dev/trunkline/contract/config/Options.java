package dev.trunkline.contract.config;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A set of {@link Option}s (the launcher's is every module's keys together): builds the built-in defaults from them
 * and checks a loaded configuration against them, so an unknown or mistyped key stops the start with a message
 * that names it instead of being ignored.
 */
public final class Options {
  private static final Logger LOG = LoggerFactory.getLogger(Options.class);
  private final Map<String, Option<?>> byPath = new HashMap<>();
  private final Map<String, Option<?>> byOldPath = new HashMap<>();

  public Options(List<List<? extends Option<?>>> groups) {
    for (List<? extends Option<?>> group : groups) {
      for (Option<?> option : group) {
        if (byPath.put(option.path(), option) != null) {
          throw new IllegalStateException("configuration key " + option.path() + " is declared twice");
        }
        option.oldPaths().forEach(old -> byOldPath.put(old, option));
      }
    }
  }

  /** The option at {@code path}, or under its former name; null when unknown. */
  public Option<?> find(String path) {
    Option<?> option = byPath.get(path);
    return option != null ? option : byOldPath.get(path);
  }

  /** The object-typed key that {@code path} is a member of (e.g. one route of a per-route map), or null. */
  public Option<?> objectContaining(String path) {
    for (int dot = path.lastIndexOf('.'); dot > 0; dot = path.lastIndexOf('.', dot - 1)) {
      Option<?> option = byPath.get(path.substring(0, dot));
      if (option != null) {
        return option.type() == Option.Type.OBJECT ? option : null;
      }
    }
    return null;
  }

  public List<Option<?>> all() {
    return byPath.values().stream().sorted(java.util.Comparator.comparing(Option::path)).toList();
  }

  /** Every key with a default, nested by section (what the launcher loads below the YAML file). */
  public JsonObject defaults() {
    JsonObject out = new JsonObject();
    for (Option<?> option : byPath.values()) {
      if (option.defaultValue() != null) {
        put(out, option.path(), option.defaultValue());
      }
    }
    return out;
  }

  /**
   * Moves each value set under a former key name to the current name (when that is not set itself), with a
   * warning, and removes the former names: what is left is in today's names only.
   */
  public void renameFormerKeys(JsonObject config) {
    for (Option<?> option : byPath.values()) {
      for (String old : option.oldPaths()) {
        Object value = at(config, old);
        if (value == null) {
          continue;
        }
        remove(config, old);
        if (at(config, option.path()) == null) {
          put(config, option.path(), value);
          LOG.warn("configuration key {} is deprecated: it is read as {}; rename it", old, option.path());
        } else {
          LOG.warn("configuration key {} is deprecated and ignored: {} is set", old, option.path());
        }
      }
    }
  }

  /**
   * Checks every value in {@code config}: its key must be declared (or be a member of a declared object key) and
   * of the declared type; numbers are converted to the declared one in place.
   *
   * @throws IllegalArgumentException listing each unknown or mistyped key and what was expected
   */
  public void check(JsonObject config) {
    List<String> problems = new ArrayList<>();
    walk(config, "", problems);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("configuration: " + String.join("; ", problems));
    }
  }

  private void walk(JsonObject node, String prefix, List<String> problems) {
    for (Map.Entry<String, Object> entry : List.copyOf(node.getMap().entrySet())) {
      String path = prefix + entry.getKey();
      Object value = entry.getValue();
      Option<?> option = find(path);
      if (option != null) {
        if (value != null) {
          try {
            // Stored as the declared type (a YAML 4000 for a long key becomes a long), so readers see one type.
            node.put(entry.getKey(), option.convert(path, value));
          } catch (IllegalArgumentException e) {
            problems.add(e.getMessage().replace("configuration key ", ""));
          }
        }
      } else if (value instanceof JsonObject child && isSection(path)) {
        walk(child, path + ".", problems);
      } else {
        problems.add("unknown key " + path + (isSection(path) ? " (a section: give it keys, not a value)" : ""));
      }
    }
  }

  /** Whether some declared key lives under {@code path}. */
  private boolean isSection(String path) {
    String prefix = path + ".";
    return byPath.keySet().stream().anyMatch(p -> p.startsWith(prefix))
        || byOldPath.keySet().stream().anyMatch(p -> p.startsWith(prefix));
  }

  /** Reads a dotted path, or null. */
  public static Object at(JsonObject root, String path) {
    Object node = root;
    for (String part : path.split("\\.")) {
      if (!(node instanceof JsonObject json)) {
        return null;
      }
      node = json.getValue(part);
    }
    return node;
  }

  private static void remove(JsonObject root, String path) {
    int dot = path.lastIndexOf('.');
    Object parent = dot < 0 ? root : at(root, path.substring(0, dot));
    if (parent instanceof JsonObject json) {
      json.remove(path.substring(dot + 1));
      if (dot >= 0 && json.isEmpty()) {
        remove(root, path.substring(0, dot));
      }
    }
  }

  /** Sets a dotted path, creating the objects on the way. */
  public static void put(JsonObject root, String path, Object value) {
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
}
