package dev.trunkline.app;

import static dev.trunkline.contract.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import dev.trunkline.contract.Addresses;
import dev.trunkline.contract.Bus;
import dev.trunkline.contract.StoreMessages.RetellKey;
import dev.trunkline.contract.StoreMessages.SipCredentials;
import dev.trunkline.contract.StoreMessages.TwilioAccount;
import dev.trunkline.contract.TenantRef;
import dev.trunkline.contract.testing.OriginFormat;
import dev.trunkline.contract.testing.OriginFormat.Encrypted;
import dev.trunkline.contract.testing.SecretAssertions;
import dev.trunkline.contract.testing.TestEnvironment;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.MongoClient;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code java -jar trunkline.jar adopt-origin} as an operator runs it: the origin's tenant in a database of its own
 * (listed in a tenants file), its Retell key in a mongoexport of the tenant manager, the origin's key in
 * {@code TRUNKLINE_LEGACY_ENCRYPTION_KEY}; a dry run, the run, a second run with nothing to do, and the service
 * started afterwards reads the origin's values.
 */
class AdoptOriginCommandLineTest {
  private static final String ORIGIN_KEY = "origin-ENCRYPTION_KEY-command-line";
  private static final String TOKEN = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";
  private static final String SIP_PASSWORD = "Origin-Sip-Pass-77";
  private static final String RETELL_KEY = "key_0c1d2e3f4a5b6c7d8e9f0a1b";

