package dev.trunkline.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trunkline.contract.StoreMessages.Trunk;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** A connector document as the store wrote it before the trunk record had a builder still reads the same. */
class StoredTrunkShapeTest {
  private static final String OLD_DOCUMENT = """
      {"subaccountId":"65a1b2c3d4e5f60718293a4b","connectorType":"twilio","version":7,
       "config":{"accountSid":"AC0123456789abcdef0123456789abcdef"},
       "metadata":{"retellIntegration":{
         "trunkSid":"TK0123456789abcdef0123456789abcdef","trunkFriendlyName":"trunkline-65a1",
         "trunkDomainName":"tl-65a1.pstn.twilio.com","terminationSipUri":"tl-65a1.pstn.twilio.com",
         "credentialListSid":"CL0123456789abcdef0123456789abcdef","credentialSid":"CR0123456789abcdef0123456789abcdef",
         "originationUrlSid":"OU0123456789abcdef0123456789abcdef","bundleSid":"BU0123456789abcdef0123456789abcdef",
         "transport":"TCP","sipCredentials":{"username":"tl_user"}}}}""";

  @Test
  void anOldDocumentReadsAsTheSameTrunk() {
    Trunk trunk = ConnectorDocs.trunk(new JsonObject(OLD_DOCUMENT));

    assertThat(trunk).isEqualTo(new Trunk("TK0123456789abcdef0123456789abcdef", "trunkline-65a1",
        "tl-65a1.pstn.twilio.com", "tl-65a1.pstn.twilio.com", "CL0123456789abcdef0123456789abcdef",
        "CR0123456789abcdef0123456789abcdef", null, "OU0123456789abcdef0123456789abcdef", "tl_user", null, null,
        "BU0123456789abcdef0123456789abcdef"));
  }

  @Test
  void aDocumentWithoutTrunkFieldsHasNoTrunk() {
    assertThat(ConnectorDocs.trunk(new JsonObject().put("metadata", new JsonObject()))).isNull();
    assertThat(ConnectorDocs.trunk(null)).isNull();
  }
}
