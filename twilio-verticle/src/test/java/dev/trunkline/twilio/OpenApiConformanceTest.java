package dev.trunkline.twilio;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every Twilio operation the client makes passes the simulator's validation against the official OpenAPI
 * documents: the simulator answers a non-conforming request with 400 (code 21200), so a full run of every
 * operation with no 400 (indeed, only 2xx) and every operation of {@code TwilioApi} seen proves conformance.
 */
@ExtendWith(VertxExtension.class)
class OpenApiConformanceTest {
  private static final Map<String, Set<Integer>> STATUSES = new ConcurrentHashMap<>();
  private static TwilioTestEnv env;

  @BeforeAll
  static void start(Vertx vertx) {
    env = TwilioTestEnv.start(vertx, null, (operation, method, status, attempt) ->
        STATUSES.computeIfAbsent(operation, k -> ConcurrentHashMap.newKeySet()).add(status));
  }

  @AfterAll
  static void stop() {
    env.stop();
  }

  /** The operation ids named in the client's source: the operations "used". */
  static Set<String> operationsOfTheClient() throws IOException {
    String source = Files.readString(Path.of("src/main/java/dev/trunkline/twilio/client/TwilioApi.java"));
    Set<String> ops = new TreeSet<>();
    Matcher m = Pattern.compile("\"((?:Fetch|List|Create|Update|Delete)[A-Za-z]+)\"").matcher(source);
    while (m.find()) {
      if (m.group(1).equals("ListAvailablePhoneNumber")) {
        // Built as "ListAvailablePhoneNumber" + resource.
        ops.add("ListAvailablePhoneNumberLocal");
        ops.add("ListAvailablePhoneNumberMobile");
        ops.add("ListAvailablePhoneNumberTollFree");
      } else {
        ops.add(m.group(1));
      }
    }
    return ops;
  }

  @Test
  void everyOperationUsedIsAcceptedByTheOfficialDocuments() throws IOException {
    Set<String> used = operationsOfTheClient();
    assertThat(used).hasSizeGreaterThanOrEqualTo(28).contains("CreateTrunk", "UpdateSipCredential",
        "CreateIncomingPhoneNumber", "CreatePhoneNumber", "ListAvailablePhoneNumberTollFree");

    new EveryOperation(env).run();

    Map<String, Set<Integer>> seen = new TreeMap<>(STATUSES);
    assertThat(seen.keySet()).as("operations exercised").containsAll(used);
    seen.forEach((operation, statuses) -> assertThat(statuses).as(operation + " answered")
        .doesNotContain(400).allSatisfy(s -> assertThat(s).isBetween(200, 299)));
  }
}
