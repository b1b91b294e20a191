package dev.trunkline.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trunkline.contract.Addresses;
import dev.trunkline.contract.ProvisioningMessages;
import dev.trunkline.contract.RetellMessages;
import dev.trunkline.contract.StoreMessages;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every failure code that docs/api.md and docs/event-bus.md promise is named by at least one test of some module
 * (as the string {@code "CODE"}, which is how the tests assert codes), and every state or status they document is
 * named by a test (as that string or the enum constant). A cheap guard, not a proof: a code no test even names is
 * certainly untested, and a new documented code fails this test until a test produces it or it is listed in
 * {@link #NOT_PRODUCED} with the reason.
 */
class DocumentedCodesTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final List<String> DOCS = List.of("docs/api.md", "docs/event-bus.md");
  /** In a backtick span: an UPPER_SNAKE token (at least one underscore) or a one-word failure code. */
  private static final Pattern FENCED = Pattern.compile("(?s)```.*?```");
  private static final Pattern SPAN = Pattern.compile("`([^`]+)`");
  private static final Pattern TOKEN =
      Pattern.compile("\\b([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|UNAUTHORIZED|FORBIDDEN|TIMEOUT|DUPLICATE)\\b");

  /** Documented codes no test produces, and why. Keep it short: each entry is a promise nobody checks. */
  static final Map<String, String> NOT_PRODUCED = Map.of(
      "DUPLICATE", "store: a unique index refusing a write that has no more specific code; every upsert retries "
          + "once on a duplicate key, so it takes two lost creation races in a row",
      "CONCURRENT_MODIFICATION", "store: a version check lost between read and write inside one request (claim, "
          + "trunk.put, promote); no hook makes that interleaving deterministic",
      "ROTATION_EXHAUSTED", "Twilio service: needs 998 credentials named <username>_r2.._r999 in the tenant's list",
      "NO_HANDLERS", "Vert.x's failure type, documented as what becomes 503 SERVICE_UNAVAILABLE (which is tested)",
      "UPPER_SNAKE", "the word for the code format, not a code",
      "OPERATION_RUNNING", "store operations.create: the running slot changed hands twice between two reads of one "
          + "start (a finish and another start in between); no hook makes that interleaving deterministic");

  @Test
  void everyDocumentedCodeIsNamedByATest() throws IOException {
    Set<String> addresses = addressNames();
    Set<String> states = stateNames();
    String tests = testSources();
    Map<String, String> missing = new TreeMap<>();
    Set<String> codes = documentedTokens();
    for (String code : codes) {
      if (addresses.contains(code) || code.startsWith("TRUNKLINE_") || NOT_PRODUCED.containsKey(code)) {
        continue;
      }
      boolean named = tests.contains("\"" + code + "\"")
          || (states.contains(code) && Pattern.compile("\\." + code + "\\b").matcher(tests).find());
      if (!named) {
        missing.put(code, states.contains(code) ? "a documented state no test names" : "a failure code no test names");
      }
    }
    assertThat(missing).as("codes of %s that no test produces (add a test, or list it in NOT_PRODUCED with the "
        + "reason)", DOCS).isEmpty();
    // The list stays true: each entry is still documented and still produced by no test.
    assertThat(codes).as("NOT_PRODUCED entries still documented").containsAll(NOT_PRODUCED.keySet());
    for (String code : NOT_PRODUCED.keySet()) {
      assertThat(tests).as("a test names %s now: remove it from NOT_PRODUCED", code).doesNotContain("\"" + code + "\"");
    }
  }

  private static Set<String> documentedTokens() throws IOException {
    Set<String> tokens = new TreeSet<>();
    for (String doc : DOCS) {
      // Code blocks first: their fences would pair up with the inline spans' backticks.
      String text = FENCED.matcher(Files.readString(ROOT.resolve(doc), StandardCharsets.UTF_8)).replaceAll("");
      Matcher span = SPAN.matcher(text);
      while (span.find()) {
        Matcher token = TOKEN.matcher(span.group(1));
        while (token.find()) {
          tokens.add(token.group(1));
        }
      }
    }
    assertThat(tokens).as("codes found in the docs").contains("UNAUTHORIZED", "PURCHASED_NOT_RECORDED",
        "STORE_UNAVAILABLE", "RETELL_CONFLICT");
    return tokens;
  }

  /** Every test source of every module but this file, as one text. */
  private static String testSources() throws IOException {
    StringBuilder all = new StringBuilder();
    try (Stream<Path> modules = Files.list(ROOT)) {
      for (Path module : modules.filter(m -> Files.isDirectory(m.resolve("src/test/java"))).toList()) {
        try (Stream<Path> files = Files.walk(module.resolve("src/test/java"))) {
          for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
            if (!f.getFileName().toString().equals(DocumentedCodesTest.class.getSimpleName() + ".java")) {
              all.append(Files.readString(f, StandardCharsets.UTF_8)).append('\n');
            }
          }
        }
      }
    }
    assertThat(all).as("test sources under %s", ROOT).contains("class ConnectorJourneyTest", "class IdempotencyTest");
    return all.toString();
  }

  /** The constant names of the bus addresses (Addresses.Store.NUMBER_SAVE...): the docs name them, they are no codes. */
  private static Set<String> addressNames() {
    Set<String> names = new TreeSet<>();
    for (Class<?> service : Addresses.class.getDeclaredClasses()) {
      for (Field f : service.getDeclaredFields()) {
        names.add(f.getName());
      }
    }
    return names;
  }

  /** The contract's documented states and statuses (claim states, password states, inspection statuses...). */
  private static Set<String> stateNames() {
    Set<String> names = new TreeSet<>();
    for (Class<?> holder : List.of(StoreMessages.class, RetellMessages.class, ProvisioningMessages.class)) {
      for (Class<?> nested : holder.getDeclaredClasses()) {
        if (nested.isEnum()) {
          for (Object constant : nested.getEnumConstants()) {
            names.add(((Enum<?>) constant).name());
          }
        }
      }
    }
    return names;
  }
}
