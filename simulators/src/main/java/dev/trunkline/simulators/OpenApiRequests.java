package dev.trunkline.simulators;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Parameter;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.impl.RequestParameterImpl;
import io.vertx.openapi.validation.impl.ValidatableRequestImpl;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A routed request as vertx-openapi validates it against one operation: the path and query parameters the
 * operation declares (as the router extracted them; the last value of a repeated query parameter), and the body.
 * The simulated APIs declare no header or cookie parameters for the served operations.
 */
final class OpenApiRequests {

  private OpenApiRequests() {
  }

  /** {@code body} null: a request without one (the operation has no request body). */
  static ValidatableRequestImpl validatable(RoutingContext ctx, Operation operation, Buffer body,
      String contentType) {
    Map<String, RequestParameter> path = new HashMap<>();
    Map<String, RequestParameter> query = new HashMap<>();
    for (Parameter parameter : operation.getParameters()) {
      String name = parameter.getName();
      switch (parameter.getIn()) {
        case PATH -> {
          String value = ctx.pathParam(name);
          if (value != null) {
            path.put(name, new RequestParameterImpl(value));
          }
        }
        case QUERY -> {
          List<String> values = ctx.queryParams().getAll(name);
          if (!values.isEmpty()) {
            query.put(name, new RequestParameterImpl(values.get(values.size() - 1)));
          }
        }
        default -> {
          // No header or cookie parameters in the served operations of either document.
        }
      }
    }
    if (body == null) {
      return new ValidatableRequestImpl(Map.of(), Map.of(), path, query);
    }
    return new ValidatableRequestImpl(Map.of(), Map.of(), path, query, new RequestParameterImpl(body), contentType);
  }
}
