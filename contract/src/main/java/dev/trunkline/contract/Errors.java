package dev.trunkline.contract;

/** The failure codes that replies on the bus carry: HTTP-like, so one mapper turns them into responses. */
public final class Errors {
  public static final int BAD_REQUEST = 400;
  public static final int NOT_FOUND = 404;
  public static final int CONFLICT = 409;
  public static final int UNPROCESSABLE = 422;
  public static final int TOO_MANY_REQUESTS = 429;
  public static final int INTERNAL = 500;
  public static final int BAD_GATEWAY = 502;
  public static final int UNAVAILABLE = 503;
  public static final int GATEWAY_TIMEOUT = 504;

  /**
   * A message that does not fit its record: a contract mismatch between two Trunkline parts, so never the client's
   * fault (ClientFailures answers it as a 500).
   */
  public static final String BAD_MESSAGE = "BAD_MESSAGE";

  private Errors() {}

  /** The default machine code for a status, used when a failure carries none of its own. */
  public static String defaultCode(int status) {
    return switch (status) {
      case BAD_REQUEST -> "INVALID_REQUEST";
      case 401 -> "UNAUTHORIZED";
      case 403 -> "FORBIDDEN";
      case NOT_FOUND -> "NOT_FOUND";
      case 405 -> "METHOD_NOT_ALLOWED";
      case CONFLICT -> "CONFLICT";
      case 413 -> "PAYLOAD_TOO_LARGE";
      case 415 -> "UNSUPPORTED_MEDIA_TYPE";
      case UNPROCESSABLE -> "UNPROCESSABLE";
      case TOO_MANY_REQUESTS -> "RATE_LIMITED";
      case BAD_GATEWAY -> "UPSTREAM_ERROR";
      case UNAVAILABLE -> "SERVICE_UNAVAILABLE";
      case GATEWAY_TIMEOUT -> "TIMEOUT";
      default -> "INTERNAL_ERROR";
    };
  }

  static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    String line = nl < 0 ? s : s.substring(0, nl);
    return line.length() > 300 ? line.substring(0, 300) : line;
  }
}
