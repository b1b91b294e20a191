package dev.trunkline.contract;

import java.nio.charset.StandardCharsets;

/** Percent-encoding of a URI component, in the one place both the Retell client and {@link Redaction} use. */
public final class UriEncoding {
  private UriEncoding() {}

  /** Percent-encodes everything but RFC 3986 unreserved characters: {@code +} becomes {@code %2B}. */
  public static String rfc3986(String value) {
    StringBuilder out = new StringBuilder();
    for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '-' || c == '.' || c == '_' || c == '~') {
        out.append(c);
      } else {
        out.append('%').append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xf, 16)))
            .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
      }
    }
    return out.toString();
  }
}
