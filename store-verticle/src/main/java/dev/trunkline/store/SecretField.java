package dev.trunkline.store;

/**
 * The secrets the store keeps, where they live in a {@code connectorsubaccount} document and the name bound
 * into their ciphertext (AAD {@code "<subaccountId>|<label>"}), so an envelope copied to another tenant or
 * another field does not decrypt.
 */
public enum SecretField {
  TWILIO_AUTH_TOKEN("twilioAuthToken", ConnectorDocs.TWILIO, "config.authToken"),
  RETELL_API_KEY("retellApiKey", ConnectorDocs.RETELL, "config.apiKey"),
  /** The active SIP password. */
  SIP_PASSWORD("sipPassword", ConnectorDocs.TWILIO, ConnectorDocs.SIP + ".password"),
  /**
   * The write-ahead SIP password. It is the same secret kind as the active one (promotion moves the envelope
   * as it is), so it shares the AAD label.
   */
  SIP_PENDING_PASSWORD("sipPassword", ConnectorDocs.TWILIO, ConnectorDocs.SIP + ".pending.password");

  private final String label;
  private final String connectorType;
  private final String path;

  SecretField(String label, String connectorType, String path) {
    this.label = label;
    this.connectorType = connectorType;
    this.path = path;
  }

  /** The name bound into the AAD and used in error messages. */
  public String label() {
    return label;
  }

  /** The {@code connectorType} of the document that holds it. */
  public String connectorType() {
    return connectorType;
  }

  /** Dotted path of the field inside the document. */
  public String path() {
    return path;
  }
}
