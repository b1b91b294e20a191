package dev.trunkline.simulators;

import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.validation.RequestValidator;
import io.vertx.openapi.validation.impl.ValidatableRequestImpl;

import java.util.List;

/**
 * Validates a request against one operation of an official Twilio OpenAPI document and answers 400 (Twilio error
 * 21200, the message naming what is wrong) when it does not conform. Path and query parameters are validated as sent;
 * the form body is turned into the JSON object the schema describes (integers, booleans and arrays typed by the
 * schema; a value that does not parse stays a string so the schema rejects it) and validated as JSON (see
 * {@link TwilioOpenApi} for why). The typed body is left in the routing context for the handler.
 */
final class TwilioRequestValidator {

  static final String FORM_KEY = "twilio.form";
  static final int INVALID_REQUEST_CODE = 21200;

  private final OpenAPIContract contract;
  private final RequestValidator validator;

  TwilioRequestValidator(Vertx vertx, OpenAPIContract contract) {
    this.contract = contract;
    this.validator = RequestValidator.create(vertx, contract);
  }

  Handler<RoutingContext> handler(String operationId) {
    Operation operation = contract.operation(operationId);
    if (operation == null) {
      throw new IllegalArgumentException("no operation " + operationId + " in the contract");
    }
    JsonObject bodySchema = operation.getRequestBody() == null ? null : bodySchema(operationId);
    return ctx -> {
      JsonObject form = bodySchema == null ? new JsonObject() : formAsJson(ctx.request().formAttributes(), bodySchema);
      ctx.put(FORM_KEY, form);
      validator.validate(toValidatable(ctx, operation, bodySchema == null ? null : form), operationId)
          .onSuccess(validated -> ctx.next())
          .onFailure(e -> TwilioErrors.write(ctx, 400, INVALID_REQUEST_CODE,
              "Invalid request for " + operationId + ": " + describe(e)));
    };
  }

  /** The validator's message, plus the first schema error when the message does not already say it. */
  private static String describe(Throwable e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    if (e instanceof io.vertx.openapi.validation.SchemaValidationException schema
        && schema.getOutputUnit() != null && schema.getOutputUnit().getErrors() != null
        && !schema.getOutputUnit().getErrors().isEmpty()) {
      var first = schema.getOutputUnit().getErrors().get(0);
      if (first.getError() != null && !message.contains(first.getError())) {
        message = message + " (" + first.getError() + " at " + first.getInstanceLocation() + ")";
      }
    }
    return message;
  }

  private static ValidatableRequestImpl toValidatable(RoutingContext ctx, Operation operation, JsonObject body) {
    return OpenApiRequests.validatable(ctx, operation, body == null ? null : body.toBuffer(), "application/json");
  }

  /** The form attributes as the JSON object the body schema describes. */
  static JsonObject formAsJson(MultiMap attributes, JsonObject schema) {
    JsonObject properties = schema.getJsonObject("properties", new JsonObject());
    JsonObject json = new JsonObject();
    for (String name : attributes.names()) {
      List<String> values = attributes.getAll(name);
      JsonObject property = properties.getJsonObject(name);
      String type = property == null ? "string" : property.getString("type", "string");
      if ("array".equals(type)) {
        JsonArray array = new JsonArray();
        String itemType = property.getJsonObject("items", new JsonObject()).getString("type", "string");
        values.forEach(v -> array.add(typed(v, itemType)));
        json.put(name, array);
      } else {
        json.put(name, typed(values.get(values.size() - 1), type));
      }
    }
    return json;
  }

  private static Object typed(String value, String type) {
    switch (type) {
      case "integer" -> {
        try {
          return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
          return value;
        }
      }
      case "number" -> {
        try {
          return Double.parseDouble(value.trim());
        } catch (NumberFormatException e) {
          return value;
        }
      }
      case "boolean" -> {
        // Twilio accepts true/false in any case.
        if ("true".equalsIgnoreCase(value.trim())) {
          return Boolean.TRUE;
        }
        if ("false".equalsIgnoreCase(value.trim())) {
          return Boolean.FALSE;
        }
        return value;
      }
      default -> {
        return value;
      }
    }
  }

  /** The operation's body schema from the raw document (Twilio's body schemas are inline objects, never a $ref). */
  private JsonObject bodySchema(String operationId) {
    JsonObject paths = contract.getRawContract().getJsonObject("paths");
    for (String path : paths.fieldNames()) {
      JsonObject item = paths.getJsonObject(path);
      for (String method : item.fieldNames()) {
        if (item.getValue(method) instanceof JsonObject op && operationId.equals(op.getString("operationId"))) {
          return op.getJsonObject("requestBody").getJsonObject("content").getJsonObject("application/json")
              .getJsonObject("schema", new JsonObject());
        }
      }
    }
    throw new IllegalArgumentException("no operation " + operationId);
  }
}
