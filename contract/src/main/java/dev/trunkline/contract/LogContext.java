package dev.trunkline.contract;

import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.MDC;

/**
 * Puts a request's id, tenant and operation into the logging MDC for the duration of one synchronous piece of
 * work, so each log line written meanwhile carries them as fields (JSON logs: {@code requestId}, {@code tenant},
 * {@code operation}). The previous MDC is restored afterwards: an event-loop thread serves many requests, and a
 * value left behind would be attached to the next request's lines.
 *
 * <p>Only identifiers go here, never a secret: the MDC is copied into every line.
 */
public final class LogContext {
  public static final String REQUEST_ID = "requestId";
  public static final String TENANT = "tenant";
  public static final String OPERATION = "operation";

  private LogContext() {}

  public static void run(String requestId, String tenant, String operation, Runnable action) {
    call(requestId, tenant, operation, () -> {
      action.run();
      return null;
    });
  }

  public static <T> T call(String requestId, String tenant, String operation, Supplier<T> action) {
    Map<String, String> previous = MDC.getCopyOfContextMap();
    put(REQUEST_ID, requestId);
    put(TENANT, tenant);
    put(OPERATION, operation);
    try {
      return action.get();
    } finally {
      if (previous == null) {
        MDC.clear();
      } else {
        MDC.setContextMap(previous);
      }
    }
  }

  private static void put(String key, String value) {
    if (value == null) {
      MDC.remove(key);
    } else {
      MDC.put(key, value);
    }
  }
}
