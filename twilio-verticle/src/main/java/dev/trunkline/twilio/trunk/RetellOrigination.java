package dev.trunkline.twilio.trunk;

import dev.trunkline.twilio.SipUris;
import dev.trunkline.twilio.client.Resources.OriginationUrl;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Which of a trunk's origination URLs is the one to Retell, for setup (which converges it) and status (which
 * reports it) alike.
 */
final class RetellOrigination {
  /** Enabled URLs first: of two candidates, the one already carrying calls is the one to keep. */
  private static final Comparator<OriginationUrl> ENABLED_FIRST = Comparator.comparing(u -> !u.enabled());

  private RetellOrigination() {}

  /**
   * The URL equal to {@code wanted}; else one on the same SIP server with another or no transport (made before
   * the transport was configured, or by hand), which setup updates in place rather than adding a second URL to
   * Retell. URLs to other servers (a tenant's own PBX) are not Retell's and never picked.
   */
  static Optional<OriginationUrl> find(List<OriginationUrl> urls, String wanted) {
    Optional<OriginationUrl> exact = urls.stream().filter(u -> wanted.equalsIgnoreCase(u.sipUrl()))
        .min(ENABLED_FIRST);
    if (exact.isPresent()) {
      return exact;
    }
    String host = SipUris.host(wanted);
    return urls.stream().filter(u -> Objects.equals(host, SipUris.host(u.sipUrl()))).min(ENABLED_FIRST);
  }

  /** Whether {@code url} already is {@code wanted} (Twilio keeps the case it was given; SIP hosts ignore it). */
  static boolean isExactly(OriginationUrl url, String wanted) {
    return wanted.equalsIgnoreCase(url.sipUrl());
  }
}
