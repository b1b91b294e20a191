package dev.trunkline.gateway;

import dev.trunkline.contract.ServiceException;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import io.vertx.ext.web.RoutingContext;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.Validator;
import io.vertx.json.schema.common.dsl.SchemaType;
import io.vertx.openapi.contract.Location;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Parameter;
import io.vertx.openapi.validation.transformer.FormTransformer;
import io.vertx.openapi.validation.transformer.ParameterTransformer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * an explicit {@code null} member is "not given"; an absent or empty body is {@code {}}; an unknown member is refused
 * before the schema walk. The body has passed the router's size limit before any of this, so validation costs at
 * most two parses and a schema walk of that many bytes.
 *
 * <p>vertx-openapi 5.0 refuses a document with an {@code application/yaml} response (the operator's
 * {@code /openapi.yaml}); only the {@code /api/} paths, the ones with inputs, are given to it.
 */
final class ApiContract implements Shareable {
  private static final String VALIDATED = "validatedRequest";
  private static final String API_PATHS = "/api/";
  private static final String EVENT_STREAM = "text/event-stream";
  /** The node's parsed contract (Shareable): every gateway instance of a node uses the first one built. */
  private static final String NODE_MAP = "trunkline.gateway.contract";

  private final OpenAPIContract contract;

  private ApiContract(OpenAPIContract contract) {
    this.contract = contract;
  }

  /**
   * The contract of {@code document} (openapi.yaml's text). Building it takes about a second of CPU: a node builds it
   * once and its other gateway instances reuse it (instances starting together may each build one; the first wins).
   */
  static Future<ApiContract> load(Vertx vertx, Buffer document) {
    LocalMap<String, ApiContract> node = vertx.sharedData().getLocalMap(NODE_MAP);
    ApiContract built = node.get(NODE_MAP);
    if (built != null) {
      return Future.succeededFuture(built);
    }
    return OpenAPIContract.from(vertx, withInputsOnly(parse(document))).map(contract -> {
      ApiContract mine = new ApiContract(contract);
      ApiContract first = node.putIfAbsent(NODE_MAP, mine);
      return first == null ? mine : first;
    });
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
    // Responses are not validated here; a media type the library does not know (the operation events' SSE
    // stream, text/event-stream) would make it refuse the whole document.
    for (String path : paths.fieldNames()) {
      for (Object operation : paths.getJsonObject(path)) {
        JsonObject responses = operation instanceof Map.Entry<?, ?> e && e.getValue() instanceof JsonObject o
            ? o.getJsonObject("responses") : null;
        if (responses == null) {
          continue;
        }
        for (String status : responses.fieldNames()) {
          JsonObject content = responses.getJsonObject(status).getJsonObject("content");
          if (content != null) {
            content.remove(EVENT_STREAM);
          }
        }
      }
    }
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
    Checks checks = new Checks(operation(operationId));
    return ctx -> {
      Input validated;
      try {
        validated = checks.validate(ctx);
      } catch (ServiceException refused) {
        ctx.fail(refused);
        return;
      }
      ctx.put(VALIDATED, validated);
      ctx.next();
    };
  }

  /** The request as it passed validation: typed parameters, the body as a JSON object ({@code {}} when none). */
  static Input input(RoutingContext ctx) {
    return ctx.get(VALIDATED);
  }

  /**
   * One operation's checks: a schema validator for each parameter and for the body, built once from the document.
   * Run on the event loop, as the hand-written checks before them were: the work is bounded by the body limit, and
   * vertx-openapi's RequestValidator, which builds every validator again for every request and moves each request
   * to a worker thread and back, costs several times the check itself.
   */
  private final class Checks {
    private final Operation operation;
    private final Map<Parameter, Validator> parameters = new LinkedHashMap<>();
    private final Validator body;
    private final ParameterTransformer transformer = new FormTransformer();

    Checks(Operation operation) {
      this.operation = operation;
      for (Parameter parameter : operation.getParameters()) {
        parameters.put(parameter, contract.getSchemaRepository().validator(parameter.getSchema()));
      }
      this.body = operation.getRequestBody() == null ? null
          : contract.getSchemaRepository().validator(bodySchema(operation));
    }

    /** Parameters in the document's order, then the body; the first refusal wins. */
    Input validate(RoutingContext ctx) {
      refuseUndeclaredQuery(ctx, operation);
      Map<String, Object> values = new HashMap<>();
      for (Map.Entry<Parameter, Validator> entry : parameters.entrySet()) {
        Parameter parameter = entry.getKey();
        String name = parameter.getName();
        String sent = switch (parameter.getIn()) {
          case PATH -> ctx.pathParam(name);
          case HEADER -> ctx.request().getHeader(name);
          case QUERY -> ctx.queryParams().get(name);
          default -> null; // no cookie parameters in this API
        };
        if (sent == null) {
          if (parameter.isRequired()) {
            throw ApiErrors.missingField(name, InvalidRequests.expected(parameter.getSchema()));
          }
          continue;
        }
        Object value = typed(parameter, sent);
        if (!Boolean.TRUE.equals(entry.getValue().validate(value).getValid())) {
          throw InvalidRequests.ofParameter(parameter);
        }
        values.put(name, value);
      }
      if (body == null) {
        return new Input(values, new JsonObject());
      }
      StrictJson.Body sent = StrictJson.object(ctx);
      InvalidRequests.refuseUnknownFields(operation, sent.fields());
      JsonObject json = sent.object();
      OutputUnit result = body.validate(json);
      if (!Boolean.TRUE.equals(result.getValid())) {
        throw InvalidRequests.ofBody(bodySchema(operation), result, json);
      }
      return new Input(values, json);
    }

    /**
     * A string parameter is the text as sent; any other is read by vertx-openapi's transformer (which would read a
     * string's text as JSON when it can: an Idempotency-Key {@code 12345} would become a number).
     */
    private Object typed(Parameter parameter, String sent) {
      if (parameter.getSchemaType() == SchemaType.STRING) {
        return sent;
      }
      try {
        return transformer.transformPrimitive(parameter, sent);
      } catch (RuntimeException unreadable) {
        return sent; // the schema refuses it as the wrong type
      }
    }
  }

  static JsonSchema bodySchema(Operation operation) {
    return operation.getRequestBody().getContent().get("application/json").getSchema();
  }

  /** OpenAPI cannot say "no other query parameters" or "at most once": both are 400s here. */
  private static void refuseUndeclaredQuery(RoutingContext ctx, Operation operation) {
    List<String> declared = new ArrayList<>();
    operation.getParameters().stream().filter(p -> p.getIn() == Location.QUERY).forEach(p -> declared.add(p.getName()));
    for (String name : ctx.queryParams().names()) {
      if (!declared.contains(name)) {
        throw ApiErrors.unknownField("query parameter", name, declared);
      }
      if (ctx.queryParams().getAll(name).size() > 1) {
        throw ApiErrors.invalidField(name, "given once");
      }
    }
  }

  /** A validated request's values, typed by the document; absent optional parameters are null. */
  record Input(Map<String, Object> parameters, JsonObject body) {
    String string(String name) {
      return (String) parameters.get(name);
    }

    Integer integer(String name) {
      return parameters.get(name) instanceof Number n ? n.intValue() : null;
    }

    Boolean bool(String name) {
      return (Boolean) parameters.get(name);
    }
  }
}
