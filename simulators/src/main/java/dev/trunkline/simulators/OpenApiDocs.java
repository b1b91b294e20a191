package dev.trunkline.simulators;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Cuts an official OpenAPI document down to the paths a simulator serves, so that vertx-openapi builds its contract
 * in well under a second: only those paths and the components they reference (transitively) are kept. Nothing that
 * is kept is changed here; each simulator applies its own, documented adaptations through {@code pathItem}.
 */
final class OpenApiDocs {

  private static final String COMPONENTS = "#/components/";

  private OpenApiDocs() {
  }

  /**
   * A copy of {@code spec} with only {@code paths} (keyed in the copy by {@code contractPath.apply(path)}, each item
   * passed through {@code pathItem}) and the components, of any kind, that they reach.
   */
  static JsonObject prune(JsonObject spec, Set<String> paths, UnaryOperator<String> contractPath,
      UnaryOperator<JsonObject> pathItem) {
    JsonObject keptPaths = new JsonObject();
    for (String path : paths) {
      JsonObject item = spec.getJsonObject("paths").getJsonObject(path);
      if (item == null) {
        throw new IllegalArgumentException("the OpenAPI document has no path " + path);
      }
      keptPaths.put(contractPath.apply(path), pathItem.apply(item.copy()));
    }
    JsonObject allComponents = spec.getJsonObject("components", new JsonObject());
    Map<String, Set<String>> needed = new LinkedHashMap<>();
    Deque<Object> todo = new ArrayDeque<>();
    todo.add(keptPaths);
    while (!todo.isEmpty()) {
      Object node = todo.pop();
      if (node instanceof JsonObject object) {
        String ref = object.getString("$ref");
        if (ref != null && ref.startsWith(COMPONENTS)) {
          String[] kindAndName = ref.substring(COMPONENTS.length()).split("/", 2);
          if (needed.computeIfAbsent(kindAndName[0], k -> new LinkedHashSet<>()).add(kindAndName[1])) {
            JsonObject target = allComponents.getJsonObject(kindAndName[0], new JsonObject())
                .getJsonObject(kindAndName[1]);
            if (target == null) {
              throw new IllegalArgumentException("the OpenAPI document has no component " + ref);
            }
            todo.add(target);
          }
        }
        object.forEach(e -> addIfContainer(todo, e.getValue()));
      } else if (node instanceof JsonArray array) {
        array.forEach(v -> addIfContainer(todo, v));
      }
    }
    JsonObject components = new JsonObject();
    needed.forEach((kind, names) -> {
      JsonObject kept = new JsonObject();
      names.forEach(name -> kept.put(name, allComponents.getJsonObject(kind).getJsonObject(name).copy()));
      components.put(kind, kept);
    });
    JsonObject securitySchemes = allComponents.getJsonObject("securitySchemes");
    if (securitySchemes != null) {
      components.put("securitySchemes", securitySchemes.copy());
    }
    JsonObject pruned = new JsonObject().put("openapi", spec.getString("openapi")).put("info", spec.getJsonObject("info"))
        .put("paths", keptPaths).put("components", components);
    if (spec.containsKey("servers")) {
      pruned.put("servers", spec.getJsonArray("servers"));
    }
    if (spec.containsKey("security")) {
      pruned.put("security", spec.getJsonArray("security"));
    }
    return pruned;
  }

  private static void addIfContainer(Deque<Object> todo, Object value) {
    if (value instanceof JsonObject || value instanceof JsonArray) {
      todo.add(value);
    }
  }
}
