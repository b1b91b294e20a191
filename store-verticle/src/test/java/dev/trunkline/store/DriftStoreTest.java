package dev.trunkline.store;

import static dev.trunkline.store.StoreTestSupport.assertFailure;
import static dev.trunkline.store.StoreTestSupport.call;
import static dev.trunkline.store.StoreTestSupport.failure;
import static dev.trunkline.store.StoreTestSupport.newTenant;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trunkline.contract.Addresses.Store;
import dev.trunkline.contract.StoreMessages.DriftNumber;
import dev.trunkline.contract.StoreMessages.DriftNumberPage;
import dev.trunkline.contract.StoreMessages.DriftSummary;
import dev.trunkline.contract.StoreMessages.DriftSweep;
import dev.trunkline.contract.StoreMessages.DriftTenant;
import dev.trunkline.contract.StoreMessages.ListDriftNumbers;
import dev.trunkline.contract.StoreMessages.PutDriftTenant;
import dev.trunkline.contract.StoreMessages.RecordDriftCheck;
import dev.trunkline.contract.TenantRef;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the drift watch remembers: a drift's start survives later not-OK checks and ends with OK, an ERROR (Retell not
 * asked) is no news, failed repairs count and back off doubling, a repair clears them; policy and sweep summary per
 * tenant, the sweep's cursor, and one tenant never sees or overwrites another's numbers.
 */
@ExtendWith(VertxExtension.class)
class DriftStoreTest {
  private static final long BACKOFF = 60_000;

  @TempDir
  Path dataDir;
  private final String tenant = newTenant();
  private final String otherTenant = newTenant();

  @BeforeEach
  void deploy(Vertx vertx) {
    StoreTestSupport.deploy(vertx, StoreTestSupport.config(dataDir, "k1:" + StoreTestSupport.newKeyBase64()));
  }

  private static DriftNumber record(Vertx vertx, String tenant, String phone, String status, String repair) {
    return call(vertx, Store.DRIFT_NUMBER_RECORD, new RecordDriftCheck(tenant, phone, status, repair, BACKOFF),
        DriftNumber.class);
  }

  @Test
  void aDriftStartsOnceLastsThroughErrorsAndEndsWithOk(Vertx vertx) {
    DriftNumber ok = record(vertx, tenant, "+14155550100", "OK", null);
    assertThat(ok.driftedSince()).isNull();
    assertThat(ok.checkedAt()).isPositive();

    DriftNumber drifted = record(vertx, tenant, "+14155550100", "MISSING_USERNAME", null);
    assertThat(drifted.driftedSince()).isNotNull();
    DriftNumber still = record(vertx, tenant, "+14155550100", "WRONG_USERNAME", null);
    assertThat(still.driftedSince()).as("the drift's start stays").isEqualTo(drifted.driftedSince());
    DriftNumber error = record(vertx, tenant, "+14155550100", "ERROR", null);
    assertThat(error.driftedSince()).as("ERROR is no news").isEqualTo(drifted.driftedSince());

    DriftNumberPage notOk = call(vertx, Store.DRIFT_NUMBERS_LIST, new ListDriftNumbers(tenant, null, null),
        DriftNumberPage.class);
    assertThat(notOk.items()).extracting(DriftNumber::phoneNumber).containsExactly("+14155550100");
    assertThat(call(vertx, Store.DRIFT_NUMBERS_LIST, new ListDriftNumbers(otherTenant, null, null),
        DriftNumberPage.class).items()).isEmpty();

    // A number not checked since a later sweep began (removed from Trunkline since) is left out when asked.
    assertThat(call(vertx, Store.DRIFT_NUMBERS_LIST, new ListDriftNumbers(tenant, null, null,
        error.checkedAt() + 1), DriftNumberPage.class).items()).isEmpty();
    assertThat(call(vertx, Store.DRIFT_NUMBERS_LIST, new ListDriftNumbers(tenant, null, null,
        error.checkedAt()), DriftNumberPage.class).items()).hasSize(1);

    DriftNumber back = record(vertx, tenant, "+14155550100", "OK", null);
    assertThat(back.driftedSince()).isNull();
    assertThat(call(vertx, Store.DRIFT_NUMBERS_LIST, new ListDriftNumbers(tenant, null, null),
        DriftNumberPage.class).items()).isEmpty();
  }

