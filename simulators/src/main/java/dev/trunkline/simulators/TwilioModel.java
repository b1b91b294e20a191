package dev.trunkline.simulators;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Twilio simulator's resources. Plain mutable holders, only touched while holding the {@link TwilioState} lock;
 * {@link TwilioViews} renders them in Twilio's reply shapes. Insertion-ordered maps give lists in creation order.
 */
final class TwilioModel {

  private TwilioModel() {
  }

  static final class Account {
    final String sid;
    final String authToken;
    final Instant created = Instant.now();
    final Map<String, Trunk> trunks = new LinkedHashMap<>();
    final Map<String, CredentialList> credentialLists = new LinkedHashMap<>();
    final Map<String, IncomingNumber> numbers = new LinkedHashMap<>();

    Account(String sid, String authToken) {
      this.sid = sid;
      this.authToken = authToken;
    }
  }

  static final class Trunk {
    final String sid;
    final String accountSid;
    final Instant created = Instant.now();
    Instant updated = created;
    String friendlyName;
    String domainName;
    String disasterRecoveryUrl;
    String disasterRecoveryMethod;
    String transferMode = "disable-all";
    String transferCallerId = "from-transferee";
    boolean secure;
    boolean cnamLookupEnabled;
    /** Associated SIP credential lists: sid -> when the association was made. */
    final Map<String, Instant> credentialLists = new LinkedHashMap<>();
    final Map<String, OriginationUrl> originationUrls = new LinkedHashMap<>();

    Trunk(String sid, String accountSid) {
      this.sid = sid;
      this.accountSid = accountSid;
    }
  }

  static final class OriginationUrl {
    final String sid;
    final Instant created = Instant.now();
    Instant updated = created;
    long weight;
    long priority;
    boolean enabled;
    String friendlyName;
    String sipUrl;

    OriginationUrl(String sid) {
      this.sid = sid;
    }
  }

  static final class CredentialList {
    final String sid;
    final Instant created = Instant.now();
    Instant updated = created;
    String friendlyName;
    final Map<String, Credential> credentials = new LinkedHashMap<>();

    CredentialList(String sid) {
      this.sid = sid;
    }
  }

  static final class Credential {
    final String sid;
    final String username;
    final Instant created = Instant.now();
    Instant updated = created;
    /** Held only here; no view renders it. */
    String password;

    Credential(String sid, String username) {
      this.sid = sid;
      this.username = username;
    }
  }

  static final class IncomingNumber {
    final String sid;
    final String phoneNumber;
    final String type;
    final Instant created = Instant.now();
    Instant updated = created;
    Instant trunkAssociated;
    String friendlyName;
    String trunkSid;
    String addressSid;
    String emergencyAddressSid;
    String bundleSid;
    String identitySid;
    String voiceUrl;
    String voiceMethod = "POST";
    String smsUrl;
    String smsMethod = "POST";
    String statusCallback;
    String voiceReceiveMode = "voice";

    IncomingNumber(String sid, String phoneNumber, String type) {
      this.sid = sid;
      this.phoneNumber = phoneNumber;
      this.type = type;
    }
  }
}
