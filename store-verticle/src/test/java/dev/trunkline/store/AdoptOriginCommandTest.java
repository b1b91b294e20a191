package dev.trunkline.store;

import static dev.trunkline.contract.testing.Await.await;
import static dev.trunkline.contract.testing.SecretAssertions.assertNoSecrets;
import static dev.trunkline.contract.testing.SecretAssertions.secrets;
import static dev.trunkline.store.StoreTestSupport.assertFailure;
import static dev.trunkline.store.StoreTestSupport.call;
import static dev.trunkline.store.StoreTestSupport.failure;
import static dev.trunkline.store.StoreTestSupport.newTenant;
import static dev.trunkline.store.StoreTestSupport.sid;
import static org.assertj.core.api.Assertions.assertThat;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import dev.trunkline.contract.Addresses.Store;
import dev.trunkline.contract.Secret;
import dev.trunkline.contract.StoreMessages.Connector;
import dev.trunkline.contract.StoreMessages.PasswordState;
import dev.trunkline.contract.StoreMessages.PutTwilioAccount;
import dev.trunkline.contract.StoreMessages.RetellKey;
import dev.trunkline.contract.StoreMessages.SipCredentials;
import dev.trunkline.contract.StoreMessages.TwilioAccount;
import dev.trunkline.contract.TenantRef;
import dev.trunkline.contract.testing.LogCapture;
import dev.trunkline.contract.testing.OriginFormat;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.MongoClient;
import io.vertx.junit5.VertxExtension;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code adopt-origin} (issue 19): origin tenants built with the origin's own algorithms ({@link OriginFormat}) in
 * an origin MongoDB (a second wire server on its own port), a tenant manager export with AES-256-CBC Retell keys;
 * the command writes them through the store's addresses, and the store then answers with the origin's values. A
 * wrong key or an altered ciphertext names tenant and field and writes nothing; a dry run writes nothing; a second
 * run changes nothing; secrets never reach the output or the logs.
 */
@ExtendWith(VertxExtension.class)
class AdoptOriginCommandTest {
  private static final String ORIGIN_KEY = "origin-ENCRYPTION_KEY-for-the-command";
  private static final String TOKEN_A = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";
  private static final String TOKEN_B = "99887766554433221100ffeeddccbbaa";
  private static final String SIP_PASSWORD = "Origin-Sip-Pass-42";
  private static final String RETELL_A = "key_4f1e9a0b7c6d5e4f3a2b1c0d";
  private static final String RETELL_D = "key_d0d0d0d0c1c1c1c1b2b2b2b2";
  private static final String DATABASE = "scalai_origin";

  @TempDir
  Path dataDir;
  @TempDir
  Path work;
  private final String keys = "k1:" + StoreTestSupport.newKeyBase64();
  private MongoServer originServer;
  private String originUri;
  private MongoClient origin;
  private final List<String> out = Collections.synchronizedList(new ArrayList<>());

  // Tenant A: encrypted SID and token (what encryptConfig writes today), trunk and encrypted SIP password, Retell
  // key in the export. B: plain SID, token IV and tag under the short name, a SIP username without password.
  // C: an inactive connector (the origin ignores it). D: only a Retell key in the export.
  private final String tenantA = newTenant();
  private final String tenantB = newTenant();
  private final String tenantC = newTenant();
  private final String tenantD = newTenant();
  private final String sidA = sid("AC");
  private final String sidB = sid("AC");
  private final String trunkA = sid("TK");
  private final String credentialListA = sid("CL");
  private final String credentialA = sid("CR");
  private final String trunkB = sid("TK");

  @BeforeEach
  void startOrigin(Vertx vertx) {
    originServer = new MongoServer(new MemoryBackend());
    originServer.bind("127.0.0.1", 0);
    InetSocketAddress address = originServer.getLocalAddress();
    originUri = "mongodb://127.0.0.1:" + address.getPort();
    // ObjectId _ids, as Mongoose gives the origin's documents.
    origin = MongoClient.create(vertx, new JsonObject().put("connection_string", originUri).put("db_name", DATABASE)
        .put("useObjectId", true));
  }

