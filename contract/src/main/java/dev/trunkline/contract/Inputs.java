package dev.trunkline.contract;

import java.util.regex.Pattern;

/** The shapes of identifiers every module validates the same way. */
public final class Inputs {
  /** A tenant ("subaccount") id: a MongoDB ObjectId in hex. */
  public static final Pattern SUBACCOUNT_ID = Pattern.compile("^[0-9a-fA-F]{24}$");
  /** E.164: a plus, a non-zero digit, at most 15 digits in all. */
  public static final Pattern E164 = Pattern.compile("^\\+[1-9][0-9]{1,14}$");
  public static final Pattern ACCOUNT_SID = Pattern.compile("^AC[0-9a-fA-F]{32}$");
  public static final Pattern TRUNK_SID = Pattern.compile("^TK[0-9a-fA-F]{32}$");
  public static final Pattern ADDRESS_SID = Pattern.compile("^AD[0-9a-fA-F]{32}$");
  public static final Pattern BUNDLE_SID = Pattern.compile("^BU[0-9a-fA-F]{32}$");
  public static final Pattern PHONE_NUMBER_SID = Pattern.compile("^PN[0-9a-fA-F]{32}$");
  /** A secret a tenant hands over (Twilio auth token, Retell API key): 8 to 512 printable ASCII characters. */
  public static final Pattern ANY_SECRET = Pattern.compile("^[\\x21-\\x7E]{8,512}$");
  /** A purchase's Idempotency-Key. */
  public static final Pattern IDEMPOTENCY_KEY = Pattern.compile("^[A-Za-z0-9._:-]{1,128}$");
  public static final Pattern COUNTRY_CODE = Pattern.compile("^[A-Z]{2}$");
  public static final Pattern AREA_CODE = Pattern.compile("^[0-9]{1,5}$");
  /** A number search's {@code contains}: digits, letters (vanity) and the * wildcard. */
  public static final Pattern CONTAINS = Pattern.compile("^[0-9A-Za-z*]{1,16}$");
  public static final Pattern NUMBER_TYPE = Pattern.compile("^(local|mobile|tollFree)$");

  private Inputs() {}

  public static boolean isSubaccountId(String s) {
    return s != null && SUBACCOUNT_ID.matcher(s).matches();
  }

  public static boolean isE164(String s) {
    return s != null && E164.matcher(s).matches();
  }

  /** Checks a required field against a pattern; a miss is a 400 that names the field and the shape. */
  public static String require(String field, String value, Pattern pattern, String expected) {
    if (value == null || !pattern.matcher(value).matches()) {
      throw ServiceException.badRequest("INVALID_" + field.replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase(),
          field + " must be " + expected);
    }
    return value;
  }

  public static String requireSubaccountId(String value) {
    return require("subaccountId", value, SUBACCOUNT_ID, "24 hexadecimal characters");
  }

  public static String requirePhoneNumber(String value) {
    return require("phoneNumber", value, E164, "an E.164 number such as +14155550100");
  }
}
