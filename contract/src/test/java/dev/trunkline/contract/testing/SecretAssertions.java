package dev.trunkline.contract.testing;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Checks that a text (a log, a response, an exception message, a file) holds none of the given secrets, and
 * fails without printing them.
 *
 * <p>Why not AssertJ's {@code assertThat(text).doesNotContain(secret)}: when it fails it prints "Expecting
 * actual: &lt;the whole text&gt; not to contain: &lt;the secret&gt;", so the check that guards against a leak
 * leaks the secret, and everything around it, into the build output exactly when it finds one. These
 * assertions throw an {@link AssertionError} that names where the leak is (the {@code where} given, the line,
 * column and offset) and which secret it is by its <em>name</em>; they show at most a short excerpt of the text
 * in which every secret is replaced by {@code [REDACTED:<name>]}. The value is never in the message.
 *
 * <p>Secrets are given by name: {@code Map.of("authToken", authToken)}, or {@link #secrets(String...)} for an
 * ordered map with clear errors. A null or empty secret is a bug in the test (the empty string is contained in
 * every text, a null is contained in none) and is refused with an {@link IllegalArgumentException}.
 *
 * <p>Scan a text before any other assertion that could print it ({@code .as(text)}, {@code contains(...)},
 * {@code isEqualTo(...)} on it): once the scan has passed, printing the text cannot leak those secrets. Where a
 * description must show a text that may hold a secret, pass it through {@link #redact(String, Map)}.
 *
 * <p>Plain Java on purpose (no AssertJ, no Vert.x), so any module's tests can use it from the contract
 * module's test-jar.
 */
public final class SecretAssertions {
  /** Characters of context shown on each side of a leak. */
  static final int EXCERPT_CONTEXT = 20;
  /** Leaks described in one failure message; the rest are counted. */
  static final int MAX_REPORTED = 10;

  private SecretAssertions() {}

  /**
   * Fails if {@code text} contains any of the secrets.
   *
   * @param where what the text is, for the failure message ("the reply to PUT /twilio", "output of node a");
   *     it must not itself contain a secret
   * @param text the text to scan; null fails (as AssertJ's {@code doesNotContain} does)
   * @param secretsByName the secrets, each under a name that can be printed
   */
  public static void assertNoSecrets(String where, String text, Map<String, String> secretsByName) {
    Map<String, String> secrets = checked(where, secretsByName);
    if (text == null) {
      throw new AssertionError(where + ": expected a text to scan for secrets, got null");
    }
    List<Leak> leaks = leaks(text, secrets);
    if (!leaks.isEmpty()) {
      StringBuilder message = new StringBuilder(where).append(" contains ")
          .append(leaks.size() == 1 ? "a secret" : leaks.size() + " secrets").append(':');
      appendLeaks(message, "", text, secrets, leaks, MAX_REPORTED);
      throw new AssertionError(message.toString());
    }
  }

  /** {@link #assertNoSecrets(String, String, Map)} for one secret. */
  public static void assertNoSecret(String where, String text, String secretName, String secret) {
    assertNoSecrets(where, text, secrets(secretName, secret));
  }

  /**
   * Fails if any of {@code texts} (log lines, responses...) contains any of the secrets. The message names each
   * leaking text as {@code where #<1-based index>} and counts them; it describes at most {@value #MAX_REPORTED}.
   */
  public static void assertNoSecrets(String where, List<String> texts, Map<String, String> secretsByName) {
    Map<String, String> secrets = checked(where, secretsByName);
    if (texts == null) {
      throw new AssertionError(where + ": expected texts to scan for secrets, got null");
    }
    StringBuilder details = new StringBuilder();
    int leaking = 0;
    int described = 0;
    int reported = 0;
    for (int i = 0; i < texts.size(); i++) {
      String text = texts.get(i);
      String item = where + " #" + (i + 1);
      if (text == null) {
        throw new AssertionError(item + " of " + texts.size() + ": expected a text to scan for secrets, got null");
      }
      List<Leak> leaks = leaks(text, secrets);
      if (leaks.isEmpty()) {
        continue;
      }
      leaking++;
      if (reported < MAX_REPORTED) {
        reported += appendLeaks(details, item + ": ", text, secrets, leaks, MAX_REPORTED - reported);
        described++;
      }
    }
    if (leaking > 0) {
      StringBuilder message = new StringBuilder(where).append(": ").append(leaking).append(" of ")
          .append(texts.size()).append(leaking == 1 ? " contains" : " contain").append(" secrets:").append(details);
      if (leaking > described) {
        message.append("\n  ... and ").append(leaking - described).append(" more not described");
      }
      throw new AssertionError(message.toString());
    }
  }

  /**
   * {@code text} with every occurrence of every secret replaced by {@code [REDACTED:<name>]} (overlapping or
   * adjacent occurrences become one marker naming each secret), for a description that has to show a text
   * which may hold a secret. A null text gives "null".
   */
  public static String redact(String text, Map<String, String> secretsByName) {
    Map<String, String> secrets = checked("redact", secretsByName, true);
    if (text == null) {
      return "null";
    }
    return render(text, 0, text.length(), regions(text, secrets), false);
  }

  /**
   * An ordered map of secrets from name/value pairs: {@code secrets("authToken", token, "retellKey", key)}. A
   * null or empty value, an odd count, or a name given twice is refused.
   */
  public static Map<String, String> secrets(String... namesAndValues) {
    Objects.requireNonNull(namesAndValues, "namesAndValues");
    if (namesAndValues.length == 0 || namesAndValues.length % 2 != 0) {
      throw new IllegalArgumentException("secrets(...) takes name/value pairs, got " + namesAndValues.length
          + " arguments");
    }
    Map<String, String> secrets = new LinkedHashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      String name = namesAndValues[i];
      checkName(name, i / 2 + 1);
      checkValue(name, namesAndValues[i + 1]);
      if (secrets.put(name, namesAndValues[i + 1]) != null) {
        throw new IllegalArgumentException("secret '" + name + "' is named twice");
      }
    }
    return checked("secrets(...)", secrets);
  }

  /**
   * Secrets known only as a collection, named {@code <prefix> #1}, {@code #2}... in iteration order (use a
   * {@code List} or a {@code LinkedHashSet} so that the numbers mean something).
   */
  public static Map<String, String> numbered(String prefix, Iterable<String> values) {
    Objects.requireNonNull(values, "values");
    Map<String, String> secrets = new LinkedHashMap<>();
    int i = 0;
    for (String value : values) {
      String name = prefix + " #" + ++i;
      checkValue(name, value);
      secrets.put(name, value);
    }
    return checked("numbered(...)", secrets);
  }

  // ---- checking the arguments ---------------------------------------------------------------------------

  private static Map<String, String> checked(String where, Map<String, String> secretsByName) {
    return checked(where, secretsByName, false);
  }

  private static Map<String, String> checked(String where, Map<String, String> secretsByName, boolean mayBeEmpty) {
    Objects.requireNonNull(where, "where");
    if (secretsByName == null) {
      throw new IllegalArgumentException("no secrets given (null) for " + where);
    }
    if (secretsByName.isEmpty() && !mayBeEmpty) {
      throw new IllegalArgumentException("no secrets given for " + where + ": the check would pass whatever "
          + "the text holds");
    }
    int i = 0;
    for (Map.Entry<String, String> e : secretsByName.entrySet()) {
      checkName(e.getKey(), ++i);
      checkValue(e.getKey(), e.getValue());
    }
    // A secret in a name or in `where` would be printed by the failure message itself. Such a name may be a
    // secret: these messages give positions, not names.
    int valueAt = 0;
    for (String value : secretsByName.values()) {
      valueAt++;
      int nameAt = 0;
      for (String name : secretsByName.keySet()) {
        nameAt++;
        if (name.contains(value)) {
          throw new IllegalArgumentException("the name of secret #" + nameAt + " contains the value of secret #"
              + valueAt + " (name and value swapped?)");
        }
      }
      if (where.contains(value)) {
        throw new IllegalArgumentException("the description of the text to scan contains the value of secret #"
            + valueAt);
      }
    }
    return secretsByName;
  }

  private static void checkName(String name, int position) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("secret #" + position + " has no name");
    }
  }

  private static void checkValue(String name, String value) {
    if (value == null) {
      throw new IllegalArgumentException("secret '" + name + "' is null: the test did not get the value it meant "
          + "to check for");
    }
    if (value.isEmpty()) {
      throw new IllegalArgumentException("secret '" + name + "' is empty: every text contains the empty string");
    }
  }

  // ---- finding and describing ----------------------------------------------------------------------------

  /** One secret found in a text: its first occurrence and how many there are. */
  private record Leak(String name, int offset, int occurrences) {}

  /** A stretch of text covered by one or more (overlapping or adjacent) occurrences of secrets. */
  private record Region(int start, int end, List<String> names) {}

  private static List<Leak> leaks(String text, Map<String, String> secrets) {
    List<Leak> leaks = new ArrayList<>();
    secrets.forEach((name, value) -> {
      int first = text.indexOf(value);
      if (first >= 0) {
        int count = 0;
        for (int at = first; at >= 0; at = text.indexOf(value, at + 1)) {
          count++;
        }
        leaks.add(new Leak(name, first, count));
      }
    });
    leaks.sort(Comparator.comparingInt(Leak::offset));
    return leaks;
  }

  /** Appends one line per leak (at most {@code max}); returns how many it appended. */
  private static int appendLeaks(StringBuilder out, String prefix, String text, Map<String, String> secrets,
      List<Leak> leaks, int max) {
    List<Region> regions = regions(text, secrets);
    int appended = 0;
    for (Leak leak : leaks) {
      if (appended == max) {
        out.append("\n  ... and ").append(leaks.size() - appended).append(" more secret(s) in this text");
        break;
      }
      int line = 1;
      int lineStart = 0;
      for (int i = 0; i < leak.offset(); i++) {
        if (text.charAt(i) == '\n') {
          line++;
          lineStart = i + 1;
        }
      }
      out.append("\n  - ").append(prefix).append("secret '").append(leak.name()).append("' at line ").append(line)
          .append(", column ").append(leak.offset() - lineStart + 1).append(" (offset ").append(leak.offset())
          .append(')');
      if (leak.occurrences() > 1) {
        out.append(", ").append(leak.occurrences()).append(" occurrences");
      }
      out.append(": ").append(excerpt(text, leak.offset(), secrets.get(leak.name()).length(), regions));
      appended++;
    }
    return appended;
  }

  /** A short stretch of the text's line around the leak, every secret in it redacted, quoted and escaped. */
  private static String excerpt(String text, int offset, int length, List<Region> regions) {
    int lineStart = text.lastIndexOf('\n', offset - 1) + 1;
    int lineEnd = text.indexOf('\n', offset + length);
    if (lineEnd < 0) {
      lineEnd = text.length();
    }
    int from = Math.max(lineStart, offset - EXCERPT_CONTEXT);
    int to = Math.min(lineEnd, offset + length + EXCERPT_CONTEXT);
    // Never cut through a secret at either edge: a piece of one is part of its value.
    for (Region r : regions) {
      if (r.start() < from && r.end() > from) {
        from = r.start();
      }
      if (r.start() < to && r.end() > to) {
        to = r.end();
      }
    }
    return (from > lineStart ? "\"..." : "\"") + render(text, from, to, regions, true)
        + (to < lineEnd ? "...\"" : "\"");
  }

  /** Every occurrence of every secret, merged where they overlap or touch, in text order. */
  private static List<Region> regions(String text, Map<String, String> secrets) {
    List<int[]> spans = new ArrayList<>();
    List<String> spanNames = new ArrayList<>();
    secrets.forEach((name, value) -> {
      for (int at = text.indexOf(value); at >= 0; at = text.indexOf(value, at + 1)) {
        spans.add(new int[] {at, at + value.length()});
        spanNames.add(name);
      }
    });
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < spans.size(); i++) {
      order.add(i);
    }
    order.sort(Comparator.comparingInt(i -> spans.get(i)[0]));
    List<Region> regions = new ArrayList<>();
    int start = -1;
    int end = -1;
    List<String> names = new ArrayList<>();
    for (int i : order) {
      int[] span = spans.get(i);
      if (start >= 0 && span[0] <= end) {
        end = Math.max(end, span[1]);
      } else {
        if (start >= 0) {
          regions.add(new Region(start, end, List.copyOf(names)));
        }
        start = span[0];
        end = span[1];
        names.clear();
      }
      if (!names.contains(spanNames.get(i))) {
        names.add(spanNames.get(i));
      }
    }
    if (start >= 0) {
      regions.add(new Region(start, end, List.copyOf(names)));
    }
    return regions;
  }

  /** text[from, to) with the regions in it replaced by markers, and control characters escaped if asked. */
  private static String render(String text, int from, int to, List<Region> regions, boolean escaped) {
    StringBuilder out = new StringBuilder();
    int i = from;
    for (Region r : regions) {
      if (r.end() <= i || r.start() >= to) {
        continue;
      }
      copy(text, i, Math.max(i, r.start()), escaped, out);
      out.append("[REDACTED:").append(String.join(",", r.names())).append(']');
      i = r.end();
    }
    copy(text, i, Math.max(i, to), escaped, out);
    return out.toString();
  }

  private static void copy(String text, int from, int to, boolean escaped, StringBuilder out) {
    if (escaped) {
      escape(text, from, to, out);
    } else {
      out.append(text, from, to);
    }
  }

  private static void escape(String text, int from, int to, StringBuilder out) {
    for (int i = from; i < to; i++) {
      char c = text.charAt(i);
      switch (c) {
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        default -> {
          if (c < 0x20 || (c >= 0x7f && c < 0xa0)) {
            out.append(String.format("\\x%02x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
  }
}
