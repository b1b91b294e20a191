package dev.trunkline.twilio;

import java.util.Locale;

/**
 * The little of a SIP URI ({@code sip:[user@]host[:port][;params][?headers]}, RFC 3261 section 19.1) that
 * origination URLs need: the host they point at and their {@code transport} parameter.
 */
public final class SipUris {
  private static final String SCHEME = "sip:";
  private static final String TRANSPORT = "transport";

  private SipUris() {}

  public static boolean isSip(String uri) {
    return uri != null && uri.regionMatches(true, 0, SCHEME, 0, SCHEME.length()) && host(uri) != null;
  }

  /**
   * {@code uri} with {@code ;transport=<transport, lower case>} added, or {@code uri} unchanged when it names a
   * transport already (an operator's explicit choice).
   */
  public static String withTransport(String uri, String transport) {
    if (transport(uri) != null) {
      return uri;
    }
    String param = ";" + TRANSPORT + "=" + transport.toLowerCase(Locale.ROOT);
    int headers = uri.indexOf('?');
    return headers < 0 ? uri + param : uri.substring(0, headers) + param + uri.substring(headers);
  }

  /** The value of the {@code transport} URI parameter, or null when there is none. */
  public static String transport(String uri) {
    String[] parts = withoutHeaders(uri).split(";");
    for (int i = 1; i < parts.length; i++) {
      int eq = parts[i].indexOf('=');
      String name = eq < 0 ? parts[i] : parts[i].substring(0, eq);
      if (TRANSPORT.equalsIgnoreCase(name.trim())) {
        return eq < 0 ? "" : parts[i].substring(eq + 1).trim();
      }
    }
    return null;
  }

  /** The host, lower case, without user, port, parameters or headers; null when {@code uri} is not sip:. */
  public static String host(String uri) {
    if (uri == null || !uri.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
      return null;
    }
    String hostPort = withoutHeaders(uri).substring(SCHEME.length()).split(";", 2)[0];
    hostPort = hostPort.substring(hostPort.lastIndexOf('@') + 1);
    int end = hostPort.startsWith("[") ? hostPort.indexOf(']') + 1 : hostPort.indexOf(':');
    String host = end <= 0 ? hostPort : hostPort.substring(0, end);
    return host.isBlank() ? null : host.toLowerCase(Locale.ROOT);
  }

  private static String withoutHeaders(String uri) {
    int headers = uri.indexOf('?');
    return headers < 0 ? uri : uri.substring(0, headers);
  }
}
