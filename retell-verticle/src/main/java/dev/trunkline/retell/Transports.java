package dev.trunkline.retell;

import java.util.Locale;
import java.util.Set;

/** The SIP transports Retell accepts for a number's outbound trunk. */
final class Transports {
  private static final Set<String> VALID = Set.of("TCP", "TLS", "UDP");

  private Transports() {}

  static boolean isValid(String transport) {
    return transport != null && VALID.contains(transport.toUpperCase(Locale.ROOT));
  }

  static String normalize(String transport) {
    return transport.toUpperCase(Locale.ROOT);
  }
}
