package dev.trunkline.contract;

import java.util.regex.Pattern;

/**
 * The shapes of identifiers and inputs that more than one module checks: the one place they are written down. The
 * gateway's openapi.yaml states the same patterns for its inputs (OpenApiContractTest compares them with these), the
 * services check what reaches them on the bus with these, and the Twilio client checks every SID it puts in a path.
 * The simulators are not held to these: they follow the upstream's own documents.
 */
public final class Identifiers {
  /** A tenant ("subaccount") id: a MongoDB ObjectId in hex. */
  public static final Pattern SUBACCOUNT_ID = Pattern.compile("^[0-9a-fA-F]{24}$");
  /** E.164: a plus, a non-zero digit, at most 15 digits in all. */
  public static final Pattern E164 = Pattern.compile("^\\+[1-9][0-9]{1,14}$");

  // Twilio SIDs: two capital letters naming the resource, then 32 hex digits (the documents' own patterns).
  public static final Pattern ACCOUNT_SID = sid("AC");
  public static final Pattern TRUNK_SID = sid("TK");
  public static final Pattern ADDRESS_SID = sid("AD");
  public static final Pattern BUNDLE_SID = sid("BU");
  public static final Pattern PHONE_NUMBER_SID = sid("PN");
  public static final Pattern CREDENTIAL_LIST_SID = sid("CL");
  public static final Pattern CREDENTIAL_SID = sid("CR");
  public static final Pattern ORIGINATION_URL_SID = sid("OU");

  /** A secret a tenant hands over (Twilio auth token, Retell API key): 8 to 512 printable ASCII characters. */
  public static final Pattern ANY_SECRET = Pattern.compile("^[\\x21-\\x7E]{8,512}$");
  /**
   * A purchase's Idempotency-Key: what clients send in practice (UUIDs, ULIDs, base64, "order:42/1"), any visible
   * ASCII up to 255 characters. The store keeps it as a value, never as a field name.
   */
  public static final Pattern IDEMPOTENCY_KEY = Pattern.compile("^[\\x21-\\x7E]{1,255}$");
  public static final Pattern COUNTRY_CODE = Pattern.compile("^[A-Z]{2}$");
  /**
   * A number search's area code. Twilio applies it to US and Canadian numbers only, so it is a North American
   * area code: three digits, the first 2 to 9.
   */
  public static final Pattern AREA_CODE = Pattern.compile("^[2-9][0-9]{2}$");
  /**
   * A number search's {@code contains}: digits, letters (vanity) and the * wildcard, 2 to 16 characters (Twilio's
   * AvailablePhoneNumbers document; its other meta-characters are not offered).
   */
  public static final Pattern CONTAINS = Pattern.compile("^[0-9A-Za-z*]{2,16}$");
  public static final Pattern NUMBER_TYPE = Pattern.compile("^(local|mobile|tollFree)$");
  /** A long operation's id (a UUID, as the provisioning service mints them). */
  public static final Pattern OPERATION_ID =
      Pattern.compile("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$");
  /** A long operation's result number: the pages' {@code after} and the event stream's {@code Last-Event-ID}. */
  public static final Pattern OPERATION_SEQ = Pattern.compile("^[0-9]{1,18}$");

  private Identifiers() {}

  private static Pattern sid(String prefix) {
    return Pattern.compile("^" + prefix + "[0-9a-fA-F]{32}$");
  }

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
