package dev.trunkline.contract.config;

import java.util.List;

/**
 * {@code bus.timeoutMs}: the timeout of an event-bus request from one service to another (a flow's request to the
 * store, Twilio or Retell; the Twilio service's requests to the store). One key for every caller: it used to be
 * {@code bus.timeoutMs} (10 s, Twilio's store requests) and {@code provisioning.busTimeoutMs} (30 s, formerly
 * {@code gateway.busTimeoutMs}); both old names are still read, with a warning.
 *
 * <p>30 s, the provisioning value: a flow's request to the Twilio service may take a tenant lock and make several
 * Twilio calls, and the store's idempotency lease ({@code store.idempotencyLeaseSeconds}, 300) is sized on nine
 * such requests in a row. The per-number timeout of a fan-out ({@code provisioning.perNumberTimeoutMs}) and the
 * gateway's route timeouts are separate keys.
 */
public final class BusTimeout {
  public static final Option<Long> OPTION = Option.longValue("bus.timeoutMs", 30_000L)
      .formerly("provisioning.busTimeoutMs", "gateway.busTimeoutMs");

  public static final List<Option<?>> OPTIONS = List.of(OPTION);

  private BusTimeout() {}
}
