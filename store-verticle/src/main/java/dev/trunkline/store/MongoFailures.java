package dev.trunkline.store;

import com.mongodb.MongoBulkWriteException;
import com.mongodb.MongoServerException;
import com.mongodb.MongoSocketException;
import com.mongodb.MongoTimeoutException;
import dev.trunkline.contract.ServiceException;
import io.vertx.core.Future;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Turns MongoDB driver failures into the store's bus failures. */
final class MongoFailures {
  private static final Logger LOG = LoggerFactory.getLogger(MongoFailures.class);
  static final int DUPLICATE_KEY = 11000;

  private MongoFailures() {}

  /** True when the failure (or one of its causes) is a unique-index violation. */
  static boolean isDuplicateKey(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof MongoBulkWriteException bulk
          && bulk.getWriteErrors().stream().anyMatch(e -> e.getCode() == DUPLICATE_KEY)) {
        return true;
      }
      if (t instanceof MongoServerException server && server.getCode() == DUPLICATE_KEY) {
        return true;
      }
    }
    return false;
  }

  /**
   * Runs an upsert, and once more when it loses a creation race: two upserts that both miss insert at once
   * and one gets a duplicate key; the retry then finds the document and updates it. A second duplicate key
   * is a real conflict and is returned as it is.
   */
  static <T> Future<T> upsertWithRetry(Supplier<Future<T>> upsert) {
    return upsert.get().recover(err -> isDuplicateKey(err) ? upsert.get() : Future.failedFuture(err));
  }

  /**
   * Maps anything that is not already a ServiceException: a duplicate key is 409, an unreachable database
   * 503, the rest 500 (logged here by class only: driver messages can quote documents).
   */
  static Throwable toServiceFailure(Throwable error, String operation) {
    if (error instanceof ServiceException) {
      return error;
    }
    if (isDuplicateKey(error)) {
      return ServiceException.conflict("DUPLICATE", operation + " conflicts with an existing record");
    }
    if (error instanceof MongoTimeoutException || error instanceof MongoSocketException) {
      LOG.warn("{}: the database did not answer in time", operation);
      return ServiceException.unavailable("STORE_UNAVAILABLE", "the database is not reachable");
    }
    LOG.error("{} failed: {}", operation, error.getClass().getName());
    return new ServiceException(500, "STORE_ERROR", operation + " failed in the database");
  }
}
