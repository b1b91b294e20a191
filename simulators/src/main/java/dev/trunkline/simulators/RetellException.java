package dev.trunkline.simulators;

/** A Retell API error: the HTTP status and the message the reply carries. Never holds a secret. */
final class RetellException extends RuntimeException {

  final int status;

  RetellException(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }
}
