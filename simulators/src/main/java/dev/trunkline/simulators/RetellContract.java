package dev.trunkline.simulators;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.json.schema.OutputUnit;
import io.vertx.openapi.contract.MediaType;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Response;
import io.vertx.openapi.validation.RequestValidator;
import io.vertx.openapi.validation.SchemaValidationException;
import io.vertx.openapi.validation.impl.ValidatableRequestImpl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Holds the Retell simulator to Retell's own document ({@link RetellOpenApi}): every request to a phone-number
 * operation is validated before it is handled (a request the document does not allow answers 400, as Retell's
 * {@code BadRequest}), and every reply the simulator itself produces is checked before it is sent: its status must
 * be one the document lists for the operation and its body must match that response's schema. A reply that does
 * not is still sent (the simulator does not hide its own bug), but it is logged at ERROR and kept in
 * {@link #violations()}, which the simulator's tests and the flow tests require to stay empty.
 *
 * <p>Three kinds of reply are outside that check, and counted apart in {@link #replies()}: injected faults (a test
 * asked for a 429 or a 503 on purpose), the optional per-key rate limit's 429 (Retell publishes no limits and lists
 * 429 for none of these operations, but its {@code TooManyRequests} reply and the SDK's retries show it sends one),
 * and answers to requests the document does not allow (the document says nothing about those; they are all 400).
 */
final class RetellContract {

  private static final Logger LOG = LoggerFactory.getLogger(RetellContract.class);
  /** Bounded: a simulator that is wrong on every reply must not grow without end. */
  static final int MAX_VIOLATIONS = 100;
  static final String INVALID_REQUEST = "Invalid request format, please check API reference.";
  /** Routing-context key: why a reply is exempt from the check (one of the three values below), or absent. */
  static final String EXEMPTION_KEY = "retell.exemption";
  static final String INJECTED = "injected";
  static final String RATE_LIMIT = "rate limit";
  static final String OUTSIDE_DOCUMENT = "request outside the document";

  private final OpenAPIContract contract;
  private final RequestValidator validator;
  private final Map<String, Set<Integer>> documented = new HashMap<>();
  private final Map<String, LongAdder> replies = new ConcurrentHashMap<>();
  private final List<String> violations = new ArrayList<>();

  RetellContract(Vertx vertx, OpenAPIContract contract) {
    this.contract = contract;
    this.validator = RequestValidator.create(vertx, contract);
    RetellOpenApi.OPERATIONS.keySet().forEach(op ->
        documented.put(op, RetellOpenApi.documentedStatuses(contract.getRawContract(), op)));
  }

  /** The statuses the document lists for {@code operationId}. */
  Set<Integer> documentedStatuses(String operationId) {
    return documented.get(operationId);
  }

  /**
   * Validates the request against {@code operationId}; a request that does not conform answers 400 with Retell's
   * BadRequest body (plus what is wrong) and is not handled.
   */
  Handler<RoutingContext> requestValidator(String operationId, ErrorWriter errors) {
    Operation operation = operation(operationId);
    return ctx -> validator.validate(toValidatable(ctx, operation), operationId)
        .onSuccess(validated -> ctx.next())
        .onFailure(e -> {
          ctx.put(EXEMPTION_KEY, OUTSIDE_DOCUMENT);
          errors.write(ctx, 400, null, INVALID_REQUEST + " " + describe(e));
        });
  }

  /**
   * Counts a reply and checks it against the document; {@code body} is null for a reply without one (204). A reply
   * whose context carries an {@link #EXEMPTION_KEY} is counted under that exemption and not checked.
   */
  void checkReply(RoutingContext ctx, String operationId, int status, JsonObject body) {
    String exemption = ctx.get(EXEMPTION_KEY);
    replies.computeIfAbsent(operationId + " " + status + (exemption == null ? "" : " (" + exemption + ")"),
        k -> new LongAdder()).increment();
    if (exemption != null) {
      return;
    }
    String problem = problem(operationId, status, body);
    if (problem != null) {
      String violation = operationId + " " + status + ": " + problem;
      LOG.error("retell simulator reply violates Retell's OpenAPI document: {}", violation);
      synchronized (violations) {
        if (violations.size() < MAX_VIOLATIONS) {
          violations.add(violation);
        }
      }
    }
  }

  /** Why the reply does not conform, or null when it does. */
  String problem(String operationId, int status, JsonObject body) {
    if (!documented.get(operationId).contains(status)) {
      return "status " + status + " is not among the documented " + documented.get(operationId);
    }
    Response response = operation(operationId).getResponse(status);
    Map<String, MediaType> content = response.getContent();
    if (content == null || content.isEmpty()) {
      return body == null ? null : "the document gives this reply no body";
    }
    MediaType json = content.get("application/json");
    if (json == null) {
      return "the document gives this reply no application/json body";
    }
    if (body == null) {
      return "the document requires a body";
    }
    OutputUnit result = contract.getSchemaRepository().validator(json.getSchema()).validate(body);
    if (Boolean.TRUE.equals(result.getValid())) {
      return null;
    }
    return firstError(result);
  }

  /** Replies by "operationId status" (with the injected and outside-the-document ones marked), for the request log. */
  Map<String, Long> replies() {
    Map<String, Long> view = new TreeMap<>();
    replies.forEach((k, v) -> view.put(k, v.sum()));
    return view;
  }

  List<String> violations() {
    synchronized (violations) {
      return List.copyOf(violations);
    }
  }

  void reset() {
    replies.clear();
    synchronized (violations) {
      violations.clear();
    }
  }

  JsonObject toJson() {
    JsonObject byOperation = new JsonObject();
    replies().forEach(byOperation::put);
    return new JsonObject().put("replies", byOperation).put("violations", new JsonArray(violations()));
  }

  private Operation operation(String operationId) {
    Operation operation = contract.operation(operationId);
    if (operation == null) {
      throw new IllegalArgumentException("no operation " + operationId + " in Retell's document");
    }
    return operation;
  }

  private static ValidatableRequestImpl toValidatable(RoutingContext ctx, Operation operation) {
    if (operation.getRequestBody() == null) {
      return OpenApiRequests.validatable(ctx, operation, null, null);
    }
    Buffer body = ctx.body().buffer() == null ? Buffer.buffer() : ctx.body().buffer();
    return OpenApiRequests.validatable(ctx, operation, body, "application/json");
  }

  private static String describe(Throwable e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    if (e instanceof SchemaValidationException schema && schema.getOutputUnit() != null) {
      String first = firstError(schema.getOutputUnit());
      if (first != null && !message.contains(first)) {
        message = message + " (" + first + ")";
      }
    }
    return message;
  }

  private static String firstError(OutputUnit unit) {
    if (unit.getErrors() != null && !unit.getErrors().isEmpty()) {
      OutputUnit first = unit.getErrors().get(0);
      return first.getError() + " at " + first.getInstanceLocation();
    }
    return unit.getError();
  }
}