  @AfterEach
  void stopOrigin() {
    await(origin.close());
    originServer.shutdownNow();
  }

  @Test
  void everyTenantIsAdoptedThroughTheStoreAndASecondRunChangesNothing(Vertx vertx) throws Exception {
    Path export = originTenants(false, false);
    AdoptOriginCommand.Report report;
    List<String> logLines;
    try (LogCapture logs = LogCapture.start()) {
      report = run(vertx, options(export, ORIGIN_KEY, false, false));
      logLines = logs.lines(LogCapture.DATABASE_WIRE);
    }
    assertThat(report).as("output: %s", out).isEqualTo(new AdoptOriginCommand.Report(3, 3, 0, 0, false));
    assertThat(out).contains(
        "tenant " + tenantA + ": adopted trunk and SIP credential scalai_a (password known), Twilio account " + sidA
            + ", Retell API key",
        "tenant " + tenantB + ": adopted trunk and SIP credential scalai_b (password unknown: setup gives it a new "
            + "one), Twilio account " + sidB,
        "tenant " + tenantD + ": adopted Retell API key",
        "done: tenants 3, adopted 3, already present 0, failed 0");
    assertThat(out).noneMatch(line -> line.contains(tenantC));
    assertNoSecrets("the command's output", out, allSecrets());
    assertNoSecrets("a captured log line", logLines, allSecrets());

    StoreTestSupport.deploy(vertx, storeConfig());
    TwilioAccount a = call(vertx, Store.TWILIO_ACCOUNT_GET, new TenantRef(tenantA), TwilioAccount.class);
    assertThat(a.accountSid()).isEqualTo(sidA);
    assertThat(a.authToken().reveal()).isEqualTo(TOKEN_A);
    SipCredentials sipA = call(vertx, Store.SIP_GET, new TenantRef(tenantA), SipCredentials.class);
    assertThat(sipA.username()).isEqualTo("scalai_a");
    assertThat(sipA.password().reveal()).isEqualTo(SIP_PASSWORD);
    Connector connectorA = call(vertx, Store.CONNECTOR_GET, new TenantRef(tenantA), Connector.class);
    assertThat(connectorA.trunk().trunkSid()).isEqualTo(trunkA);
    assertThat(connectorA.trunk().credentialListSid()).isEqualTo(credentialListA);
    assertThat(connectorA.trunk().credentialSid()).as("the origin's credential, no second one").isEqualTo(credentialA);
    assertThat(connectorA.trunk().previousCredentialSid()).isNull();
    assertThat(call(vertx, Store.RETELL_KEY_GET, new TenantRef(tenantA), RetellKey.class).apiKey().reveal())
        .isEqualTo(RETELL_A);
    Connector connectorB = call(vertx, Store.CONNECTOR_GET, new TenantRef(tenantB), Connector.class);
    assertThat(connectorB.twilioAccountSid()).isEqualTo(sidB);
    assertThat(connectorB.trunk().trunkSid()).isEqualTo(trunkB);
    assertThat(connectorB.passwordState()).isEqualTo(PasswordState.UNKNOWN);
    assertThat(call(vertx, Store.TWILIO_ACCOUNT_GET, new TenantRef(tenantB), TwilioAccount.class).authToken()
        .reveal()).isEqualTo(TOKEN_B);
    assertThat(call(vertx, Store.RETELL_KEY_GET, new TenantRef(tenantD), RetellKey.class).apiKey().reveal())
        .isEqualTo(RETELL_D);
    assertFailure(failure(vertx, Store.CONNECTOR_GET, new TenantRef(tenantC)), 404, "CONNECTOR_NOT_FOUND");
    List<JsonObject> stored = trunklineDocs(vertx);
    assertNoSecrets("the stored documents", stored.toString(), allSecrets());
    await(vertx.undeploy(vertx.deploymentIDs().iterator().next()));

    out.clear();
    report = run(vertx, options(export, ORIGIN_KEY, false, false));
    assertThat(report).as("output: %s", out).isEqualTo(new AdoptOriginCommand.Report(3, 0, 3, 0, false));
    assertThat(out).contains("tenant " + tenantD + ": already in Trunkline, nothing to write (Retell API key)");
    assertThat(trunklineDocs(vertx)).as("the second run wrote nothing").isEqualTo(stored);
  }

