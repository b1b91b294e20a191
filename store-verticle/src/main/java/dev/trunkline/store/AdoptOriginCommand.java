package dev.trunkline.store;

import dev.trunkline.contract.BusCaller;
import dev.trunkline.contract.CredentialPurpose;
import dev.trunkline.contract.Secret;
import dev.trunkline.contract.ServiceException;
import dev.trunkline.contract.StoreClient;
import dev.trunkline.contract.StoreMessages.Connector;
import dev.trunkline.contract.StoreMessages.PromoteSip;
import dev.trunkline.contract.StoreMessages.PutPendingSip;
import dev.trunkline.contract.StoreMessages.PutRetellKey;
import dev.trunkline.contract.StoreMessages.PutTrunk;
import dev.trunkline.contract.StoreMessages.PutTwilioAccount;
import dev.trunkline.contract.StoreMessages.Trunk;
import dev.trunkline.contract.TenantRef;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.FindOptions;
import io.vertx.ext.mongo.MongoClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import javax.crypto.SecretKey;

/**
 * The plain-Java entry for {@code trunkline adopt-origin}: reads the origin service's tenants from their MongoDB
 * databases (and the tenant manager's Retell keys from an export), decrypts them with the origin's key, and writes
 * them through a store verticle's own addresses, so they are sealed by the vault under the active key like any
 * other write. One tenant at a time, one page of documents at a time: memory and load stay bounded however many
 * tenants there are.
 *
 * <p>Per tenant, each part (Twilio account, trunk with SIP credential, Retell key) is written only when Trunkline
 * does not have it yet, or with {@code overwrite}. A second run therefore writes nothing, and a run that stopped
 * half-way finishes the missing parts. A tenant that cannot be read is reported (tenant, field, why; never the
 * value) and nothing of it is written.
 */
public final class AdoptOriginCommand {
  /** The origin's collection and the documents it uses (its code reads active Twilio connectors only). */
  static final String COLLECTION = ConnectorDocs.COLLECTION;
  static final JsonObject ACTIVE_TWILIO = new JsonObject().put("connectorType", "twilio").put("isActive", true);
  /** Documents read from an origin database per query. */
  static final int PAGE = 100;

  /**
   * An origin database.
   *
   * @param subaccountId the one tenant it holds (a database per subaccount), or null for a database of all
   * @param uri its MongoDB connection string (may hold a password: never printed)
   */
  public record Source(String subaccountId, String uri, String database) {
    @Override
    public String toString() {
      return "database " + database + (subaccountId == null ? "" : " of tenant " + subaccountId);
    }
  }

  /**
   * @param retellExport the tenant manager's Retell accounts as JSON (an array, or one object per line), or null
   * @param originKey the origin's {@code ENCRYPTION_KEY}; null for {@code vault.legacyEncryptionKey}
   * @param progressEvery a progress line after this many tenants
   */
  public record Options(List<Source> sources, Path retellExport, String originKey, boolean dryRun,
      boolean overwrite, int progressEvery) {
    @Override
    public String toString() {
      return "Options[sources=" + sources + ", retellExport=" + retellExport + ", originKey=" + (originKey != null)
          + ", dryRun=" + dryRun + ", overwrite=" + overwrite + ", progressEvery=" + progressEvery + "]";
    }
  }

  /** The counts of a run: each tenant is adopted, already present (nothing to write), or failed. */
  public record Report(long tenants, long adopted, long alreadyPresent, long failed, boolean dryRun) {}

  private final Vertx vertx;
  private final Options options;
  private final Consumer<String> out;
  private final StoreClient store;
  private final SecretStore secrets;
  /** The origin's ENCRYPTION_KEY (secret), or null. */
  private final String originKey;
  private final JsonObject mongoTimeouts;
  private final AtomicReference<Future<SecretKey>> retellKey = new AtomicReference<>();
  private final Set<String> seen = new HashSet<>();
  private long tenants;
  private long adopted;
  private long alreadyPresent;
  private long failed;

