package dev.trunkline.simulators;

import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The numbers the simulator "has for sale": a deterministic inventory, so tests can name a number before buying it.
 * <ul>
 *   <li>US/CA local: {@code +1 AAA 555 01NN} for every area code AAA (2xx-9xx) and NN 00-99; without AreaCode the
 *   search walks {@link #DEFAULT_AREA_CODES}.</li>
 *   <li>US/CA toll-free: {@code +1 TTT 555 01NN} for TTT in 800, 833, 844, 855, 866, 877, 888.</li>
 *   <li>GB local: {@code +44 20 7946 0NNN}; GB mobile: {@code +44 7700 900NNN} (NNN 000-099).</li>
 * </ul>
 * A number bought by any account is gone from the inventory (and stays gone after release, like Twilio's aging).
 */
final class TwilioInventory {

  static final List<String> DEFAULT_AREA_CODES = List.of("415", "628", "212", "646", "312");
  static final List<String> TOLL_FREE_PREFIXES = List.of("800", "833", "844", "855", "866", "877", "888");
  private static final Pattern AREA_CODE = Pattern.compile("[2-9][0-9]{2}");
  private static final Pattern NANP_LOCAL = Pattern.compile("\\+1([2-9][0-9]{2})55501[0-9]{2}");
  private static final Pattern GB_LOCAL = Pattern.compile("\\+4420794600[0-9]{2}");
  private static final Pattern GB_MOBILE = Pattern.compile("\\+4477009000[0-9]{2}");

  enum Type { LOCAL, MOBILE, TOLL_FREE }

  private TwilioInventory() {
  }

  /** Validates an AreaCode parameter as sent: exactly three digits, not starting with 0 or 1 (NANP). */
  static String areaCode(String raw) {
    if (raw == null) {
      return null;
    }
    String trimmed = raw.trim();
    if (!AREA_CODE.matcher(trimmed).matches()) {
      throw TwilioException.invalid("AreaCode must be a 3-digit area code (200-999), got '" + raw + "'");
    }
    return trimmed;
  }

  /** Up to {@code limit} available numbers of the type in the country, filtered, in inventory order. */
  static List<String> search(String country, Type type, String areaCode, String contains, int limit, Set<String> sold) {
    Pattern containsPattern = containsPattern(contains);
    List<String> found = new ArrayList<>();
    for (String candidate : candidates(country.toUpperCase(Locale.ROOT), type, areaCode)) {
      if (found.size() >= limit) {
        break;
      }
      if (!sold.contains(candidate)
          && (containsPattern == null || containsPattern.matcher(candidate.substring(1)).find())) {
        found.add(candidate);
      }
    }
    return found;
  }

  /** Whether {@code e164} is a number of the inventory that nobody has bought. */
  static boolean isAvailable(String e164, Set<String> sold) {
    return typeOf(e164) != null && !sold.contains(e164);
  }

  static Type typeOf(String e164) {
    var nanp = NANP_LOCAL.matcher(e164);
    if (nanp.matches()) {
      return TOLL_FREE_PREFIXES.contains(nanp.group(1)) ? Type.TOLL_FREE : Type.LOCAL;
    }
    if (GB_LOCAL.matcher(e164).matches()) {
      return Type.LOCAL;
    }
    if (GB_MOBILE.matcher(e164).matches()) {
      return Type.MOBILE;
    }
    return null;
  }

  static String isoCountry(String e164) {
    return e164.startsWith("+44") ? "GB" : "US";
  }

  /** Twilio's display form: "(415) 555-0100" for NANP numbers, the E.164 form otherwise. */
  static String friendlyName(String e164) {
    if (e164.startsWith("+1") && e164.length() == 12) {
      return "(" + e164.substring(2, 5) + ") " + e164.substring(5, 8) + "-" + e164.substring(8);
    }
    return e164;
  }

  static JsonObject availableView(String e164) {
    boolean nanp = e164.startsWith("+1");
    return new JsonObject()
        .put("friendly_name", friendlyName(e164))
        .put("phone_number", e164)
        .put("lata", null)
        .put("locality", null)
        .put("rate_center", null)
        .put("latitude", null)
        .put("longitude", null)
        .put("region", nanp ? null : "London")
        .put("postal_code", null)
        .put("iso_country", isoCountry(e164))
        .put("address_requirements", "none")
        .put("beta", false)
        .put("capabilities", new JsonObject().put("voice", true).put("SMS", true).put("MMS", nanp).put("fax", false));
  }

  private static List<String> candidates(String country, Type type, String areaCode) {
    List<String> all = new ArrayList<>();
    boolean nanp = country.equals("US") || country.equals("CA");
    if (nanp && type == Type.LOCAL) {
      List<String> codes = areaCode != null ? List.of(areaCode) : DEFAULT_AREA_CODES;
      for (String code : codes) {
        if (!TOLL_FREE_PREFIXES.contains(code)) {
          range(all, "+1" + code + "55501", 100, 2);
        }
      }
    } else if (nanp && type == Type.TOLL_FREE) {
      for (String prefix : TOLL_FREE_PREFIXES) {
        if (areaCode == null || areaCode.equals(prefix)) {
          range(all, "+1" + prefix + "55501", 100, 2);
        }
      }
    } else if (country.equals("GB") && type == Type.LOCAL && areaCode == null) {
      range(all, "+4420794600", 100, 2);
    } else if (country.equals("GB") && type == Type.MOBILE && areaCode == null) {
      range(all, "+447700900", 100, 3);
    }
    return all;
  }

  private static void range(List<String> into, String prefix, int count, int digits) {
    for (int i = 0; i < count; i++) {
      into.add(prefix + String.format("%0" + digits + "d", i));
    }
  }

  /** Twilio's Contains: digits, '*' for any one digit, letters mapped to phone keypad digits; matched anywhere. */
  private static Pattern containsPattern(String contains) {
    if (contains == null || contains.isBlank()) {
      return null;
    }
    StringBuilder regex = new StringBuilder();
    for (char c : contains.trim().toUpperCase(Locale.ROOT).toCharArray()) {
      if (c >= '0' && c <= '9') {
        regex.append(c);
      } else if (c == '*') {
        regex.append("[0-9]");
      } else if (c >= 'A' && c <= 'Z') {
        regex.append(keypad(c));
      } else if (c != '+' && c != '-' && c != ' ') {
        throw TwilioException.invalid("Contains may hold only digits, letters and '*'");
      }
    }
    return regex.length() == 0 ? null : Pattern.compile(regex.toString());
  }

  private static char keypad(char letter) {
    String keys = "22233344455566677778889999";
    return keys.charAt(letter - 'A');
  }
}
