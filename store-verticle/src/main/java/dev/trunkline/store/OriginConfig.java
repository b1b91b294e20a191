package dev.trunkline.store;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the origin Node service keeps the Twilio account in a {@code connectorsubaccount} document. Its code has
 * written several shapes over time and reads all of them, so Trunkline must too:
 * <ul>
 *   <li>the SID at {@code config.SID} or {@code config.accountSid}, the token at {@code config.AuthToken} or
 *       {@code config.authToken} (the first name present wins, as in the origin);
 *   <li>either may be encrypted ({@code encryptConfig} encrypts every string field, the SID included); the IV and
 *       the tag of field {@code f} are looked up, each on its own, at {@code metadata.<f>IV} (what the origin
 *       writes today), {@code config.metadata.<f>IV}, {@code config.<f>IV}, then {@code config.sidIV} /
 *       {@code config.tokenIV} (and {@code ...AuthTag});
 *   <li>a field with neither IV nor tag is plain text;
 *   <li>{@code isActive: false} is a disconnected connector.
 * </ul>
 * Trunkline's own shape ({@code config.accountSid} in plain text, {@code config.authToken} an envelope) is one of
 * these, so a document is read the same way before and after adoption.
 */
final class OriginConfig {
  static final String SID_LABEL = "twilioAccountSid";
  private static final List<String> SID_NAMES = List.of("SID", "accountSid");
  private static final List<String> TOKEN_NAMES = List.of("AuthToken", "authToken");

  /** One config field as stored: its name under {@code config}, raw value, and its IV and tag if found. */
  record Field(String name, Object value, String iv, String tag) {
    /** Not an envelope and not plain text: the origin's hex ciphertext (or half of its parameters). */
    boolean originEncrypted() {
      return iv != null || tag != null;
    }

    boolean present() {
      return ConnectorDocs.present(value);
    }
  }

  private OriginConfig() {}

  static Field sid(JsonObject doc) {
    return locate(doc, SID_NAMES, "sid");
  }

  static Field token(JsonObject doc) {
    return locate(doc, TOKEN_NAMES, "token");
  }

  /** False only for an explicit {@code isActive: false}: Trunkline's documents have no such field. */
  static boolean active(JsonObject doc) {
    return !Boolean.FALSE.equals(doc.getValue("isActive"));
  }

  /** The Account SID when it is readable without decryption (plain text, active connector), else null. */
  static String plainSid(JsonObject doc) {
    if (doc == null || !active(doc)) {
      return null;
    }
    Field sid = sid(doc);
    return sid.present() && !sid.originEncrypted() && sid.value() instanceof String s ? s : null;
  }

  /** Whether an active connector stores an auth token under either name, in any format. */
  static boolean tokenPresent(JsonObject doc) {
    return doc != null && active(doc) && token(doc).present();
  }

  /**
   * Whether the document is not yet in Trunkline's shape: an origin field name, an encrypted SID, or a token that
   * is not an envelope. Inactive connectors are left as they are (nothing reads them).
   */
  static boolean needsAdoption(JsonObject doc) {
    if (doc == null || !active(doc)) {
      return false;
    }
    Field sid = sid(doc);
    Field token = token(doc);
    return sid.present() && (!"accountSid".equals(sid.name()) || sid.originEncrypted())
        || token.present() && !Vault.isEnvelope(token.value());
  }

  /**
   * Every field the origin may have used for the SID and the token and their IVs and tags, except Trunkline's
   * own {@code config.accountSid} and {@code config.authToken}: removed when a document is adopted or a new
   * account is put, so no stale origin value is read again.
   */
  static List<String> originPaths() {
    List<String> paths = new ArrayList<>();
    paths.add("config.SID");
    paths.add("config.AuthToken");
    for (String name : SID_NAMES) {
      paths.addAll(parameterPaths(name, "sid", "IV"));
      paths.addAll(parameterPaths(name, "sid", "AuthTag"));
    }
    for (String name : TOKEN_NAMES) {
      paths.addAll(parameterPaths(name, "token", "IV"));
      paths.addAll(parameterPaths(name, "token", "AuthTag"));
    }
    return paths.stream().distinct().toList();
  }

  private static Field locate(JsonObject doc, List<String> names, String shortName) {
    String name = names.stream()
        .filter(n -> ConnectorDocs.present(ConnectorDocs.get(doc, "config." + n)))
        .findFirst().orElse(names.get(names.size() - 1));
    return new Field(name, ConnectorDocs.get(doc, "config." + name),
        first(doc, parameterPaths(name, shortName, "IV")), first(doc, parameterPaths(name, shortName, "AuthTag")));
  }

  /** The places of one parameter (IV or AuthTag) of field {@code name}, in the origin's lookup order. */
  private static List<String> parameterPaths(String name, String shortName, String suffix) {
    return List.of("metadata." + name + suffix, "config.metadata." + name + suffix, "config." + name + suffix,
        "config." + shortName + suffix);
  }

  private static String first(JsonObject doc, List<String> paths) {
    for (String path : paths) {
      String value = ConnectorDocs.getString(doc, path);
      if (value != null && !value.isEmpty()) {
        return value;
      }
    }
    return null;
  }
}