  private AdoptOriginCommand(Vertx vertx, StoreConfig cfg, Options options, Consumer<String> out, long callTimeoutMs) {
    this.vertx = vertx;
    this.options = options;
    this.out = out;
    this.store = new StoreClient(BusCaller.of(vertx, callTimeoutMs, null, null));
    this.originKey = options.originKey() != null ? options.originKey() : cfg.legacyEncryptionKey();
    // Only openOrigin is used: the origin's decryption stays in one place (SecretStore, LegacyCipher).
    this.secrets = new SecretStore(null, new Vault(cfg.keyring()), new LegacyKey(vertx, originKey),
        cfg.adoptLegacyPlaintext());
    long timeout = cfg.mongoTimeoutMs();
    // No useObjectId: the origin's ObjectId _ids (Mongoose) then read as {"$oid": ...} and page with $gt as
    // ObjectIds; read as plain strings they would compare as strings and the second page would be empty.
    this.mongoTimeouts = new JsonObject().put("maxPoolSize", 2).put("minPoolSize", 0)
        .put("serverSelectionTimeoutMS", timeout).put("connectTimeoutMS", timeout).put("socketTimeoutMS", timeout)
        .put("waitQueueTimeoutMS", timeout);
  }

  /**
   * Deploys a store verticle with the application configuration, adopts every tenant of {@code options}, and
   * undeploys it.
   *
   * @param out one line per tenant, progress and the final counts (never a secret or a connection string)
   * @param callTimeoutMs the timeout of each store call
   */
  public static Future<Report> run(Vertx vertx, JsonObject config, Options options, Consumer<String> out,
      long callTimeoutMs) {
    StoreConfig cfg;
    try {
      cfg = StoreConfig.from(config);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(new IllegalStateException("store configuration: " + e.getMessage()));
    }
    if (options.progressEvery() < 1) {
      return Future.failedFuture(new IllegalArgumentException("progressEvery must be 1 or more"));
    }
    AdoptOriginCommand command = new AdoptOriginCommand(vertx, cfg, options, out, callTimeoutMs);
    return command.readRetellExport().compose(export -> vertx
        .deployVerticle(new StoreVerticle(), new DeploymentOptions().setConfig(config))
        .compose(deploymentId -> command.adoptAll(export).eventually(() -> vertx.undeploy(deploymentId))));
  }

  private Future<Report> adoptAll(Map<String, JsonObject> export) {
    Future<Void> chain = Future.succeededFuture();
    for (Source source : options.sources()) {
      chain = chain.compose(v -> adoptSource(source, export));
    }
    return chain.compose(v -> adoptRetellOnly(export)).map(v -> {
      Report report = new Report(tenants, adopted, alreadyPresent, failed, options.dryRun());
      out.accept(String.format("%s: tenants %d, adopted %d, already present %d, failed %d",
          options.dryRun() ? "dry run, nothing written" : "done", tenants, adopted, alreadyPresent, failed));
      return report;
    });
  }

  /**
   * Tenants of the export without a Twilio connector in any origin database get their Retell key alone. A loop,
   * not a recursion: the tenants already seen complete at once, and thousands of them must not nest on the stack.
   */
  private Future<Void> adoptRetellOnly(Map<String, JsonObject> export) {
    Future<Void> chain = Future.succeededFuture();
    for (String tenant : export.keySet()) {
      chain = chain.compose(v -> seen.contains(tenant) ? Future.succeededFuture() : adoptTenant(tenant, null, export));
    }
    return chain;
  }

  private Future<Void> adoptSource(Source source, Map<String, JsonObject> export) {
    MongoClient origin = MongoClient.create(vertx, mongoTimeouts.copy()
        .put("connection_string", source.uri()).put("db_name", source.database()));
    JsonObject query = ACTIVE_TWILIO.copy();
    if (source.subaccountId() != null) {
      query.put("subaccountId", source.subaccountId());
    }
    return page(origin, source, query, null, export)
        .recover(err -> Future.failedFuture(new IllegalStateException("reading " + source + " failed: "
            + (err instanceof ServiceException ? err.getMessage() : err.getClass().getSimpleName()), err)))
        .eventually(origin::close);
  }

  /** One page of documents by {@code _id}, each tenant adopted before the next page is read. */
  private Future<Void> page(MongoClient origin, Source source, JsonObject query, Object afterId,
      Map<String, JsonObject> export) {
    JsonObject filter = query.copy();
    if (afterId != null) {
      filter.put("_id", new JsonObject().put("$gt", afterId));
    }
    FindOptions find = new FindOptions().setSort(new JsonObject().put("_id", 1)).setLimit(PAGE);
    return origin.findWithOptions(COLLECTION, filter, find).compose(docs -> {
      Future<Void> chain = Future.succeededFuture();
      for (JsonObject doc : docs) {
        chain = chain.compose(v -> adoptDocument(doc, export));
      }
      if (docs.size() < PAGE) {
        return chain;
      }
      Object last = docs.get(docs.size() - 1).getValue("_id");
      return chain.compose(v -> page(origin, source, query, last, export));
    });
  }

