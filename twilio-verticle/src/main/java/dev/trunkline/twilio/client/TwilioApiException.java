package dev.trunkline.twilio.client;

/**
 * A failed Twilio call, typed: Twilio's JSON error ({@code code}, {@code message}, {@code more_info},
 * {@code status}) when it answered, or the transport failure when it did not. Never holds a request body or
 * a credential, so its message is safe to log: Twilio's text in it has been blanked of the call's secrets
 * ({@code TwilioHttp}, with {@code Redaction}).
 */
public final class TwilioApiException extends RuntimeException {
  /** Twilio's error code for "Too Many Requests" (its body says it with HTTP 429). */
  public static final int TOO_MANY_REQUESTS = 20429;

  private static final long serialVersionUID = 1L;

  /** What went wrong. */
  public enum Kind {
    /** Twilio answered with an error status. */
    HTTP,
    /** No answer: connection refused, reset or closed. */
    NETWORK,
    /** No answer within {@code twilio.requestTimeoutMs}. */
    TIMEOUT,
    /** A listing had more pages than {@code twilio.maxPages}. */
    PAGING
  }

  private final Kind kind;
  private final String operation;
  private final int httpStatus;
  private final Integer twilioCode;
  private final String moreInfo;
  private final Long retryAfterMs;

  private TwilioApiException(Kind kind, String operation, int httpStatus, Integer twilioCode, String message,
      String moreInfo, Long retryAfterMs) {
    super(message, null, false, false);
    this.kind = kind;
    this.operation = operation;
    this.httpStatus = httpStatus;
    this.twilioCode = twilioCode;
    this.moreInfo = moreInfo;
    this.retryAfterMs = retryAfterMs;
  }

  public static TwilioApiException http(String operation, int status, Integer code, String message,
      String moreInfo, Long retryAfterMs) {
    return new TwilioApiException(Kind.HTTP, operation, status, code,
        message == null || message.isBlank() ? "HTTP " + status : message, moreInfo, retryAfterMs);
  }

  public static TwilioApiException network(String operation, Throwable cause) {
    // Only the exception's class: transport messages can quote hosts and ports but nothing else of use.
    return new TwilioApiException(Kind.NETWORK, operation, 0, null,
        "no answer from Twilio (" + cause.getClass().getSimpleName() + ")", null, null);
  }

  public static TwilioApiException timeout(String operation, long timeoutMs) {
    return new TwilioApiException(Kind.TIMEOUT, operation, 0, null,
        "Twilio did not answer within " + timeoutMs + " ms", null, null);
  }

  public static TwilioApiException paging(String operation, int maxPages) {
    return new TwilioApiException(Kind.PAGING, operation, 0, null,
        "listing has more than " + maxPages + " pages", null, null);
  }

  public Kind kind() {
    return kind;
  }

  /** The Twilio operation, as named in the OpenAPI documents (for example {@code CreateTrunk}). */
  public String operation() {
    return operation;
  }

  /** The HTTP status Twilio answered with; 0 when it did not answer. */
  public int httpStatus() {
    return httpStatus;
  }

  /** Twilio's error code (for example 20003, 21422), when its body carried one. */
  public Integer twilioCode() {
    return twilioCode;
  }

  public String moreInfo() {
    return moreInfo;
  }

  /** The wait Twilio asked for with {@code Retry-After}, when it did. */
  public Long retryAfterMs() {
    return retryAfterMs;
  }

  /** Twilio refused for rate: HTTP 429 or its error code {@value #TOO_MANY_REQUESTS}. It did not process the request. */
  public boolean isRateLimited() {
    return kind == Kind.HTTP && (httpStatus == 429 || hasCode(TOO_MANY_REQUESTS));
  }

  public boolean isNotFound() {
    return kind == Kind.HTTP && httpStatus == 404;
  }

  public boolean hasCode(int code) {
    return twilioCode != null && twilioCode == code;
  }

  @Override
  public String toString() {
    return "TwilioApiException[" + operation + " " + kind + " " + httpStatus
        + (twilioCode == null ? "" : " code " + twilioCode) + ": " + getMessage() + "]";
  }
}
