package dev.trunkline.simulators;

import io.vertx.ext.web.RoutingContext;

/** Writes an error reply in one simulator's wire format (Twilio's error JSON, Retell's message JSON). */
@FunctionalInterface
interface ErrorWriter {

  /** {@code code}/{@code message} may be null: the writer then uses its defaults for {@code status}. */
  void write(RoutingContext ctx, int status, Integer code, String message);
}
