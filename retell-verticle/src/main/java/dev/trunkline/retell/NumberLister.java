package dev.trunkline.retell;

import dev.trunkline.contract.Errors;
import dev.trunkline.contract.RetellMessages.Codes;
import dev.trunkline.contract.RetellMessages.NumberList;
import dev.trunkline.contract.RetellMessages.RetellNumber;
import dev.trunkline.contract.ServiceException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * Lists every number of a workspace by following {@code /v2/list-phone-numbers} pages one after another
 * (sequentially: a list is one caller's work and must not starve the rate limit of the key), up to
 * {@code listMaxPages}; a longer list answers its first pages with {@code truncated = true}.
 */
final class NumberLister {
  private final RetellApi client;
  private final int pageSize;
  private final int maxPages;

  NumberLister(RetellApi client, int pageSize, int maxPages) {
    this.client = client;
    this.pageSize = pageSize;
    this.maxPages = maxPages;
  }

  Future<NumberList> listAll(RequestScope scope) {
    return page(scope, null, 1, new ArrayList<>());
  }

  private Future<NumberList> page(RequestScope scope, String paginationKey, int pageNo, List<RetellNumber> acc) {
    return client.listPage(scope, pageSize, paginationKey).compose(json -> {
      if (!(json.getValue("items") instanceof JsonArray items)) {
        return Future.failedFuture(new ServiceException(Errors.BAD_GATEWAY, Codes.BAD_REPLY,
            "Retell's list reply has no items array"));
      }
      for (Object item : items) {
        if (item instanceof JsonObject number) {
          acc.add(RetellNumbers.from(number));
        }
      }
      String next = RetellNumbers.text(json, "pagination_key");
      boolean more = json.getValue("has_more") instanceof Boolean b && b;
      if (more && (next == null || next.isEmpty())) {
        // Retell says there is more but not how to get it: a list that stopped here would look complete.
        return Future.failedFuture(new ServiceException(Errors.BAD_GATEWAY, Codes.BAD_REPLY,
            "Retell's list reply says has_more but gives no pagination_key (page " + pageNo + ")"));
      }
      if (!more) {
        return Future.succeededFuture(new NumberList(List.copyOf(acc), false));
      }
      if (pageNo >= maxPages || next.equals(paginationKey)) {
        // Bounded on purpose: a runaway (or looping) pagination must not hold a request forever.
        return Future.succeededFuture(new NumberList(List.copyOf(acc), true));
      }
      return page(scope, next, pageNo + 1, acc);
    });
  }
}
