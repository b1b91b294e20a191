package dev.trunkline.store;

import static dev.trunkline.store.StoreTestSupport.assertFailure;
import static dev.trunkline.store.StoreTestSupport.call;
import static dev.trunkline.store.StoreTestSupport.failure;
import static dev.trunkline.store.StoreTestSupport.newTenant;
import static dev.trunkline.store.StoreTestSupport.sid;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trunkline.contract.Addresses.Store;
import dev.trunkline.contract.StoreMessages.Deleted;
import dev.trunkline.contract.StoreMessages.ListNumbers;
import dev.trunkline.contract.StoreMessages.NumberPage;
import dev.trunkline.contract.TenantNumber;
import dev.trunkline.contract.StoreMessages.PhoneNumber;
import dev.trunkline.contract.StoreMessages.RetellStatus;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
class PhoneNumbersTest {
  @TempDir
  Path dataDir;
  private final String tenant = newTenant();
  private final String otherTenant = newTenant();

  @BeforeEach
  void deploy(Vertx vertx) {
    StoreTestSupport.deploy(vertx, StoreTestSupport.config(dataDir, "k1:" + StoreTestSupport.newKeyBase64()));
  }

  @Test
  void saveGetUpdateDelete(Vertx vertx) {
    String pn = sid("PN");
    String tk = sid("TK");
    PhoneNumber saved = call(vertx, Store.NUMBER_SAVE,
        number(tenant, "+447480802119", pn, tk, RetellStatus.NOT_IMPORTED, "Retell said 500"), PhoneNumber.class);
    assertThat(saved.subaccountId()).isEqualTo(tenant);
    assertThat(saved.retellStatus()).isEqualTo(RetellStatus.NOT_IMPORTED);
    assertThat(saved.retellError()).isEqualTo("Retell said 500");
    assertThat(saved.createdAt()).isPositive();

    PhoneNumber imported = call(vertx, Store.NUMBER_SAVE,
        number(tenant, "+447480802119", null, null, RetellStatus.IMPORTED, null), PhoneNumber.class);
    assertThat(imported.twilioSid()).as("kept").isEqualTo(pn);
    assertThat(imported.trunkSid()).isEqualTo(tk);
    assertThat(imported.retellStatus()).isEqualTo(RetellStatus.IMPORTED);
    assertThat(imported.retellError()).as("cleared with the new status").isNull();
    assertThat(imported.createdAt()).isEqualTo(saved.createdAt());

    assertThat(call(vertx, Store.NUMBER_GET, new TenantNumber(tenant, "+447480802119"), PhoneNumber.class))
        .isEqualTo(imported);
    assertThat(call(vertx, Store.NUMBER_DELETE, new TenantNumber(tenant, "+447480802119"), Deleted.class).deleted())
        .isTrue();
    assertThat(call(vertx, Store.NUMBER_DELETE, new TenantNumber(tenant, "+447480802119"), Deleted.class).deleted())
        .isFalse();
    assertFailure(failure(vertx, Store.NUMBER_GET, new TenantNumber(tenant, "+447480802119")), 404, "NUMBER_NOT_FOUND");
  }

  @Test
  void anotherTenantsNumberIsAConflictToSaveAndNotFoundToReadOrDelete(Vertx vertx) {
    call(vertx, Store.NUMBER_SAVE, number(tenant, "+14155550100", sid("PN"), null, RetellStatus.IMPORTED, null),
        PhoneNumber.class);

    assertFailure(failure(vertx, Store.NUMBER_SAVE,
        number(otherTenant, "+14155550100", sid("PN"), null, RetellStatus.NOT_IMPORTED, "x")),
        409, "NUMBER_OWNED_ELSEWHERE");
    assertFailure(failure(vertx, Store.NUMBER_GET, new TenantNumber(otherTenant, "+14155550100")),
        404, "NUMBER_NOT_FOUND");
    assertThat(call(vertx, Store.NUMBER_DELETE, new TenantNumber(otherTenant, "+14155550100"), Deleted.class).deleted())
        .isFalse();
    assertThat(call(vertx, Store.NUMBER_LIST, new ListNumbers(otherTenant, null, null), NumberPage.class).items())
        .isEmpty();

    PhoneNumber untouched = call(vertx, Store.NUMBER_GET, new TenantNumber(tenant, "+14155550100"), PhoneNumber.class);
    assertThat(untouched.subaccountId()).isEqualTo(tenant);
    assertThat(untouched.retellStatus()).isEqualTo(RetellStatus.IMPORTED);
    assertThat(untouched.retellError()).isNull();
  }

  @Test
  void listPagesInPhoneNumberOrderWithACursor(Vertx vertx) {
    List<String> numbers = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      String phone = "+1415555" + String.format("%04d", 7 - i);
      numbers.add(phone);
      call(vertx, Store.NUMBER_SAVE, number(tenant, phone, null, null, RetellStatus.IMPORTED, null),
          PhoneNumber.class);
    }
    call(vertx, Store.NUMBER_SAVE, number(otherTenant, "+14155550000", null, null, null, null), PhoneNumber.class);
    numbers.sort(String::compareTo);

    List<String> seen = new ArrayList<>();
    String after = null;
    int pages = 0;
    do {
      NumberPage page = call(vertx, Store.NUMBER_LIST, new ListNumbers(tenant, 3, after), NumberPage.class);
      page.items().forEach(n -> seen.add(n.phoneNumber()));
      assertThat(page.items()).allMatch(n -> n.subaccountId().equals(tenant));
      after = page.next();
      pages++;
    } while (after != null);
    assertThat(seen).containsExactlyElementsOf(numbers);
    assertThat(pages).isEqualTo(3);

    NumberPage all = call(vertx, Store.NUMBER_LIST, new ListNumbers(tenant, null, null), NumberPage.class);
    assertThat(all.items()).hasSize(7);
    assertThat(all.next()).as("no more").isNull();
    NumberPage exact = call(vertx, Store.NUMBER_LIST, new ListNumbers(tenant, 7, null), NumberPage.class);
    assertThat(exact.next()).as("a full last page is the end").isNull();
  }

  @Test
  void inputsAreChecked(Vertx vertx) {
    assertFailure(failure(vertx, Store.NUMBER_SAVE, number(tenant, "4155550100", null, null, null, null)),
        400, "INVALID_PHONE_NUMBER");
    assertFailure(failure(vertx, Store.NUMBER_SAVE, number(tenant, "+14155550100", "PN1", null, null, null)),
        400, "INVALID_TWILIO_SID");
    assertFailure(failure(vertx, Store.NUMBER_GET, new TenantNumber("zz", "+14155550100")), 400, "INVALID_SUBACCOUNT_ID");
    assertFailure(failure(vertx, Store.NUMBER_LIST, new ListNumbers(tenant, 0, null)), 400, "INVALID_LIMIT");
    assertFailure(failure(vertx, Store.NUMBER_LIST, new ListNumbers(tenant, 1001, null)), 400, "INVALID_LIMIT");
    assertFailure(failure(vertx, Store.NUMBER_LIST, new ListNumbers(tenant, 10, "{\"$gt\":\"\"}")), 400,
        "INVALID_AFTER");
    assertThat(call(vertx, Store.NUMBER_LIST, new ListNumbers(tenant, 1000, null), NumberPage.class).items())
        .isEmpty();
  }

  private static PhoneNumber number(String tenant, String phone, String twilioSid, String trunkSid,
      RetellStatus status, String error) {
    return new PhoneNumber(tenant, phone, twilioSid, trunkSid, status, error, 0, 0);
  }
}
