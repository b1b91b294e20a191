package dev.trunkline.twilio.trunk;

import dev.trunkline.contract.StoreMessages.Trunk;

/**
 * Builds the partial {@link Trunk} that the store's trunk.put merges: only the fields set here are written
 * ("" clears one), so setup and rotation each store just the SIDs they learned.
 */
final class TrunkPatch {
  private String trunkSid;
  private String friendlyName;
  private String domainName;
  private String terminationUri;
  private String credentialListSid;
  private String credentialSid;
  private String previousCredentialSid;
  private String originationUrlSid;
  private String username;
  private String addressSid;
  private String emergencyAddressSid;
  private String bundleSid;

  TrunkPatch trunkSid(String v) { trunkSid = v; return this; }
  TrunkPatch friendlyName(String v) { friendlyName = v; return this; }
  TrunkPatch domainName(String v) { domainName = v; return this; }
  TrunkPatch terminationUri(String v) { terminationUri = v; return this; }
  TrunkPatch credentialListSid(String v) { credentialListSid = v; return this; }
  TrunkPatch credentialSid(String v) { credentialSid = v; return this; }
  TrunkPatch previousCredentialSid(String v) { previousCredentialSid = v; return this; }
  TrunkPatch originationUrlSid(String v) { originationUrlSid = v; return this; }
  TrunkPatch username(String v) { username = v; return this; }
  TrunkPatch addressSid(String v) { addressSid = v; return this; }
  TrunkPatch emergencyAddressSid(String v) { emergencyAddressSid = v; return this; }
  TrunkPatch bundleSid(String v) { bundleSid = v; return this; }

  Trunk build() {
    return new Trunk(trunkSid, friendlyName, domainName, terminationUri, credentialListSid, credentialSid,
        previousCredentialSid, originationUrlSid, username, addressSid, emergencyAddressSid, bundleSid);
  }
}