  @Test
  void failedRepairsBackOffDoublingAndARepairClearsThem(Vertx vertx) {
    DriftNumber first = record(vertx, tenant, "+14155550101", "NOT_IN_RETELL", "REPAIR_FAILED");
    assertThat(first.repairFailures()).isEqualTo(1);
    assertThat(first.nextRepairAt() - first.checkedAt()).isEqualTo(2 * BACKOFF);
    DriftNumber second = record(vertx, tenant, "+14155550101", "NOT_IN_RETELL", "REPAIR_FAILED");
    assertThat(second.repairFailures()).isEqualTo(2);
    assertThat(second.nextRepairAt() - second.checkedAt()).isEqualTo(4 * BACKOFF);
    DriftNumber checkedAgain = record(vertx, tenant, "+14155550101", "NOT_IN_RETELL", null);
    assertThat(checkedAgain.repairFailures()).as("a check alone changes no count").isEqualTo(2);
    assertThat(checkedAgain.nextRepairAt()).isEqualTo(second.nextRepairAt());

    DriftNumber repaired = record(vertx, tenant, "+14155550101", "OK", "REPAIRED");
    assertThat(repaired.repairFailures()).isZero();
    assertThat(repaired.nextRepairAt()).isNull();
    assertThat(repaired.repairedAt()).isNotNull();
    assertThat(repaired.driftedSince()).isNull();
  }

  @Test
  void badInputsAndAnotherTenantsNumberAreRefused(Vertx vertx) {
    assertFailure(failure(vertx, Store.DRIFT_NUMBER_RECORD,
        new RecordDriftCheck(tenant, "+14155550102", "BROKEN", null, BACKOFF)), 400, "INVALID_STATUS");
    assertFailure(failure(vertx, Store.DRIFT_NUMBER_RECORD,
        new RecordDriftCheck(tenant, "+14155550102", "OK", "MAYBE", BACKOFF)), 400, "INVALID_REPAIR");
    assertFailure(failure(vertx, Store.DRIFT_TENANT_PUT, new PutDriftTenant(tenant, "ignore", null)),
        400, "INVALID_POLICY");

    record(vertx, tenant, "+14155550103", "OK", null);
    assertFailure(failure(vertx, Store.DRIFT_NUMBER_RECORD,
        new RecordDriftCheck(otherTenant, "+14155550103", "MISSING_USERNAME", null, BACKOFF)),
        409, "NUMBER_OWNED_ELSEWHERE");
  }

  @Test
  void policyAndSummaryPerTenantAndTheSweepsCursor(Vertx vertx) {
    DriftTenant none = call(vertx, Store.DRIFT_TENANT_GET, new TenantRef(tenant), DriftTenant.class);
    assertThat(none.policy()).isEqualTo("report");
    assertThat(none.lastSweep()).isNull();

    call(vertx, Store.DRIFT_TENANT_PUT, new PutDriftTenant(tenant, "repair", null), DriftTenant.class);
    DriftSummary summary = new DriftSummary(1, 2, 10, 7, 3, 0, 2, 1);
    DriftTenant both = call(vertx, Store.DRIFT_TENANT_PUT, new PutDriftTenant(tenant, null, summary),
        DriftTenant.class);
    assertThat(both.policy()).as("a summary leaves the policy").isEqualTo("repair");
    assertThat(both.lastSweep()).isEqualTo(summary);
    assertThat(call(vertx, Store.DRIFT_TENANT_GET, new TenantRef(otherTenant), DriftTenant.class).policy())
        .isEqualTo("report");

    assertThat(call(vertx, Store.DRIFT_SWEEP_GET, new JsonObject(), DriftSweep.class).startedAt()).isZero();
    DriftSweep cursor = new DriftSweep(tenant, "+14155550104", 123, 40, 17);
    call(vertx, Store.DRIFT_SWEEP_PUT, cursor, DriftSweep.class);
    assertThat(call(vertx, Store.DRIFT_SWEEP_GET, new JsonObject(), DriftSweep.class)).isEqualTo(cursor);
  }
}
