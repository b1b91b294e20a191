package dev.trunkline.simulators;

/** A Twilio API error raised by the simulator's state: HTTP status, Twilio error code, message (never a secret). */
final class TwilioException extends RuntimeException {

  final int status;
  final int code;

  TwilioException(int status, int code, String message) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
  }

  static TwilioException notFound(String what) {
    return new TwilioException(404, TwilioErrors.NOT_FOUND, "The requested resource " + what + " was not found");
  }

  static TwilioException invalid(String message) {
    return new TwilioException(400, TwilioErrors.INVALID_PARAMETER, message);
  }
}
