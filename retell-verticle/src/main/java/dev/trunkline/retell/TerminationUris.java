package dev.trunkline.retell;

import java.util.Locale;

/**
 * Termination URIs as Retell wants them (no {@code sip:} scheme) and as Trunkline compares them.
 *
 * <p>Two URIs are the same trunk when they match after dropping a {@code sip:} prefix, with the host compared
 * case-insensitively (DNS names are) and whatever follows the host (port, parameters) compared exactly.
 */
final class TerminationUris {
  private TerminationUris() {}

  /** The form Retell's API takes: trimmed, without a leading {@code sip:} (any case). */
  static String forRetell(String uri) {
    String s = uri.trim();
    if (s.regionMatches(true, 0, "sip:", 0, 4)) {
      s = s.substring(4);
    }
    return s;
  }

  /** The comparison key: {@link #forRetell} with the host part lower-cased. */
  static String canonical(String uri) {
    if (uri == null) {
      return null;
    }
    String s = forRetell(uri);
    int at = s.indexOf('@');
    int start = at < 0 ? 0 : at + 1; // a user part, if any, is compared exactly
    int end = s.length();
    for (int i = start; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == ':' || c == ';' || c == '/' || c == '?') {
        end = i;
        break;
      }
    }
    return s.substring(0, start) + s.substring(start, end).toLowerCase(Locale.ROOT) + s.substring(end);
  }

  static boolean same(String expected, String actual) {
    String a = canonical(expected);
    String b = canonical(actual);
    return a != null && a.equals(b);
  }
}
