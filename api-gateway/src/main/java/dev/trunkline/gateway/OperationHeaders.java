package dev.trunkline.gateway;

import dev.trunkline.contract.Inputs;
import dev.trunkline.contract.ServiceException;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The request parts of the operation routes that are not the body: RFC 7240's {@code Prefer}, the optional
 * {@code Idempotency-Key} and the path's operation id. Kept in one place so the checks move with the routes.
 */
final class OperationHeaders {
  static final Pattern SEQ = Pattern.compile("^[0-9]{1,18}$");
  private static final Pattern OPERATION_ID = Pattern.compile("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-"
      + "[0-9a-f]{12}$");

  private OperationHeaders() {}

  /** Whether {@code Prefer} asks for {@code respond-async} (RFC 7240: comma-separated, case-insensitive tokens). */
  static boolean respondAsync(String prefer) {
    if (prefer == null) {
      return false;
    }
    for (String preference : prefer.split(",")) {
      String token = preference.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
      if (token.equals("respond-async")) {
        return true;
      }
    }
    return false;
  }

  /** The optional key, checked as the purchase checks it. */
  static String idempotencyKey(String key) {
    if (key != null && !Inputs.IDEMPOTENCY_KEY.matcher(key).matches()) {
      throw ApiErrors.invalidField("Idempotency-Key", "1 to 128 letters, digits or ._:-");
    }
    return key;
  }

  /** The SSE {@code Last-Event-ID}: a result's seq, or null to start from the first. */
  static String lastEventId(String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    if (!SEQ.matcher(value.trim()).matches()) {
      throw ApiErrors.invalidField("Last-Event-ID", "the id of an event of this stream (digits)");
    }
    return value.trim();
  }

  /** The path's operation id; one that cannot exist is not found, like another tenant's. */
  static String operationId(RoutingContext ctx) {
    String id = ctx.pathParam("operationId");
    if (id == null || !OPERATION_ID.matcher(id).matches()) {
      throw ServiceException.notFound("OPERATION_NOT_FOUND", "no such operation for this tenant");
    }
    return id;
  }
}
