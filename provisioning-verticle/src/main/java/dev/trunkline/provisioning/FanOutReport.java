package dev.trunkline.provisioning;

import dev.trunkline.contract.ClientFailures;
import dev.trunkline.contract.ServiceException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Sums up per-number results (each a JSON object with a boolean {@code success}) the way DESIGN.md's fix
 * response does, and picks the honest status: 200 when every number succeeded (or there were none), 207
 * when some failed, 502 when all failed.
 */
final class FanOutReport {
  final int total;
  final int successCount;
  final int failCount;
  final List<JsonObject> results;

  FanOutReport(List<JsonObject> results) {
    this.results = results;
    this.total = results.size();
    int ok = 0;
    for (JsonObject r : results) {
      if (r.getBoolean("success", false)) {
        ok++;
      }
    }
    this.successCount = ok;
    this.failCount = total - ok;
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

  JsonObject data() {
    return new JsonObject().put("total", total).put("successCount", successCount)
        .put("failCount", failCount).put("results", new JsonArray(List.copyOf(results)));
  }

  /** A number's failure entry: the service's code and a message fit for the client. */
  static JsonObject failure(String phoneNumber, Throwable error) {
    ServiceException e = ClientFailures.sanitize(error);
    return new JsonObject().put("phoneNumber", phoneNumber).put("success", false)
        .put("error", e.toSummary());
  }
}
