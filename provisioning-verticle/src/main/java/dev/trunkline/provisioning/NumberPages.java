package dev.trunkline.provisioning;

import dev.trunkline.contract.StoreMessages.ListNumbers;
import dev.trunkline.contract.TenantNumber;
import dev.trunkline.contract.StoreMessages.PhoneNumber;
import dev.trunkline.contract.StoreMessages.RetellStatus;
import dev.trunkline.contract.ServiceException;
import io.vertx.core.Future;
import java.util.List;

/**
 * The tenant's phone numbers as a {@link BoundedFanOut.PageSource}: read from the store one page at a time
 * (so 10,000 numbers never sit in memory as one list), skipping numbers recorded as removed.
 */
final class NumberPages implements BoundedFanOut.PageSource<PhoneNumber> {
  private final ServiceCalls up;
  private final String subaccountId;
  private final int pageSize;
  private String after;

  private NumberPages(ServiceCalls up, String subaccountId, int pageSize) {
    this.up = up;
    this.subaccountId = subaccountId;
    this.pageSize = pageSize;
  }

  static NumberPages all(ServiceCalls up, String subaccountId, int pageSize) {
    return new NumberPages(up, subaccountId, pageSize);
  }

  /** Just the named number; 404 NUMBER_NOT_FOUND when the tenant has no such number. */
  static Future<BoundedFanOut.PageSource<PhoneNumber>> one(ServiceCalls up, String subaccountId,
      String phoneNumber) {
    return ServiceCalls.orNull(up.store().number(new TenantNumber(subaccountId, phoneNumber)))
        .compose(n -> n == null || n.retellStatus() == RetellStatus.REMOVED
            ? Future.failedFuture(new ServiceException(404, "NUMBER_NOT_FOUND",
                "phone number " + phoneNumber + " is not a number of this subaccount"))
            : Future.succeededFuture(BoundedFanOut.PageSource.of(List.of(n))));
  }

  @Override
  public Future<BoundedFanOut.Page<PhoneNumber>> next() {
    return up.store().listNumbers(new ListNumbers(subaccountId, pageSize, after))
        .map(page -> {
          after = page.next();
          List<PhoneNumber> live = page.items() == null ? List.of() : page.items().stream()
              .filter(n -> n.retellStatus() != RetellStatus.REMOVED)
              .toList();
          return new BoundedFanOut.Page<>(live, after == null || after.isEmpty());
        });
  }
}