  @TempDir
  Path dataDir;
  @TempDir
  Path work;
  private final String vaultKeys = "k1:" + TestEnvironment.newVaultKey();
  private Vertx vertx;
  private MongoServer originServer;
  private String originUri;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    originServer = new MongoServer(new MemoryBackend());
    originServer.bind("127.0.0.1", 0);
    originUri = "mongodb://127.0.0.1:" + originServer.getLocalAddress().getPort();
  }

  @AfterEach
  void stop() {
    await(vertx.close());
    originServer.shutdownNow();
  }

  @Test
  void anOriginTenantIsAdoptedByTheCommandAndReadByTheService() throws Exception {
    String tenant = TestEnvironment.newTenantId();
    String accountSid = TestEnvironment.newSid("AC");
    String credentialSid = TestEnvironment.newSid("CR");
    Encrypted sid = OriginFormat.encrypt(ORIGIN_KEY, accountSid);
    Encrypted token = OriginFormat.encrypt(ORIGIN_KEY, TOKEN);
    Encrypted password = OriginFormat.encrypt(ORIGIN_KEY, SIP_PASSWORD);
    JsonObject doc = new JsonObject().put("subaccountId", tenant).put("connectorType", "twilio")
        .put("isActive", true)
        .put("config", new JsonObject().put("SID", sid.hex()).put("AuthToken", token.hex()))
        .put("metadata", new JsonObject()
            .put("SIDIV", sid.ivHex()).put("SIDAuthTag", sid.tagHex())
            .put("AuthTokenIV", token.ivHex()).put("AuthTokenAuthTag", token.tagHex())
            .put("retellIntegration", new JsonObject().put("trunkSid", TestEnvironment.newSid("TK"))
                .put("credentialListSid", TestEnvironment.newSid("CL")).put("credentialSid", credentialSid)
                .put("sipCredentials", new JsonObject().put("username", "scalai_cli").put("password", password.hex())
                    .put("passwordIV", password.ivHex()).put("passwordAuthTag", password.tagHex()))));
    MongoClient origin = MongoClient.create(vertx, new JsonObject().put("connection_string", originUri)
        .put("db_name", "tenant_" + tenant));
    await(origin.insert("connectorsubaccount", doc));
    await(origin.close());
    Path tenants = work.resolve("tenants.txt");
    Files.writeString(tenants, "# subaccountId database [uri]\n" + tenant + " tenant_" + tenant + "\n");
    Encrypted apiKey = OriginFormat.encryptRetellKey(ORIGIN_KEY, RETELL_KEY);
    Path export = work.resolve("retell.ndjson");
    Files.writeString(export, new JsonObject().put("subaccountId", tenant).put("apiKey", apiKey.hex())
        .put("encryptionIV", apiKey.ivHex()).put("encryptionAuthTag", "unused").encode() + "\n");
    List<String> args = List.of("adopt-origin", "--origin-uri", originUri, "--origin-tenants", tenants.toString(),
        "--retell-export", export.toString(), "--progress-every", "1");
    Map<String, String> secrets = SecretAssertions.secrets("the auth token", TOKEN, "the SIP password", SIP_PASSWORD,
        "the Retell key", RETELL_KEY, "the origin's key", ORIGIN_KEY, "the vault key",
        vaultKeys.substring("k1:".length()));

    List<String> dryRun = new ArrayList<>();
    assertThat(run(concat(args, "--dry-run"), dryRun)).as("exit code; output %s", dryRun).isZero();
    assertThat(dryRun).contains("tenant " + tenant + ": would adopt trunk and SIP credential scalai_cli (password "
        + "known), Twilio account " + accountSid + ", Retell API key",
        "dry run, nothing written: tenants 1, adopted 1, already present 0, failed 0");

    List<String> first = new ArrayList<>();
    assertThat(run(args, first)).as("exit code; output %s", first).isZero();
    assertThat(first).contains("progress: 1 tenants (adopted 1, already present 0, failed 0)",
        "done: tenants 1, adopted 1, already present 0, failed 0");
    List<String> second = new ArrayList<>();
    assertThat(run(args, second)).isZero();
    assertThat(second).contains("done: tenants 1, adopted 0, already present 1, failed 0");
    for (List<String> output : List.of(dryRun, first, second)) {
      SecretAssertions.assertNoSecrets("adopt-origin output", String.join("\n", output), secrets);
      assertThat(output).noneMatch(line -> line.contains("mongodb://"));
    }

    Trunkline node = await(Trunkline.start(vertx, config()));
    try {
      TenantRef ref = new TenantRef(tenant);
      TwilioAccount account = await(Bus.request(vertx, Addresses.Store.TWILIO_ACCOUNT_GET, ref, TwilioAccount.class,
          10_000, "test"));
      assertThat(account.accountSid()).isEqualTo(accountSid);
      assertThat(account.authToken().reveal().equals(TOKEN)).as("the origin's token").isTrue();
      SipCredentials sip = await(Bus.request(vertx, Addresses.Store.SIP_GET, ref, SipCredentials.class, 10_000,
          "test"));
      assertThat(sip.password().reveal().equals(SIP_PASSWORD)).as("the origin's SIP password").isTrue();
      RetellKey retell = await(Bus.request(vertx, Addresses.Store.RETELL_KEY_GET, ref, RetellKey.class, 10_000,
          "test"));
      assertThat(retell.apiKey().reveal().equals(RETELL_KEY)).as("the origin's Retell key").isTrue();
    } finally {
      await(node.close());
    }
  }

  @Test
  void aWrongOriginKeyFailsTheRunWithTenantAndField() throws Exception {
    String tenant = TestEnvironment.newTenantId();
    Encrypted apiKey = OriginFormat.encryptRetellKey("another-origin-key", RETELL_KEY);
    Path export = work.resolve("retell.json");
    Files.writeString(export, "[" + new JsonObject().put("subaccountId", tenant).put("apiKey", apiKey.hex())
        .put("encryptionIV", apiKey.ivHex()).encode() + "]");
    List<String> out = new ArrayList<>();
    assertThat(run(List.of("adopt-origin", "--retell-export", export.toString()), out)).as("exit code").isEqualTo(1);
    assertThat(out).contains("tenant " + tenant + ": cannot adopt: cannot decrypt retellApiKey of tenant " + tenant
        + ": the legacy ciphertext does not decrypt to an API key (wrong legacyEncryptionKey, or the ciphertext was"
        + " altered)", "done: tenants 1, adopted 0, already present 0, failed 1");
  }

  private JsonObject config() {
    // The operator's keys make auto mode production; the sandbox is asked for so the service needs no upstreams.
    Map<String, String> env = new LinkedHashMap<>(Map.of("TRUNKLINE_HTTP_PORT", "0",
        "TRUNKLINE_HTTP_HOST", "127.0.0.1", "TRUNKLINE_DATA_DIR", dataDir.toString(),
        "TRUNKLINE_LEGACY_ENCRYPTION_KEY", ORIGIN_KEY, "TRUNKLINE_KEYS", vaultKeys, "TRUNKLINE_MODE", "sandbox"));
    return ConfigLoader.applyOverrides(ConfigLoader.defaults(), env, Map.of("trunkline.http.instances", "1"));
  }

  /** Parses the arguments as Main does and runs the command with its output captured line by line. */
  private int run(List<String> args, List<String> lines) throws Exception {
    CommandLine cli = CommandLine.parse(args);
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    try (PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
      return AdoptOriginCommand.run(config(), cli.commandOptions(), out);
    } finally {
      lines.addAll(captured.toString(StandardCharsets.UTF_8).lines().toList());
    }
  }

  private static List<String> concat(List<String> list, String one) {
    List<String> all = new ArrayList<>(list);
    all.add(one);
    return all;
  }
}
