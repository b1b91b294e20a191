package dev.trunkline.contract;

import dev.trunkline.contract.config.Option;
import io.vertx.core.json.JsonObject;
import java.util.Locale;
import java.util.Set;

/**
 * The SIP transport between the Twilio trunk and Retell, one setting for both directions: {@code retell.transport}
 * is what Retell is told to use towards the trunk (outbound calls) and what the trunk's origination URL asks
 * Twilio to use towards Retell (inbound calls). The twilio and retell verticles both read it here, so the key,
 * its default and its check exist once and the two directions cannot disagree.
 */
public final class SipTransport {
  /** Where the setting lives in the configuration. */
  public static final String CONFIG_KEY = "retell.transport";
  /** Retell's custom-telephony guide recommends TCP. */
  public static final String DEFAULT = "TCP";
  /** The key, declared here because both the twilio and the retell verticle read it. */
  public static final Option<String> OPTION = Option.string(CONFIG_KEY, DEFAULT);
  private static final Set<String> VALID = Set.of("TCP", "TLS", "UDP");

  private SipTransport() {}

  public static boolean isValid(String transport) {
    return transport != null && VALID.contains(transport.toUpperCase(Locale.ROOT));
  }

  /** Upper case, as Retell's API spells it. */
  public static String normalize(String transport) {
    return transport.toUpperCase(Locale.ROOT);
  }

  /**
   * The configured transport, upper case ({@link #DEFAULT} when unset).
   *
   * @param root the whole configuration, as every verticle is given it
   * @throws IllegalArgumentException naming the key when the value is not TCP, TLS or UDP
   */
  public static String from(JsonObject root) {
    String transport = root == null ? DEFAULT : OPTION.get(root);
    if (!isValid(transport)) {
      throw new IllegalArgumentException(CONFIG_KEY + " must be TCP, TLS or UDP, not '" + transport + "'");
    }
    return normalize(transport);
  }
}
