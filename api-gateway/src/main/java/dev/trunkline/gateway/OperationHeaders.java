package dev.trunkline.gateway;

import dev.trunkline.contract.Identifiers;
import dev.trunkline.contract.ServiceException;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;

/**
 * What the operation routes read from a request beyond its validated inputs (openapi.yaml checks their shapes):
 * whether RFC 7240's {@code Prefer} asks for an asynchronous answer, and the path's operation id, which is
 * 404 when it cannot exist (as another tenant's is: nothing tells the two apart).
 */
final class OperationHeaders {

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

  /** The path's operation id; one that cannot exist is not found, like another tenant's. */
  static String operationId(RoutingContext ctx) {
    String id = ctx.pathParam("operationId");
    if (id == null || !Identifiers.OPERATION_ID.matcher(id).matches()) {
      throw ServiceException.notFound("OPERATION_NOT_FOUND", "no such operation for this tenant");
    }
    return id;
  }
}