  private Future<Void> adoptDocument(JsonObject doc, Map<String, JsonObject> export) {
    String tenant = doc.getValue("subaccountId") instanceof String s ? s : null;
    if (tenant == null || tenant.isEmpty()) {
      tenants++;
      failed++;
      out.accept("document " + doc.getValue("_id") + ": cannot adopt: it has no subaccountId");
      return progress();
    }
    if (!seen.add(tenant)) {
      // The origin reads one active connector per tenant; which one it meant is for the operator to decide.
      failed++;
      out.accept("tenant " + tenant + ": cannot adopt: more than one active Twilio connector in the origin; "
          + "the first was handled, deactivate the others and run again");
      return Future.succeededFuture();
    }
    return adoptTenant(tenant, doc, export);
  }

  private Future<Void> adoptTenant(String tenant, JsonObject twilioDoc, Map<String, JsonObject> export) {
    seen.add(tenant);
    tenants++;
    return OriginTenant.read(secrets, tenant, twilioDoc, export.get(tenant), this::retellKey)
        .compose(origin -> existing(tenant).compose(connector -> write(origin, connector)))
        .otherwise(err -> {
          failed++;
          out.accept("tenant " + tenant + ": cannot adopt: " + describe(err));
          return null;
        })
        .compose(v -> progress());
  }

  /** What Trunkline has of the tenant (null: nothing). */
  private Future<Connector> existing(String tenant) {
    return store.connector(new TenantRef(tenant)).recover(err -> err instanceof ServiceException e
        && e.status() == 404 ? Future.succeededFuture(null) : Future.failedFuture(err));
  }

  private Future<Void> write(OriginTenant origin, Connector have) {
    String tenant = origin.subaccountId();
    Map<String, Boolean> parts = new LinkedHashMap<>(); // part -> to write
    boolean haveTrunk = have != null && origin.trunk() != null && origin.trunkIn(have.trunk());
    if (origin.trunk() != null) {
      parts.put(origin.sipUsername() == null ? "trunk"
          : "trunk and SIP credential " + origin.sipUsername() + " (password "
              + (origin.sipPassword() != null ? "known" : "unknown: setup gives it a new one") + ")",
          options.overwrite() || !haveTrunk);
    }
    if (origin.accountSid() != null) {
      parts.put("Twilio account " + origin.accountSid(), options.overwrite() || have == null
          || !have.twilioConnected());
    }
    if (origin.retellApiKey() != null) {
      parts.put("Retell API key", options.overwrite() || have == null || !have.retellKeyPresent());
    }
    List<String> toWrite = parts.entrySet().stream().filter(Map.Entry::getValue).map(Map.Entry::getKey).toList();
    List<String> kept = parts.entrySet().stream().filter(e -> !e.getValue()).map(Map.Entry::getKey).toList();
    String keptNote = kept.isEmpty() ? "" : "; already in Trunkline, kept: " + String.join(", ", kept);
    if (toWrite.isEmpty()) {
      alreadyPresent++;
      out.accept("tenant " + tenant + ": already in Trunkline, nothing to write"
          + (kept.isEmpty() ? " (the origin has nothing to adopt)" : " (" + String.join(", ", kept) + ")"));
      return Future.succeededFuture();
    }
    if (options.dryRun()) {
      adopted++;
      out.accept("tenant " + tenant + ": would adopt " + String.join(", ", toWrite) + keptNote);
      return Future.succeededFuture();
    }
    Future<Void> chain = Future.succeededFuture();
    if (origin.trunk() != null && (options.overwrite() || !haveTrunk)) {
      chain = chain.compose(v -> writeTrunk(origin, have));
    }
    if (origin.accountSid() != null && (options.overwrite() || have == null || !have.twilioConnected())) {
      chain = chain.compose(v -> store.putTwilioAccount(new PutTwilioAccount(tenant, origin.accountSid(),
          Secret.of(origin.authToken()))).<Void>mapEmpty());
    }
    if (origin.retellApiKey() != null && (options.overwrite() || have == null || !have.retellKeyPresent())) {
      chain = chain.compose(v -> store.putRetellKey(new PutRetellKey(tenant, Secret.of(origin.retellApiKey())))
          .<Void>mapEmpty());
    }
    return chain.map(v -> {
      adopted++;
      out.accept("tenant " + tenant + ": adopted " + String.join(", ", toWrite) + keptNote);
      return null;
    });
  }

