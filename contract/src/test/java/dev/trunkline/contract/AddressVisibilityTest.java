package dev.trunkline.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every bus address says in code whether a sibling verticle may call it, and docs/event-bus.md says the same: a new
 * address without a marking, or a marking the table contradicts, fails here. And no public address is one that
 * lets a caller skip a flow's guards: everything that writes Twilio or Retell state, or returns a secret, is
 * internal.
 */
class AddressVisibilityTest {
  private static final Path DOC = Path.of("..", "docs", "event-bus.md");
  private static final Pattern ROW = Pattern.compile("^\\| `(trunkline\\.[^`]+)`[^|]*\\| (public|internal)",
      Pattern.MULTILINE);

  @Test
  void everyAddressIsMarkedPublicOrInternalExactlyOnce() throws IllegalAccessException {
    Map<String, String> marked = marked();
    assertThat(marked).isNotEmpty();
    assertThat(marked).containsEntry(Addresses.Provisioning.FIX, "public")
        .containsEntry(Addresses.Twilio.CREDENTIAL_ROTATE_FINISH, "internal")
        .containsEntry(Addresses.Store.SIP_GET, "internal");
  }

  @Test
  void noPublicAddressWritesUpstreamStateOutsideAFlowOrReturnsASecret() throws IllegalAccessException {
    marked().forEach((address, visibility) -> {
      if (address.startsWith("trunkline.retell.")) {
        assertThat(visibility).as(address + " carries an API key or uses the shared default key").isEqualTo("internal");
      }
      if (address.matches("trunkline\\.(store|twilio)\\.v1\\..*(put|save|delete|ensure|teardown|begin|finish"
          + "|purchase|import|remove|release|claim|complete|acquire|renew|promote|rotate-keys|\\.get)$")
          && !address.equals(Addresses.Store.CONNECTOR_GET) && !address.equals(Addresses.Store.NUMBER_GET)) {
        assertThat(visibility).as(address).isEqualTo("internal");
      }
    });
  }

  @Test
  void theDocsTableSaysWhatTheAnnotationsSay() throws IOException, IllegalAccessException {
    Map<String, String> documented = new TreeMap<>();
    Matcher m = ROW.matcher(Files.readString(DOC));
    while (m.find()) {
      documented.put(m.group(1), m.group(2));
    }
    marked().forEach((address, visibility) -> {
      String row = address.startsWith("trunkline.provisioning.") ? "trunkline.provisioning.v1.*"
          : address.startsWith("trunkline.retell.") ? "trunkline.retell.v1.*"
          : address.startsWith("trunkline.events.") && address.endsWith(".") ? address + "<subaccountId>"
          : address;
      String key = documented.keySet().stream().filter(d -> d.equals(row) || d.startsWith(row + " "))
          .findFirst().orElse(row);
      assertThat(documented).as("docs/event-bus.md, 'Public and internal addresses', row for " + address)
          .containsKey(key);
      assertThat(documented.get(key)).as(address).isEqualTo(visibility);
    });
  }

  /** Every address constant with its marking; fails when one has none or both. */
  private static Map<String, String> marked() throws IllegalAccessException {
    Map<String, String> out = new TreeMap<>();
    for (Class<?> group : Addresses.class.getDeclaredClasses()) {
      for (Field f : group.getDeclaredFields()) {
        if (!Modifier.isStatic(f.getModifiers()) || f.getType() != String.class || !Modifier.isPublic(f.getModifiers())) {
          continue;
        }
        boolean pub = f.isAnnotationPresent(PublicAddress.class);
        InternalAddress internal = f.getAnnotation(InternalAddress.class);
        assertThat(pub ^ internal != null).as(group.getSimpleName() + "." + f.getName()
            + " is marked @PublicAddress or @InternalAddress, not both").isTrue();
        if (internal != null) {
          assertThat(internal.value()).as(f.getName() + " says why it is internal").isNotBlank();
        }
        out.put((String) f.get(null), pub ? "public" : "internal");
      }
    }
    return out;
  }
}
