package dev.trunkline.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trunkline.contract.Secret;
import dev.trunkline.contract.config.Option;
import dev.trunkline.gateway.GatewayConfig;
import dev.trunkline.provisioning.ProvisioningConfig;
import dev.trunkline.retell.RetellConfig;
import dev.trunkline.store.StoreConfig;
import dev.trunkline.twilio.TwilioConfig;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Walks every key in the configuration tables of docs/*.md (tables headed {@code | key | default | meaning |}) and
 * proves each is declared, documented with its declared default, and takes effect: a non-default value set from
 * YAML, from -D, and from the environment variable that maps to it (if any) is loaded with its type and changes
 * what the module's {@code *Config} (or, for the launcher's keys, the Vert.x options built from them) reads.
 */
class DocumentedConfigurationTest {
  private static final Pattern KEY_TABLE_HEADER = Pattern.compile("^\\|\\s*key\\s*\\|\\s*default\\s*\\|");
  private static final Pattern BACKTICKED = Pattern.compile("`([A-Za-z][A-Za-z0-9]*(?:\\.[A-Za-z0-9*]+)*)`");
  private static final String VAULT_KEYS = "k1:" + Base64.getEncoder().encodeToString(new byte[32]);

  private static Vertx vertx;

  @TempDir
  Path dir;

  @BeforeAll
  static void vertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** A documented key and the default its table gives. */
  record Documented(String key, String file, String defaultCell) {}

  static List<Documented> documentedKeys() throws Exception {
    List<Documented> keys = new ArrayList<>();
    try (Stream<Path> docs = Files.list(Path.of("..", "docs"))) {
      for (Path doc : docs.filter(p -> p.toString().endsWith(".md")).sorted().toList()) {
        boolean inTable = false;
        for (String line : Files.readAllLines(doc)) {
          if (KEY_TABLE_HEADER.matcher(line).find()) {
            inTable = true;
            continue;
          }
          if (!line.startsWith("|")) {
            inTable = false;
            continue;
          }
          String[] cells = line.split("\\|");
          if (!inTable || cells.length < 3 || cells[1].startsWith("---")) {
            continue;
          }
          Matcher m = BACKTICKED.matcher(cells[1]);
          List<String> inCell = new ArrayList<>();
          while (m.find()) {
            inCell.add(m.group(1));
          }
          for (String key : inCell) {
            // A default is compared only when the row documents one key.
            keys.add(new Documented(key, doc.getFileName().toString(), inCell.size() == 1 ? cells[2].trim() : null));
          }
        }
      }
    }
    return keys;
  }

  @Test
  void everyDocumentedKeyIsDeclaredWithTheDocumentedDefault() throws Exception {
    List<Documented> documented = documentedKeys();
    assertThat(documented).as("keys found in the docs' tables").hasSizeGreaterThan(80);
    List<String> problems = new ArrayList<>();
    for (Documented d : documented) {
      if (d.key().endsWith(".*")) {
        String prefix = d.key().substring(0, d.key().length() - 1);
        if (NodeOptions.ALL.all().stream().noneMatch(o -> o.path().startsWith(prefix))) {
          problems.add(d.file() + ": no key under " + d.key());
        }
        continue;
      }
      Option<?> option = NodeOptions.ALL.find(d.key());
      if (option == null) {
        problems.add(d.file() + ": " + d.key() + " is documented but not declared");
      } else if (!option.path().equals(d.key())) {
        problems.add(d.file() + ": " + d.key() + " is a former name of " + option.path());
      } else if (d.defaultCell() != null && !defaultMatches(option, d.defaultCell())) {
        problems.add(d.file() + ": " + d.key() + " is documented with default " + d.defaultCell() + " but declared "
            + option.fallback());
      }
    }
    assertThat(problems).isEmpty();
  }

  @Test
  void everyDeclaredKeyIsDocumented() throws Exception {
    StringBuilder docs = new StringBuilder(Files.readString(Path.of("..", "README.md")));
    try (Stream<Path> files = Files.list(Path.of("..", "docs"))) {
      for (Path doc : files.filter(p -> p.toString().endsWith(".md")).toList()) {
        docs.append(Files.readString(doc));
      }
    }
    String text = docs.toString();
    List<String> undocumented = NodeOptions.ALL.all().stream().map(Option::path)
        .filter(key -> !text.contains("`" + key + "`") && !text.contains("`" + key.replaceAll("\\.[^.]+$", ".*`")))
        .toList();
    assertThat(undocumented).as("declared keys that no doc names").isEmpty();
  }

  @Test
  void everyDocumentedKeyTakesEffectFromYamlSystemPropertyAndEnvironment() throws Exception {
    Map<String, String> variables = new LinkedHashMap<>();
    ConfigLoader.ENVIRONMENT.forEach(s -> variables.put(s.path(), s.variable()));
    Map<String, String> base = Map.of("TRUNKLINE_KEYS", VAULT_KEYS);
    String unchanged = fingerprint(load(null, base, Map.of()));
    List<String> problems = new ArrayList<>();
    List<String> keys = documentedKeys().stream().map(Documented::key).filter(k -> !k.endsWith(".*")).distinct()
        .toList();
    for (String key : keys) {
      Option<?> option = NodeOptions.ALL.find(key);
      if (option == null || key.equals("vault.keys")) {
        continue; // reported by the test above; vault.keys is what every run here sets
      }
      Object value = nonDefault(option);
      String text = value.toString();
      Path yaml = dir.resolve(key + ".yaml");
      Files.writeString(yaml, yaml(key, value));
      Map<String, JsonObject> loaded = new LinkedHashMap<>();
      loaded.put("YAML", load(yaml.toString(), base, Map.of()));
      loaded.put("-D", load(null, base, Map.of("trunkline." + key, text)));
      if (variables.containsKey(key)) {
        Map<String, String> env = new LinkedHashMap<>(base);
        env.put(variables.get(key), text);
        loaded.put(variables.get(key), load(null, env, Map.of()));
      }
      for (Map.Entry<String, JsonObject> e : loaded.entrySet()) {
        Object got = ConfigLoader.get(e.getValue(), key);
        if (!value.equals(got)) {
          problems.add(key + " from " + e.getKey() + ": loaded as " + got + ", expected " + value);
        } else if (fingerprint(e.getValue()).equals(unchanged)) {
          problems.add(key + " from " + e.getKey() + ": loaded, but no *Config or Vert.x option changed");
        }
      }
    }
    assertThat(problems).isEmpty();
  }

