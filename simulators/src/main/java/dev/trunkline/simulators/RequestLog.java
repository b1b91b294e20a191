package dev.trunkline.simulators;

import io.vertx.core.json.JsonObject;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Pattern;

/**
 * Counts the API requests a simulator received, so tests can assert things like "the re-run made no write calls":
 * per {@code METHOD path} and per tenant (Twilio account SID, Retell workspace id), split into reads and writes
 * (POST, PUT, PATCH, DELETE). Every request is counted when it arrives, including the ones a fault then rejects.
 */
public final class RequestLog {

  /** Distinct paths tracked before further ones are folded into one bucket: bounded memory under any load. */
  static final int MAX_KEYS = 10_000;
  static final String OVERFLOW_KEY = "* (other paths)";

  private final Map<String, LongAdder> byRoute = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> writesByTenant = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> readsByTenant = new ConcurrentHashMap<>();
  private final LongAdder total = new LongAdder();

  void record(String method, String path, String tenant) {
    total.increment();
    counter(byRoute, method + " " + path).increment();
    if (tenant != null) {
      counter(isWrite(method) ? writesByTenant : readsByTenant, tenant).increment();
    }
  }

  private static LongAdder counter(Map<String, LongAdder> map, String key) {
    LongAdder adder = map.get(key);
    if (adder == null) {
      adder = map.computeIfAbsent(map.size() >= MAX_KEYS ? OVERFLOW_KEY : key, k -> new LongAdder());
    }
    return adder;
  }

  static boolean isWrite(String method) {
    return switch (method) {
      case "POST", "PUT", "PATCH", "DELETE" -> true;
      default -> false;
    };
  }

  /** Requests whose method equals {@code method} ({@code null} or "*" = any) and whose path matches the glob. */
  public long count(String method, String pathGlob) {
    Pattern pattern = FaultRule.compileGlob(pathGlob);
    long sum = 0;
    for (Map.Entry<String, LongAdder> e : byRoute.entrySet()) {
      int space = e.getKey().indexOf(' ');
      String m = e.getKey().substring(0, space);
      String p = e.getKey().substring(space + 1);
      if ((method == null || "*".equals(method) || method.equalsIgnoreCase(m)) && pattern.matcher(p).matches()) {
        sum += e.getValue().sum();
      }
    }
    return sum;
  }

  /** Write requests (POST/PUT/PATCH/DELETE) made by the tenant. */
  public long writes(String tenant) {
    LongAdder adder = writesByTenant.get(tenant);
    return adder == null ? 0 : adder.sum();
  }

  /** Read requests (GET and others) made by the tenant. */
  public long reads(String tenant) {
    LongAdder adder = readsByTenant.get(tenant);
    return adder == null ? 0 : adder.sum();
  }

  public long total() {
    return total.sum();
  }

  public void reset() {
    byRoute.clear();
    writesByTenant.clear();
    readsByTenant.clear();
    total.reset();
  }

  public JsonObject toJson() {
    JsonObject routes = new JsonObject();
    new TreeMap<>(byRoute).forEach((k, v) -> routes.put(k, v.sum()));
    JsonObject writes = new JsonObject();
    new TreeMap<>(writesByTenant).forEach((k, v) -> writes.put(k, v.sum()));
    JsonObject reads = new JsonObject();
    new TreeMap<>(readsByTenant).forEach((k, v) -> reads.put(k, v.sum()));
    return new JsonObject().put("total", total.sum()).put("byRoute", routes).put("writesByTenant", writes)
        .put("readsByTenant", reads);
  }
}
