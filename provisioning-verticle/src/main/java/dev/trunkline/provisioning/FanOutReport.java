package dev.trunkline.provisioning;

import dev.trunkline.contract.ClientFailures;
import dev.trunkline.contract.ServiceException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Sums up per-number results (each a JSON object with a boolean {@code success}) as they arrive, the way DESIGN.md's
 * fix response does, and picks the honest status: 200 when every number succeeded (or there were none), 207
 * when some failed, 502 when all failed.
 *
 * <p>It counts every result but holds at most {@code keep} of them for the answer (in input order): a 10,000-number
 * run keeps its counts, not its list. The results it holds are those it is asked to keep ({@code worthKeeping});
 * once more would be needed, it lets all of them go and says so ({@link #overflowed}), and {@code onOverflow} runs
 * once: the operation's results are in the store, read a page at a time, and the synchronous answer points there.
 */
final class FanOutReport {
  int total;
  int successCount;
  int failCount;
  private final int keep;
  private final Predicate<JsonObject> worthKeeping;
  private final Runnable onOverflow;
  private TreeMap<Integer, JsonObject> kept = new TreeMap<>();
  private boolean overflowed;
  private int worth;
  private final Map<String, Predicate<JsonObject>> tallies = new LinkedHashMap<>();
  private final Map<String, Long> counts = new LinkedHashMap<>();

  FanOutReport(int keep, Predicate<JsonObject> worthKeeping, Runnable onOverflow) {
    this.keep = Math.max(0, keep);
    this.worthKeeping = worthKeeping;
    this.onOverflow = onOverflow;
  }

  /** Counts the results {@code test} holds for under {@code name} ({@link #count}). */
  FanOutReport tally(String name, Predicate<JsonObject> test) {
    tallies.put(name, test);
    counts.put(name, 0L);
    return this;
  }

  /** One number's result; {@code index} is its place in the input. */
  void add(int index, JsonObject result) {
    total++;
    if (result.getBoolean("success", false)) {
      successCount++;
    } else {
      failCount++;
    }
    tallies.forEach((name, test) -> {
      if (test.test(result)) {
        counts.merge(name, 1L, Long::sum);
      }
    });
    if (!worthKeeping.test(result)) {
      return;
    }
    worth++;
    if (overflowed) {
      return;
    }
    if (kept.size() >= keep) {
      overflowed = true;
      kept = new TreeMap<>();
      onOverflow.run();
      return;
    }
    kept.put(index, result);
  }

  long count(String name) {
    return counts.getOrDefault(name, 0L);
  }

  /** Whether results had to be let go: the answer carries counts only, the results are in the operation. */
  boolean overflowed() {
    return overflowed;
  }

  /** How many results worth keeping the answer does not carry (0 unless overflowed). */
  int omitted() {
    return overflowed ? worth : 0;
  }

  boolean allSucceeded() {
    return failCount == 0;
  }

  int status() {
    if (failCount == 0) {
      return 200;
    }
    return successCount == 0 ? 502 : 207;
  }

  /** The results held, in input order (empty once overflowed). */
  JsonArray results() {
    JsonArray out = new JsonArray();
    kept.values().forEach(out::add);
    return out;
  }

  /**
   * {@code total}, {@code successCount}, {@code failCount} and the results held; once overflowed
   * {@code results} is left out and {@code resultsOmitted} says how many the answer does not carry.
   */
  JsonObject data() {
    JsonObject data = new JsonObject().put("total", total).put("successCount", successCount)
        .put("failCount", failCount);
    if (overflowed) {
      return data.put("resultsOmitted", omitted());
    }
    return data.put("results", results());
  }

  /** A number's failure entry: the service's code and a message fit for the client. */
  static JsonObject failure(String phoneNumber, Throwable error) {
    ServiceException e = ClientFailures.sanitize(error);
    return new JsonObject().put("phoneNumber", phoneNumber).put("success", false)
        .put("error", e.toSummary());
  }
}