  private JsonObject load(String yaml, Map<String, String> env, Map<String, String> sys) throws Exception {
    return ConfigLoader.load(vertx, yaml, env, sys).toCompletionStage().toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
  }

  /** What the modules and the launcher make of a configuration, secrets included (this never leaves the test). */
  static String fingerprint(JsonObject config) {
    StringBuilder out = new StringBuilder();
    for (Record r : List.of(StoreConfig.from(config), TwilioConfig.from(config), RetellConfig.from(config),
        ProvisioningConfig.from(config), GatewayConfig.from(config))) {
      for (RecordComponent c : r.getClass().getRecordComponents()) {
        try {
          Object v = c.getAccessor().invoke(r);
          out.append(c.getName()).append('=').append(v instanceof Secret s ? s.reveal() : String.valueOf(v))
              .append(';');
        } catch (ReflectiveOperationException e) {
          throw new IllegalStateException(e);
        }
      }
    }
    // The launcher's keys: what Vert.x, Hazelcast, the deployer and the health server are given.
    var hz = VertxFactory.hazelcast(config);
    var bus = VertxFactory.eventBusOptions(config);
    var metrics = VertxFactory.metricsOptions(config);
    out.append(hz.getClusterName()).append(hz.getNetworkConfig().getPort())
        .append(hz.getNetworkConfig().getInterfaces().getInterfaces())
        .append(hz.getNetworkConfig().getJoin().getTcpIpConfig().getMembers()).append(hz.getProperties())
        .append(bus.toJson().encode()).append(metrics.toJson().encode())
        .append(Deployer.plan(config)).append(HealthServer.address(config))
        .append(StartupMode.resolve(config)).append(NodeOptions.LOG_FORMAT.get(config))
        .append(NodeOptions.CLUSTER_ENABLED.get(config)).append(NodeOptions.CLUSTER_MIN_MEMBERS.get(config))
        // Read where they are used: the drain on shutdown (Main, GatewayVerticle), the metrics server's interface
        // (used only with metrics.port).
        .append(GatewayConfig.SHUTDOWN_TIMEOUT_MS.get(config)).append(NodeOptions.METRICS_HOST.get(config));
    return out.toString();
  }

  /** A valid value other than the default, of the key's type. */
  static Object nonDefault(Option<?> option) {
    Map<String, Object> special = Map.ofEntries(
        Map.entry("mode", "sandbox"),
        Map.entry("roles", "store,twilio"),
        Map.entry("retell.transport", "UDP"),
        Map.entry("log.format", "json"),
        Map.entry("twilio.originationSipUrl", "sip:sip.example.com;transport=tls"),
        Map.entry("twilio.friendlyNamePrefix", "tl"),
        Map.entry("gateway.rs256PublicKeys", "pem-a,pem-b"));
    if (special.containsKey(option.path())) {
      return special.get(option.path());
    }
    Object dflt = option.fallback();
    return switch (option.type()) {
      case INT -> dflt == null ? 7 : (Integer) dflt + 1;
      case LONG -> dflt == null ? 7L : (Long) dflt + 1;
      case DOUBLE -> (Double) dflt / 2;
      case BOOLEAN -> !(Boolean) dflt;
      case STRING, LIST -> option.path().toLowerCase().contains("url") ? "http://127.0.0.1:9/" + option.path()
          : "value-of-" + option.path();
      case OBJECT -> new JsonObject().put("getTrunk", 3);
    };
  }

  private static String yaml(String key, Object value) {
    String[] parts = key.split("\\.");
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < parts.length; i++) {
      out.append("  ".repeat(i)).append(parts[i]).append(':');
      if (i < parts.length - 1) {
        out.append('\n');
      }
    }
    String scalar = value instanceof String s ? "\"" + s + "\"" : value instanceof JsonObject j ? j.encode()
        : value.toString();
    return out.append(' ').append(scalar).append('\n').toString();
  }

  private static boolean defaultMatches(Option<?> option, String cell) {
    String text = cell.replace("`", "").replace("**", "").trim();
    Object declared = option.fallback();
    if (declared == null) {
      return text.matches("(?i)none|null|unset|required.*|off|.*generated.*");
    }
    String first = text.split("[ (]")[0];
    return switch (option.type()) {
      case INT, LONG -> first.matches("-?\\d+") && Long.parseLong(first) == ((Number) declared).longValue();
      case DOUBLE -> first.matches("-?[\\d.]+") && Double.parseDouble(first) == (Double) declared;
      default -> first.equals(String.valueOf(declared));
    };
  }
}