  @Test
  void aWrongKeyNamesTenantAndFieldAndWritesNothing(Vertx vertx) throws Exception {
    Path export = originTenants(false, false);
    AdoptOriginCommand.Report report = run(vertx, options(export, "not-the-origin-key", false, false));
    assertThat(report).as("output: %s", out).isEqualTo(new AdoptOriginCommand.Report(3, 0, 0, 3, false));
    assertThat(out).contains(
        "tenant " + tenantA + ": cannot adopt: cannot decrypt twilioAccountSid of tenant " + tenantA
            + ": legacy authentication failed (wrong legacyEncryptionKey, or the ciphertext was altered)",
        "tenant " + tenantB + ": cannot adopt: cannot decrypt twilioAuthToken of tenant " + tenantB
            + ": legacy authentication failed (wrong legacyEncryptionKey, or the ciphertext was altered)",
        "tenant " + tenantD + ": cannot adopt: cannot decrypt retellApiKey of tenant " + tenantD
            + ": the legacy ciphertext does not decrypt to an API key (wrong legacyEncryptionKey, or the ciphertext"
            + " was altered)");
    assertNoSecrets("the command's output", out, allSecrets());
    assertThat(trunklineDocs(vertx)).as("nothing written").isEmpty();
  }

  @Test
  void anAlteredCiphertextNamesItsFieldAndWritesNothingOfTheTenant(Vertx vertx) throws Exception {
    Path export = originTenants(true, true);
    AdoptOriginCommand.Report report = run(vertx, options(export, ORIGIN_KEY, false, false));
    assertThat(report).as("output: %s", out).isEqualTo(new AdoptOriginCommand.Report(3, 1, 0, 2, false));
    assertThat(out).contains(
        "tenant " + tenantA + ": cannot adopt: cannot decrypt sipPassword of tenant " + tenantA
            + ": legacy authentication failed (wrong legacyEncryptionKey, or the ciphertext was altered)",
        "tenant " + tenantD + ": cannot adopt: cannot decrypt retellApiKey of tenant " + tenantD
            + ": the legacy ciphertext does not decrypt to an API key (wrong legacyEncryptionKey, or the ciphertext"
            + " was altered)");
    assertNoSecrets("the command's output", out, allSecrets());
    List<JsonObject> stored = trunklineDocs(vertx);
    assertThat(stored).as("only tenant B is written").allMatch(doc -> tenantB.equals(doc.getString("subaccountId")))
        .isNotEmpty();
  }

  @Test
  void aDryRunSaysWhatItWouldAdoptAndWhatItCannotReadAndWritesNothing(Vertx vertx) throws Exception {
    Path export = originTenants(false, true);
    AdoptOriginCommand.Report report = run(vertx, options(export, ORIGIN_KEY, true, false));
    assertThat(report).as("output: %s", out).isEqualTo(new AdoptOriginCommand.Report(3, 2, 0, 1, true));
    assertThat(out).contains(
        "tenant " + tenantA + ": would adopt trunk and SIP credential scalai_a (password known), Twilio account "
            + sidA + ", Retell API key",
        "tenant " + tenantB + ": would adopt trunk and SIP credential scalai_b (password unknown: setup gives it a "
            + "new one), Twilio account " + sidB,
        "tenant " + tenantD + ": cannot adopt: cannot decrypt retellApiKey of tenant " + tenantD
            + ": the legacy ciphertext does not decrypt to an API key (wrong legacyEncryptionKey, or the ciphertext"
            + " was altered)",
        "dry run, nothing written: tenants 3, adopted 2, already present 0, failed 1");
    assertNoSecrets("the command's output", out, allSecrets());
    assertThat(trunklineDocs(vertx)).as("nothing written").isEmpty();
  }