  /**
   * The SIP credential first (write-ahead and promote, as setup does, so the password is sealed by the vault and
   * the origin's credential SID kept), then the rest of the trunk: a run that stops in between has no trunk SID
   * yet and does both again.
   */
  private Future<Void> writeTrunk(OriginTenant origin, Connector have) {
    String tenant = origin.subaccountId();
    String username = origin.sipUsername();
    String credentialSid = origin.trunk().credentialSid();
    Future<Void> chain = Future.succeededFuture();
    if (have != null && have.trunk() != null && options.overwrite()) {
      // Another SIP username cannot be put over the stored one (it would orphan its password): start afresh.
      chain = chain.compose(v -> store.deleteTrunk(new TenantRef(tenant)).<Void>mapEmpty());
    }
    if (username != null && origin.sipPassword() != null) {
      chain = chain.compose(v -> store.putPendingSip(new PutPendingSip(tenant, username,
              Secret.of(origin.sipPassword()), CredentialPurpose.SETUP, credentialSid))
          .compose(c -> store.promoteSip(new PromoteSip(tenant, username, credentialSid))).<Void>mapEmpty());
    } else if (username != null) {
      chain = chain.compose(v -> store.putTrunk(new PutTrunk(tenant, Trunk.builder().username(username)
          .build(), null)).<Void>mapEmpty());
    }
    Trunk rest = origin.trunkWithoutUsername();
    return rest == null ? chain
        : chain.compose(v -> store.putTrunk(new PutTrunk(tenant, rest, null))).mapEmpty();
  }

  private Future<SecretKey> retellKey(String tenant) {
    String passphrase = originKey;
    if (passphrase == null) {
      return Future.failedFuture(new VaultException(tenant, SecretField.RETELL_API_KEY,
          "it is in the origin's encrypted format and no origin key is configured"));
    }
    Future<SecretKey> current = retellKey.get();
    if (current == null) {
      Future<SecretKey> fresh = vertx.executeBlocking(() -> LegacyCipher.deriveRetellKey(passphrase), false);
      current = retellKey.compareAndSet(null, fresh) ? fresh : retellKey.get();
    }
    return current;
  }

  private Future<Void> progress() {
    long done = tenants;
    if (done % options.progressEvery() == 0) {
      out.accept(String.format("progress: %d tenants (adopted %d, already present %d, failed %d)", done, adopted,
          alreadyPresent, failed));
    }
    return Future.succeededFuture();
  }

  /** A failure for the report: the store's and the vault's messages name tenant and field, never a value. */
  private static String describe(Throwable err) {
    return err instanceof ServiceException e ? e.getMessage() : err.getClass().getSimpleName();
  }

  /** The tenant manager's Retell accounts by subaccountId: a JSON array, or one object per line (mongoexport). */
  private Future<Map<String, JsonObject>> readRetellExport() {
    if (options.retellExport() == null) {
      return Future.succeededFuture(Map.of());
    }
    return vertx.fileSystem().readFile(options.retellExport().toString()).map(buffer -> {
      String text = buffer.toString().strip();
      List<Object> entries = new ArrayList<>();
      try {
        if (text.startsWith("[")) {
          new JsonArray(text).forEach(entries::add);
        } else {
          text.lines().filter(line -> !line.isBlank()).forEach(line -> entries.add(new JsonObject(line)));
        }
      } catch (RuntimeException e) {
        // The decoder's message may quote the input, which holds the encrypted keys: not repeated here.
        throw new IllegalArgumentException("the Retell export " + options.retellExport()
            + " is not a JSON array or one JSON object per line");
      }
      Map<String, JsonObject> bySubaccount = new LinkedHashMap<>();
      for (Object entry : entries) {
        if (entry instanceof JsonObject json && json.getValue("subaccountId") instanceof String id && !id.isEmpty()) {
          bySubaccount.put(id, json);
        } else {
          throw new IllegalArgumentException("the Retell export " + options.retellExport()
              + " has an entry without a subaccountId");
        }
      }
      return bySubaccount;
    });
  }
}
