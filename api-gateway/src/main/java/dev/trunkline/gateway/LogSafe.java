package dev.trunkline.gateway;

/**
 * Makes client-supplied text (a request line's path, its method) safe for one log line. The HTTP decoder passes
 * ESC, BEL, DEL, NUL and other bytes of a request line through as characters, and a decoded path can hold any
 * character: written raw they would drive the terminal of whoever tails the log (colours, window titles) or, with
 * CR/LF, forge lines. Everything outside printable ASCII is written as {@code \xHH} (beyond Latin-1: a backslash,
 * {@code u} and four hex digits) and a backslash as two, so the escaped text is unambiguous; long text is cut.
 */
final class LogSafe {
  /** Enough for any path this API serves (the longest is under 120 characters). */
  static final int MAX_LENGTH = 256;

  private LogSafe() {}

  static String text(Object value) {
    return text(value == null ? null : value.toString(), MAX_LENGTH);
  }

  static String text(String s, int maxLength) {
    if (s == null) {
      return "-";
    }
    StringBuilder out = new StringBuilder(Math.min(s.length(), maxLength) + 8);
    for (int i = 0; i < s.length(); i++) {
      if (out.length() >= maxLength) {
        return out.append("...(").append(s.length()).append(" chars)").toString();
      }
      char c = s.charAt(i);
      if (c == '\\') {
        out.append("\\\\");
      } else if (c >= 0x20 && c < 0x7F) {
        out.append(c);
      } else if (c <= 0xFF) {
        out.append(String.format("\\x%02x", (int) c));
      } else {
        out.append(String.format("\\u%04x", (int) c));
      }
    }
    return out.toString();
  }
}