  @Test
  void aTenantTrunklineHasIsKeptUnlessOverwriteIsAsked(Vertx vertx) throws Exception {
    Path export = originTenants(false, false);
    String ownSid = sid("AC");
    String ownToken = "fedcba9876543210fedcba9876543210";
    StoreTestSupport.deploy(vertx, storeConfig());
    call(vertx, Store.TWILIO_ACCOUNT_PUT, new PutTwilioAccount(tenantB, ownSid, Secret.of(ownToken)),
        Connector.class);
    await(vertx.undeploy(vertx.deploymentIDs().iterator().next()));

    run(vertx, options(export, ORIGIN_KEY, false, false));
    assertThat(out).contains("tenant " + tenantB + ": adopted trunk and SIP credential scalai_b (password unknown: "
        + "setup gives it a new one); already in Trunkline, kept: Twilio account " + sidB);
    assertThat(twilioAccount(vertx, tenantB).accountSid()).isEqualTo(ownSid);

    out.clear();
    AdoptOriginCommand.Report report = run(vertx, options(export, ORIGIN_KEY, false, true));
    assertThat(report).as("output: %s", out).isEqualTo(new AdoptOriginCommand.Report(3, 3, 0, 0, false));
    TwilioAccount b = twilioAccount(vertx, tenantB);
    assertThat(b.accountSid()).isEqualTo(sidB);
    assertThat(b.authToken().reveal()).isEqualTo(TOKEN_B);
    StoreTestSupport.deploy(vertx, storeConfig());
    SipCredentials sipA = call(vertx, Store.SIP_GET, new TenantRef(tenantA), SipCredentials.class);
    assertThat(sipA.password().reveal()).as("overwritten with the same credential").isEqualTo(SIP_PASSWORD);
  }

