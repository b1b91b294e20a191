package dev.trunkline.contract;

import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

/**
 * A failure with an HTTP-like status and a machine code, as replies on the bus carry it.
 *
 * <p>On the wire a failure is {@code message.fail(status, json)} where json is
 * {@code {"code":"UPPER_SNAKE","message":"...","details":{...}}}. {@link #from(Throwable)} reads any failure
 * (a reply failure, a bus timeout, a missing consumer, a local exception) back into this type:
 * {@code NO_HANDLERS} is 503 and {@code TIMEOUT} is 504. Messages must never contain secrets.
 */
public class ServiceException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String code;
  private final transient JsonObject details;

  public ServiceException(int status, String code, String message) {
    this(status, code, message, null);
  }

  public ServiceException(int status, String code, String message, JsonObject details) {
    // No stack trace: these are expected outcomes, created often, and never printed with one.
    super(message, null, false, false);
    this.status = status;
    this.code = code == null ? Errors.defaultCode(status) : code;
    this.details = details;
  }

  public static ServiceException badRequest(String code, String message) {
    return new ServiceException(Errors.BAD_REQUEST, code, message);
  }

  public static ServiceException notFound(String code, String message) {
    return new ServiceException(Errors.NOT_FOUND, code, message);
  }

  public static ServiceException conflict(String code, String message) {
    return new ServiceException(Errors.CONFLICT, code, message);
  }

  public static ServiceException unavailable(String code, String message) {
    return new ServiceException(Errors.UNAVAILABLE, code, message);
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  public JsonObject details() {
    return details;
  }

  /** The body a consumer fails a message with. */
  public String toWire() {
    JsonObject json = new JsonObject().put("code", code).put("message", getMessage());
    if (details != null) {
      json.put("details", details);
    }
    return json.encode();
  }

  /**
   * {@code {"code", "message"}}: how one number's result in a fan-out report, or a 207's {@code data}, names the
   * failure of its part (docs/api.md); the whole request's failure is {@link #toResponseBody}.
   */
  public JsonObject toSummary() {
    return new JsonObject().put("code", code).put("message", getMessage());
  }

  /**
   * The API's error body, {@code {"success": false, "error": {"code", "message", "details"}}}: the gateway's
   * ErrorMapper answers with it, and a flow whose failure is a recorded answer (a purchase bought but not recorded)
   * uses it, so the format is written once.
   */
  public JsonObject toResponseBody() {
    JsonObject error = new JsonObject().put("code", code).put("message", getMessage());
    if (details != null && !details.isEmpty()) {
      error.put("details", details);
    }
    return new JsonObject().put("success", false).put("error", error);
  }

  /** Fails a bus message with this failure. */
  public void failMessage(Message<?> message) {
    message.fail(status, toWire());
  }

  /**
   * Fails a message with whatever went wrong; an unexpected exception becomes a 500 without its internal
   * message (it may name classes or hold upstream text), the caller's log has the detail.
   */
  public static void fail(Message<?> message, Throwable error) {
    from(error).failMessage(message);
  }

  /** Reads any failure back into a ServiceException. */
  public static ServiceException from(Throwable error) {
    if (error instanceof ServiceException se) {
      return se;
    }
    if (error instanceof ReplyException re) {
      if (re.failureType() == ReplyFailure.NO_HANDLERS) {
        return new ServiceException(Errors.UNAVAILABLE, "SERVICE_UNAVAILABLE",
            "no service is consuming " + describeAddress(re.getMessage()));
      }
      if (re.failureType() == ReplyFailure.TIMEOUT) {
        return new ServiceException(Errors.GATEWAY_TIMEOUT, "TIMEOUT",
            "the service did not answer in time");
      }
      int status = re.failureCode() >= 400 && re.failureCode() < 600 ? re.failureCode() : Errors.INTERNAL;
      String text = re.getMessage();
      if (text != null && text.startsWith("{")) {
        try {
          JsonObject json = new JsonObject(text);
          return new ServiceException(status, json.getString("code"), json.getString("message", ""),
              json.getJsonObject("details"));
        } catch (DecodeException | ClassCastException ignored) {
          // fall through: a plain-text failure from a consumer that does not use this contract
        }
      }
      return new ServiceException(status, Errors.defaultCode(status), text == null ? "" : text);
    }
    if (error instanceof IllegalArgumentException iae) {
      return badRequest("INVALID_REQUEST", Errors.firstLine(iae.getMessage()));
    }
    return new ServiceException(Errors.INTERNAL, "INTERNAL_ERROR", "internal error");
  }

  private static String describeAddress(String replyMessage) {
    // Vert.x says "No handlers for address X"; keep the address, it helps operators.
    if (replyMessage != null && replyMessage.startsWith("No handlers for address ")) {
      return replyMessage.substring("No handlers for address ".length());
    }
    return "the address";
  }

  @Override
  public String toString() {
    return "ServiceException[" + status + " " + code + ": " + getMessage() + "]";
  }
}
