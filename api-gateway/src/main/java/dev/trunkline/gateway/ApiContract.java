package dev.trunkline.gateway;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.common.dsl.SchemaType;
import io.vertx.ext.web.RoutingContext;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Parameter;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.RequestValidator;
import io.vertx.openapi.validation.ValidatedRequest;
import io.vertx.openapi.validation.impl.RequestParameterImpl;
import io.vertx.openapi.validation.impl.ValidatableRequestImpl;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The API's inputs as openapi.yaml declares them, and the handler that holds each request to its operation before
 * the route's handler runs (after authentication and the rate limit, so an unauthenticated client learns nothing
 * of the schema). The document is the only description of the inputs: parameters and bodies are validated by
 * vertx-openapi against it, and what fails is turned into the API's error codes by {@link InvalidRequests}.
 *
 * <p>What OpenAPI cannot say is checked here, from the document too: a query parameter the operation does not
 * declare, or one given twice, is a 400; a body must be strict JSON ({@link StrictJson}) and application/json (415);
 * an explicit {@code null} member is "not given"; an absent or empty body is {@code {}}. The body has passed the
 * router's size limit before any of this, so validation costs at most a parse and a schema walk of that many bytes,
 * on a worker thread (vertx-openapi validates off the event loop).
 *
 * <p>vertx-openapi 5.0 refuses a document with an {@code application/yaml} response (the operator's
 * {@code /openapi.yaml}); only the {@code /api/} paths, the ones with inputs, are given to it.
 */
final class ApiContract {
  private static final String VALIDATED = "validatedRequest";
  private static final String API_PATHS = "/api/";
  /** One parsed contract per Vert.x instance: every gateway instance of a node shares it. */
  private static final Map<Vertx, Future<ApiContract>> LOADED = new WeakHashMap<>();

  private final OpenAPIContract contract;
  private final RequestValidator validator;

  private ApiContract(Vertx vertx, OpenAPIContract contract) {
    this.contract = contract;
    this.validator = RequestValidator.create(vertx, contract);
  }

  /** The contract of {@code document} (openapi.yaml's text), parsed once per Vert.x instance. */
  static Future<ApiContract> load(Vertx vertx, Buffer document) {
    synchronized (LOADED) {
      return LOADED.computeIfAbsent(vertx, v -> OpenAPIContract.from(v, withInputsOnly(parse(document)))
          .map(contract -> new ApiContract(v, contract)));
    }
  }

  /** openapi.yaml as JSON. */
  static JsonObject parse(Buffer document) {
    Map<String, Object> yaml = new Yaml(new SafeConstructor(new LoaderOptions())).load(document.toString());
    return new JsonObject(yaml);
  }

  private static JsonObject withInputsOnly(JsonObject document) {
    JsonObject copy = document.copy();
    JsonObject paths = copy.getJsonObject("paths");
    new ArrayList<>(paths.fieldNames()).stream().filter(p -> !p.startsWith(API_PATHS)).forEach(paths::remove);
    return copy;
  }

  Operation operation(String operationId) {
    Operation operation = contract.operation(operationId);
    if (operation == null) {
      throw new IllegalArgumentException("openapi.yaml has no operation " + operationId);
    }
    return operation;
  }

  /** Validates the request against {@code operationId}; a request that does not conform fails with a 400/415. */
  Handler<RoutingContext> validator(String operationId) {
    Operation operation = operation(operationId);
    return ctx -> {
      JsonObject body;
      ValidatableRequestImpl request;
      try {
        body = operation.getRequestBody() == null ? null : StrictJson.object(ctx);
        request = validatable(ctx, operation, body);
      } catch (RuntimeException refused) {
        ctx.fail(refused);
        return;
      }
      validator.validate(request, operationId).onComplete(ar -> {
        if (ar.succeeded()) {
          ctx.put(VALIDATED, ar.result());
          ctx.next();
        } else {
          ctx.fail(InvalidRequests.of(operation, ar.cause(), body));
        }
      });
    };
  }

  /** The request as it passed validation: typed parameters, the body as a JSON object ({@code {}} when none). */
  static Input input(RoutingContext ctx) {
    return new Input(ctx.get(VALIDATED));
  }

  /** The parameters the operation declares, as sent; undeclared or repeated query parameters are refused here. */
  private static ValidatableRequestImpl validatable(RoutingContext ctx, Operation operation, JsonObject body) {
    Map<String, RequestParameter> headers = new HashMap<>();
    Map<String, RequestParameter> path = new HashMap<>();
    Map<String, RequestParameter> query = new HashMap<>();
    List<String> declaredQuery = new ArrayList<>();
    for (Parameter parameter : operation.getParameters()) {
      String name = parameter.getName();
      boolean text = parameter.getSchemaType() == SchemaType.STRING;
      switch (parameter.getIn()) {
        case PATH -> put(path, name, ctx.pathParam(name), text);
        case HEADER -> put(headers, name, ctx.request().getHeader(name), text);
        case QUERY -> {
          declaredQuery.add(name);
          List<String> values = ctx.queryParams().getAll(name);
          if (values.size() > 1) {
            throw ApiErrors.invalidField(name, "given once");
          }
          put(query, name, values.isEmpty() ? null : values.get(0), text);
        }
        default -> {
          // No cookie parameters in this API.
        }
      }
    }
    for (String name : ctx.queryParams().names()) {
      if (!declaredQuery.contains(name)) {
        throw ApiErrors.unknownField("query parameter", name, declaredQuery);
      }
    }
    InvalidRequests.requireParameters(operation, headers, query);
    if (body == null) {
      return new ValidatableRequestImpl(Map.of(), headers, path, query);
    }
    return new ValidatableRequestImpl(Map.of(), headers, path, query, new RequestParameterImpl(body.toBuffer()),
        "application/json");
  }

  /**
   * vertx-openapi reads a parameter's text as JSON when it can (so an Idempotency-Key {@code 12345} or an area code
   * {@code 415} would become a number and fail a string schema): a string parameter is handed over as the JSON
   * string literal of what was sent, which it reads back to exactly that text.
   */
  private static void put(Map<String, RequestParameter> into, String name, String value, boolean text) {
    if (value != null) {
      into.put(name, new RequestParameterImpl(text ? Json.encode(value) : value));
    }
  }

  /** A validated request's values, typed by the document. */
  record Input(ValidatedRequest request) {
    JsonObject body() {
      RequestParameter body = request.getBody();
      return body == null || body.isNull() ? new JsonObject() : body.getJsonObject();
    }

    String query(String name) {
      RequestParameter value = request.getQuery().get(name);
      return value == null || value.isNull() ? null : value.getString();
    }

    Integer queryInteger(String name) {
      RequestParameter value = request.getQuery().get(name);
      return value == null || value.isNull() ? null : value.getInteger();
    }

    Boolean queryBoolean(String name) {
      RequestParameter value = request.getQuery().get(name);
      return value == null || value.isNull() ? null : value.getBoolean();
    }

    String path(String name) {
      RequestParameter value = request.getPathParameters().get(name);
      return value == null || value.isNull() ? null : value.getString();
    }

    String header(String name) {
      RequestParameter value = request.getHeaders().get(name);
      return value == null || value.isNull() ? null : value.getString();
    }
  }
}