  @Test
  void aDatabasePerSubaccountAndManyTenantsArePagedWithProgressLines(Vertx vertx) throws Exception {
    // More tenants than one page of the origin query, so paging by ObjectId must carry on where it stopped.
    int many = AdoptOriginCommand.PAGE + 5;
    OriginFormat.Encrypted token = OriginFormat.encrypt(ORIGIN_KEY, TOKEN_A);
    List<String> tenants = new ArrayList<>();
    for (int i = 0; i < many; i++) {
      String tenant = newTenant();
      tenants.add(tenant);
      JsonObject doc = originDoc(tenant);
      doc.getJsonObject("config").put("accountSid", sid("AC")).put("authToken", token.hex());
      doc.getJsonObject("metadata").put("authTokenIV", token.ivHex()).put("authTokenAuthTag", token.tagHex());
      await(origin.insert("connectorsubaccount", doc));
    }
    // A tenant in a database of its own, beside a stray document of another tenant that must not be read there.
    String own = newTenant();
    MongoClient ownDb = MongoClient.create(vertx, new JsonObject().put("connection_string", originUri)
        .put("db_name", "tenant_" + own));
    JsonObject ownDoc = originDoc(own);
    // An empty trunk state, as the origin leaves it before setup: no trunk to write, now or on a second run.
    ownDoc.getJsonObject("metadata").put("retellIntegration", new JsonObject().put("sipCredentials", new JsonObject()));
    putEncrypted(ownDoc, "SID", sidA);
    putEncrypted(ownDoc, "AuthToken", TOKEN_B);
    await(ownDb.insert("connectorsubaccount", ownDoc));
    JsonObject stray = originDoc(newTenant());
    stray.getJsonObject("config").put("accountSid", sid("AC")).put("authToken", token.hex());
    await(ownDb.insert("connectorsubaccount", stray));
    await(ownDb.close());

    AdoptOriginCommand.Options options = new AdoptOriginCommand.Options(List.of(
        new AdoptOriginCommand.Source(null, originUri, DATABASE),
        new AdoptOriginCommand.Source(own, originUri, "tenant_" + own)), null, ORIGIN_KEY, false, false, 50);
    AdoptOriginCommand.Report report = run(vertx, options);

    assertThat(report).as("output: %s", out).isEqualTo(new AdoptOriginCommand.Report(many + 1, many + 1, 0, 0,
        false));
    assertThat(out).filteredOn(line -> line.startsWith("progress: ")).containsExactly(
        "progress: 50 tenants (adopted 50, already present 0, failed 0)",
        "progress: 100 tenants (adopted 100, already present 0, failed 0)");
    assertThat(out).noneMatch(line -> line.contains(originUri));
    assertNoSecrets("the command's output", out, allSecrets());
    assertThat(trunklineDocs(vertx)).extracting(doc -> doc.getString("subaccountId"))
        .containsExactlyInAnyOrderElementsOf(concat(tenants, own));
    assertThat(twilioAccount(vertx, own).authToken().reveal()).isEqualTo(TOKEN_B);
    assertThat(out).contains("tenant " + own + ": adopted Twilio account " + sidA);

    out.clear();
    assertThat(run(vertx, options)).as("a second run; output: %s", out)
        .isEqualTo(new AdoptOriginCommand.Report(many + 1, 0, many + 1, 0, false));
  }

  private static List<String> concat(List<String> list, String one) {
    List<String> all = new ArrayList<>(list);
    all.add(one);
    return all;
  }

  private TwilioAccount twilioAccount(Vertx vertx, String tenant) {
    String id = StoreTestSupport.deploy(vertx, storeConfig());
    try {
      return call(vertx, Store.TWILIO_ACCOUNT_GET, new TenantRef(tenant), TwilioAccount.class);
    } finally {
      await(vertx.undeploy(id));
    }
  }

  /**
   * Writes tenants A to D into the origin database and the tenant manager's export.
   *
   * @param alterSip flip a hex digit of A's SIP password ciphertext
   * @param alterRetell flip a hex digit in the first block of D's Retell ciphertext (CBC: the padding still
   *     passes, only the plaintext is garbled)
   */
  private Path originTenants(boolean alterSip, boolean alterRetell) throws Exception {
    JsonObject a = originDoc(tenantA);
    putEncrypted(a, "SID", sidA);
    putEncrypted(a, "AuthToken", TOKEN_A);
    OriginFormat.Encrypted password = OriginFormat.encrypt(ORIGIN_KEY, SIP_PASSWORD);
    a.getJsonObject("metadata").put("retellIntegration", new JsonObject()
        .put("trunkSid", trunkA).put("credentialListSid", credentialListA).put("credentialSid", credentialA)
        .put("terminationSipUri", "scalaia.pstn.twilio.com")
        .put("sipCredentials", new JsonObject().put("username", "scalai_a")
            .put("password", alterSip ? flip(password.hex(), 0) : password.hex())
            .put("passwordIV", password.ivHex()).put("passwordAuthTag", password.tagHex())));
    JsonObject b = originDoc(tenantB);
    b.getJsonObject("config").put("accountSid", sidB);
    OriginFormat.Encrypted token = OriginFormat.encrypt(ORIGIN_KEY, TOKEN_B);
    b.getJsonObject("config").put("authToken", token.hex()).put("tokenIV", token.ivHex())
        .put("tokenAuthTag", token.tagHex());
    b.getJsonObject("metadata").put("retellIntegration", new JsonObject().put("trunkSid", trunkB)
        .put("sipCredentials", new JsonObject().put("username", "scalai_b")));
    JsonObject c = originDoc(tenantC).put("isActive", false);
    c.getJsonObject("config").put("accountSid", sid("AC"));
    putEncrypted(c, "authToken", TOKEN_A);
    for (JsonObject doc : List.of(a, b, c)) {
      await(origin.insert("connectorsubaccount", doc));
    }
    OriginFormat.Encrypted retellA = OriginFormat.encryptRetellKey(ORIGIN_KEY, RETELL_A);
    OriginFormat.Encrypted retellD = OriginFormat.encryptRetellKey(ORIGIN_KEY, RETELL_D);
    JsonArray export = new JsonArray()
        .add(retellEntry(tenantA, retellA.hex(), retellA.ivHex()))
        .add(retellEntry(tenantD, alterRetell ? flip(retellD.hex(), 3) : retellD.hex(), retellD.ivHex()));
    Path file = work.resolve("retell-accounts.json");
    Files.writeString(file, export.encodePrettily());
    return file;
  }

