package dev.trunkline.contract;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Blanks out of a text that came from elsewhere (an upstream's error message) every trace of the secrets the
 * call used, before that text goes into a failure, a response or a log line. {@link Secret} keeps our own
 * values out of logs by construction; this is for the text we did not write: Twilio or Retell may echo a field,
 * a header or a URL back in their error message.
 *
 * <p>A trace is any run of at least {@value #MIN_RUN} consecutive characters (compared case-insensitively, so
 * {@code %2b} and {@code %2B} are one) of any of these forms of a secret:
 * <ul>
 *   <li>the secret itself;</li>
 *   <li>URL-encoded: form encoding (space as {@code +}), the same with {@code %20}, and RFC 3986 encoding
 *   (everything but the unreserved characters escaped);</li>
 *   <li>Base64, standard and URL-safe alphabets: the secret alone (with its padding), and the part of the
 *   encoding that depends on the secret alone at each of the three byte alignments, which is what shows when the
 *   secret is encoded inside something longer, such as the Basic auth value {@code base64(sid:token)}.</li>
 * </ul>
 * A secret shorter than {@value #MIN_RUN} characters is blanked only where it (or one of its encodings) occurs
 * whole.
 *
 * <p>Why {@value #MIN_RUN}: a run that long of a random token, key or generated password in someone else's text
 * is no coincidence (8 characters of a 62-letter alphabet are about 48 bits), while short common words that
 * happen to be part of a secret ({@code the}, {@code key}, {@code Pass}) stay readable.
 * A secret that is itself made of words loses those words wherever they appear in the text; the error is on the
 * side of the secret.
 */
public final class Redaction {
  /** What a blanked stretch of text becomes. */
  public static final String MARK = "[REDACTED]";
  /** The shortest run of a secret's characters that is blanked wherever it appears. */
  public static final int MIN_RUN = 8;
  /** The longest upstream text passed on by {@link #upstreamText}; the rest is cut off. */
  public static final int MAX_UPSTREAM_TEXT = 200;

  private Redaction() {}

  /**
   * An upstream's text made fit to pass on: every secret of the call blanked ({@link #redact}), control characters
   * (line breaks that would forge log lines, escapes) turned into spaces, and cut to {@value #MAX_UPSTREAM_TEXT}
   * characters. Null, or blank after cleaning, gives null.
   */
  public static String upstreamText(String text, Collection<Secret> secrets) {
    if (text == null) {
      return null;
    }
    // Bounded before the scan (an upstream body can be large); the margin keeps a secret that straddles the final
    // cut long enough to be recognised.
    String bounded = text.length() > 2 * MAX_UPSTREAM_TEXT ? text.substring(0, 2 * MAX_UPSTREAM_TEXT) : text;
    String cleaned = flatten(redact(bounded, secrets)).strip();
    if (cleaned.isEmpty()) {
      return null;
    }
    return cleaned.length() > MAX_UPSTREAM_TEXT ? cleaned.substring(0, MAX_UPSTREAM_TEXT) + "..." : cleaned;
  }

  /** {@code text} with every trace of every secret replaced by {@link #MARK}; null and blank secrets are skipped. */
  public static String redact(String text, Collection<Secret> secrets) {
    if (text == null || text.isEmpty() || secrets == null || secrets.isEmpty()) {
      return text;
    }
    Set<String> runs = new HashSet<>();
    List<String> shortForms = new ArrayList<>();
    for (Secret secret : secrets) {
      if (secret == null || secret.isBlank()) {
        continue;
      }
      Forms forms = forms(secret.reveal());
      for (String form : forms.whole()) {
        String folded = fold(form);
        if (folded.length() < MIN_RUN) {
          shortForms.add(folded);
        } else {
          addRuns(runs, folded);
        }
      }
      // A fragment shorter than a run is not searched for: one or two Base64 letters are in every text.
      forms.fragments().forEach(fragment -> addRuns(runs, fold(fragment)));
    }
    String folded = fold(text);
    boolean[] hidden = new boolean[text.length()];
    boolean any = false;
    // Every run of MIN_RUN or more characters of a form is a union of MIN_RUN-long windows of it.
    for (int i = 0; i + MIN_RUN <= folded.length(); i++) {
      if (runs.contains(folded.substring(i, i + MIN_RUN))) {
        java.util.Arrays.fill(hidden, i, i + MIN_RUN, true);
        any = true;
      }
    }
    for (String form : shortForms) {
      for (int at = folded.indexOf(form); at >= 0; at = folded.indexOf(form, at + 1)) {
        java.util.Arrays.fill(hidden, at, at + form.length(), true);
        any = true;
      }
    }
    return any ? render(text, hidden) : text;
  }

  /** {@link #redact(String, Collection)} for secrets given one by one. */
  public static String redact(String text, Secret... secrets) {
    return redact(text, secrets == null ? List.of() : java.util.Arrays.asList(secrets));
  }

  /** The HTTP Basic credentials value, {@code base64(user:password)}, as a secret of its own. */
  public static Secret basicAuthValue(String user, Secret password) {
    return new Secret(Base64.getEncoder().encodeToString(
        (user + ":" + password.reveal()).getBytes(StandardCharsets.UTF_8)));
  }

  /**
   * The forms in which a secret may come back in someone else's text: {@code whole} are encodings of the secret
   * alone, {@code fragments} the parts of a longer Base64 encoding that depend on the secret alone.
   */
  record Forms(Set<String> whole, Set<String> fragments) {}

  static Forms forms(String secret) {
    Set<String> whole = new LinkedHashSet<>();
    whole.add(secret);
    String form = URLEncoder.encode(secret, StandardCharsets.UTF_8);
    whole.add(form);
    whole.add(form.replace("+", "%20"));
    whole.add(rfc3986(secret));
    byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
    addBase64(whole, Base64.getEncoder().encodeToString(bytes));
    Set<String> fragments = new LinkedHashSet<>();
    for (int offset = 0; offset < 3; offset++) {
      addBase64(fragments, aligned(bytes, offset, false));
      // The secret last in the encoded input (the password of a Basic auth value): its last characters and the
      // padding depend on it alone.
      addBase64(fragments, aligned(bytes, offset, true));
    }
    fragments.removeIf(f -> f.length() < MIN_RUN);
    return new Forms(whole, fragments);
  }

  private static void addRuns(Set<String> runs, String folded) {
    for (int i = 0; i + MIN_RUN <= folded.length(); i++) {
      runs.add(folded.substring(i, i + MIN_RUN));
    }
  }

  /**
   * The characters of the Base64 encoding of a longer input that depend on the secret alone, when the secret starts
   * {@code offset} bytes (mod 3) into it: the leading characters that mix in the bytes before are left out, and so is
   * the trailing one that mixes in the bytes after, unless the secret ends the input ({@code last}), where the
   * encoding ends as it does, padding included.
   */
  private static String aligned(byte[] secret, int offset, boolean last) {
    byte[] shifted = new byte[offset + secret.length];
    System.arraycopy(secret, 0, shifted, offset, secret.length);
    int skipStart = switch (offset) {
      case 0 -> 0;
      case 1 -> 2;
      default -> 3;
    };
    String encoded = last
        ? Base64.getEncoder().encodeToString(shifted)
        : Base64.getEncoder().withoutPadding().encodeToString(shifted);
    int skipEnd = last || shifted.length % 3 == 0 ? 0 : 1;
    return encoded.length() - skipEnd <= skipStart ? "" : encoded.substring(skipStart, encoded.length() - skipEnd);
  }

  private static void addBase64(Set<String> forms, String standard) {
    forms.add(standard);
    forms.add(standard.replace('+', '-').replace('/', '_'));
  }

  private static String rfc3986(String value) {
    return UriEncoding.rfc3986(value);
  }

  /** Lower case, one char for one char, so positions in the folded text are positions in the original. */
  private static String fold(String s) {
    char[] chars = s.toCharArray();
    for (int i = 0; i < chars.length; i++) {
      chars[i] = Character.toLowerCase(chars[i]);
    }
    return new String(chars);
  }

  private static String render(String text, boolean[] hidden) {
    StringBuilder out = new StringBuilder(text.length());
    int i = 0;
    while (i < text.length()) {
      if (hidden[i]) {
        out.append(MARK);
        while (i < text.length() && hidden[i]) {
          i++;
        }
      } else {
        out.append(text.charAt(i++));
      }
    }
    return out.toString();
  }

  private static String flatten(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      out.append(Character.isISOControl(c) || c == '\u2028' || c == '\u2029' ? ' ' : c);
    }
    return out.toString().replaceAll(" {2,}", " ");
  }
}
