package dev.trunkline.contract;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way Trunkline sends and consumes requests on the bus: records in, records out, JSON on the wire,
 * an explicit timeout on every request, the request id carried in a header, failures as
 * {@link ServiceException}.
 */
public final class Bus {
  private static final Logger LOG = LoggerFactory.getLogger(Bus.class);
  static final int NO_HANDLERS_RESENDS = 3;
  static final long NO_HANDLERS_RESEND_MS = 200;
  private static final long DRAIN_POLL_MS = 50;
  /** How long a stopping clustered node keeps answering "no handlers" after unregistering its consumers. */
  static final long DRAIN_GRACE_MS = 2_500;
  /** How Vert.x words the answer to a request whose consumer was unregistered before it could handle it. */
  private static final String DISCARDED = "Discarded the request";
  /**
   * The requests each consumer made here has received and not yet answered, so that a stopping node answers what it
   * could not finish ({@link #drain}) instead of leaving the senders to wait out their timeouts. Weak keys: a
   * consumer that is gone takes its entry along.
   */
  private static final Map<MessageConsumer<?>, Set<Message<?>>> UNANSWERED =
      Collections.synchronizedMap(new WeakHashMap<>());

  private Bus() {}

  /**
   * Sends a request and maps the reply to {@code replyType}. Fails with a {@link ServiceException}: the
   * consumer's own failure, 503 when nobody consumes the address, 504 after {@code timeoutMs}.
   */
  public static <R> Future<R> request(Vertx vertx, String address, Object body, Class<R> replyType,
      long timeoutMs, String requestId) {
    return request(vertx, address, body, replyType, timeoutMs, requestId, null);
  }

  /**
   * As {@link #request(Vertx, String, Object, Class, long, String)}, naming the tenant the request acts for in
   * the {@link Headers#TENANT} header (for logs and per-tenant fairness in shared upstream budgets).
   */
  public static <R> Future<R> request(Vertx vertx, String address, Object body, Class<R> replyType,
      long timeoutMs, String requestId, String tenant) {
    DeliveryOptions options = new DeliveryOptions()
        .setSendTimeout(timeoutMs)
        .addHeader(Headers.REQUEST_ID, requestId == null ? newRequestId() : requestId)
        .addHeader(Headers.CONTRACT_VERSION, Addresses.VERSION)
        .addHeader(Headers.TIMEOUT_MS, Long.toString(timeoutMs));
    if (tenant != null) {
      options.addHeader(Headers.TENANT, tenant);
    }
    JsonObject json;
    try {
      json = Json.toJson(body);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(ServiceException.badRequest(Errors.BAD_MESSAGE, "cannot encode request"));
    }
    long sentAt = System.nanoTime();
    long deadline = sentAt + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    return send(vertx, address, json, options, deadline, NO_HANDLERS_RESENDS)
        .recover(err -> Future.failedFuture(ServiceException.from(err)))
        .onComplete(ar -> logSlowOrUnanswered(address, options, timeoutMs, sentAt, ar.cause()))
        .map(reply -> Json.fromJson(reply.body(), replyType));
  }