  private static JsonObject retellEntry(String tenant, String apiKey, String iv) {
    return new JsonObject().put("subaccountId", tenant).put("apiKey", apiKey).put("encryptionIV", iv)
        .put("encryptionAuthTag", "0123456789abcdef0123456789abcdef").put("name", "Retell " + tenant);
  }

  private static String flip(String hex, int at) {
    char c = hex.charAt(at);
    return hex.substring(0, at) + (c == '0' ? '1' : '0') + hex.substring(at + 1);
  }

  /** As the origin's encryptConfig stores a field today: IV and tag at document-level metadata. */
  private static void putEncrypted(JsonObject doc, String name, String value) throws Exception {
    OriginFormat.Encrypted e = OriginFormat.encrypt(ORIGIN_KEY, value);
    doc.getJsonObject("config").put(name, e.hex());
    doc.getJsonObject("metadata").put(name + "IV", e.ivHex()).put(name + "AuthTag", e.tagHex());
  }

  private static JsonObject originDoc(String tenant) {
    return new JsonObject().put("subaccountId", tenant).put("connectorId", "64f0c0ffee0000000000abcd")
        .put("connectorType", "twilio").put("isActive", true).put("config", new JsonObject())
        .put("metadata", new JsonObject());
  }

  private AdoptOriginCommand.Options options(Path export, String originKey, boolean dryRun, boolean overwrite) {
    return new AdoptOriginCommand.Options(List.of(new AdoptOriginCommand.Source(null, originUri, DATABASE)), export,
        originKey, dryRun, overwrite, 2);
  }

  private AdoptOriginCommand.Report run(Vertx vertx, AdoptOriginCommand.Options options) {
    return await(AdoptOriginCommand.run(vertx, storeConfig(), options, out::add, StoreTestSupport.TIMEOUT_MS));
  }

  private JsonObject storeConfig() {
    return StoreTestSupport.config(dataDir, keys);
  }

  /** Trunkline's connector documents, read raw from its embedded database (no store verticle running). */
  private List<JsonObject> trunklineDocs(Vertx vertx) {
    EmbeddedMongo server = StoreTestSupport.embedded(vertx, dataDir);
    MongoClient raw = StoreTestSupport.rawClient(vertx, server);
    try {
      return await(raw.find("connectorsubaccount", new JsonObject()));
    } finally {
      await(raw.close());
      await(server.release());
    }
  }

  private static Map<String, String> allSecrets() {
    Map<String, String> all = new HashMap<>(secrets("token A", TOKEN_A, "token B", TOKEN_B, "SIP password",
        SIP_PASSWORD, "Retell key A", RETELL_A, "Retell key D", RETELL_D));
    all.put("the origin's key", ORIGIN_KEY);
    return all;
  }
}