  /**
   * A request nobody answered (503, 504) or answered late (after half its timeout) is logged with its request id:
   * at 3 a.m. that line says which hop of a slow HTTP request waited, and on which address. Others at DEBUG.
   */
  private static void logSlowOrUnanswered(String address, DeliveryOptions options, long timeoutMs, long sentAt,
      Throwable failure) {
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sentAt);
    ServiceException failed = failure == null ? null : ServiceException.from(failure);
    boolean unanswered = failed != null && (failed.status() == 503 || failed.status() == 504);
    String outcome = failed == null ? "answered" : failed.status() + " " + failed.code();
    String requestId = options.getHeaders().get(Headers.REQUEST_ID);
    if (unanswered || ms > timeoutMs / 2) {
      LOG.info("bus request {} to {}: {} after {} ms (timeout {} ms)", requestId, address, outcome, ms, timeoutMs);
    } else {
      LOG.debug("bus request {} to {}: {} after {} ms", requestId, address, outcome, ms);
    }
  }

  /**
   * In a cluster, "no handlers" can be a stale view: the node it was routed to has just unregistered its consumer
   * (it is stopping) while another node still serves the address. Nothing was handled, so sending again is safe
   * for every request: up to {@value #NO_HANDLERS_RESENDS} times, {@value #NO_HANDLERS_RESEND_MS} ms apart, within
   * the request's timeout. In one JVM "no handlers" is the truth and is answered at once.
   */
  private static Future<Message<Object>> send(Vertx vertx, String address, JsonObject json, DeliveryOptions options,
      long deadline, int resends) {
    return vertx.eventBus().<Object>request(address, json, options).recover(err -> {
      long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()) - NO_HANDLERS_RESEND_MS;
      if (resends == 0 || !vertx.isClustered() || left <= 0 || !refused(err)) {
        return Future.failedFuture(err);
      }
      Promise<Message<Object>> resent = Promise.promise();
      vertx.setTimer(NO_HANDLERS_RESEND_MS, t -> send(vertx, address, json,
          new DeliveryOptions(options).setSendTimeout(left), deadline, resends - 1).onComplete(resent));
      return resent.future();
    });
  }

  /**
   * Nobody handled the request: no consumer for the address on the node it was routed to ({@code NO_HANDLERS}), or
   * the consumer was unregistered between the message's arrival and its handling, which Vert.x answers at once as a
   * {@code TIMEOUT} "Discarded the request" (a stopping node's queue). Either way nothing ran, so it can go elsewhere.
   */
  static boolean refused(Throwable err) {
    return err instanceof ReplyException re && (re.failureType() == ReplyFailure.NO_HANDLERS
        || re.failureType() == ReplyFailure.TIMEOUT && re.getMessage() != null
        && re.getMessage().startsWith(DISCARDED));
  }

  /**
   * Registers a consumer that decodes {@code requestType}, runs {@code handler} and replies with its result
   * as JSON, or fails the message with the handler's {@link ServiceException} (an unexpected exception is
   * logged here with the request id and sent as a bare 500).
   */
  public static <Q, R> MessageConsumer<Object> consumer(Vertx vertx, String address, Class<Q> requestType,
      Function<BusRequest<Q>, Future<R>> handler) {
    EventBus bus = vertx.eventBus();
    Set<Message<?>> unanswered = ConcurrentHashMap.newKeySet();
    MessageConsumer<Object> consumer = bus.consumer(address, (Message<Object> message) -> {
      String header = message.headers().get(Headers.REQUEST_ID);
      String rid = header == null ? newRequestId() : header;
      String tenant = tenantOf(message);
      long deadline = deadlineOf(message);
      // The handler's synchronous part logs with the request's id, tenant and operation in the MDC.
      Future<R> result = LogContext.call(rid, tenant, address, () -> {
        try {
          Q body = Json.fromJson(message.body(), requestType);
          return handler.apply(new BusRequest<>(body, rid, tenant, deadline));
        } catch (RuntimeException e) {
          return Future.failedFuture(e);
        }
      });
      unanswered.add(message);
      result.onComplete(ar -> {
        if (!unanswered.remove(message)) {
          return; // already answered by a stopping node's drain
        }
        if (ar.succeeded()) {
          message.reply(Json.toJson(ar.result()));
        } else {
          Throwable err = ar.cause();
          if (!(err instanceof ServiceException)) {
            LogContext.run(rid, tenant, address, () ->
                LOG.error("request {} on {} failed unexpectedly: {}", rid, address, err.toString()));
          }
          ServiceException.fail(message, err);
        }
      });
    });
    UNANSWERED.put(consumer, unanswered);
    return consumer;
  }

  /** The tenant a request acts for: the {@link Headers#TENANT} header, else the body's {@code subaccountId}. */
  private static String tenantOf(Message<Object> message) {
    String header = message.headers().get(Headers.TENANT);
    if (header != null) {
      return header;
    }
    return message.body() instanceof JsonObject json && json.getValue("subaccountId") instanceof String id
        ? id : null;
  }

  /** When the sender stops waiting (epoch milliseconds), from {@link Headers#TIMEOUT_MS}; 0 when it did not say. */
  private static long deadlineOf(Message<Object> message) {
    String timeout = message.headers().get(Headers.TIMEOUT_MS);
    if (timeout == null) {
      return 0;
    }
    try {
      long ms = Long.parseLong(timeout);
      return ms > 0 ? System.currentTimeMillis() + ms : 0;
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  public static String newRequestId() {
    return UUID.randomUUID().toString();
  }

  /**
   * A service's graceful stop: unregisters its consumers first, so the cluster routes new requests to the other
   * nodes serving the addresses, then waits until the requests it is handling ({@code inFlight}) are answered, at
   * most {@code maxMs}. Without it a stopping node drops what it holds, and its callers wait out their timeouts.
   */
  public static Future<Void> drain(Vertx vertx, List<? extends MessageConsumer<?>> consumers, IntSupplier inFlight,
      long maxMs) {
    List<Future<Void>> unregistered = consumers.stream().map(c -> c.unregister()).toList();
    long now = System.nanoTime();
    long deadline = now + TimeUnit.MILLISECONDS.toNanos(maxMs);
    // In a cluster the others learn of the unregistration a moment later, and Vert.x drops a request they route here
    // meanwhile without an answer. A launcher's node first has the others route around it
    // (HandoverClusterManager), so none should come; the grace still keeps this node in the cluster a moment for a
    // node that missed that notice, whose requests are resent on this node's departure (NodeDeaths).
    long graceEnd = now + TimeUnit.MILLISECONDS.toNanos(vertx.isClustered() ? Math.min(maxMs, DRAIN_GRACE_MS) : 0);
    Promise<Void> drained = Promise.promise();
    Future.join(unregistered).onComplete(ar -> awaitIdle(vertx, inFlight, graceEnd, deadline, drained));
    return drained.future().andThen(ar -> answerUnfinished(consumers));
  }

  /**
   * What a stopping node could not finish in time is answered 503 (retry elsewhere) before its event bus closes:
   * left unanswered, its senders would wait out their whole timeouts (a gateway's, two minutes) for a reply that
   * can no longer come.
   */
  private static void answerUnfinished(List<? extends MessageConsumer<?>> consumers) {
    for (MessageConsumer<?> consumer : consumers) {
      Set<Message<?>> unanswered = UNANSWERED.remove(consumer);
      if (unanswered == null) {
        continue;
      }
      for (Message<?> message : List.copyOf(unanswered)) {
        if (unanswered.remove(message)) {
          ServiceException.fail(message, ServiceException.unavailable(null,
              "the node handling the request is stopping and did not finish it; try again"));
        }
      }
    }
  }

  private static void awaitIdle(Vertx vertx, IntSupplier inFlight, long graceEnd, long deadline,
      Promise<Void> drained) {
    if (inFlight.getAsInt() == 0 && System.nanoTime() >= graceEnd) {
      drained.complete();
    } else if (System.nanoTime() >= deadline) {
      LOG.warn("stopping with {} requests still unanswered", inFlight.getAsInt());
      drained.complete();
    } else {
      vertx.setTimer(DRAIN_POLL_MS, t -> awaitIdle(vertx, inFlight, graceEnd, deadline, drained));
    }
  }
}
