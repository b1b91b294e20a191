package dev.trunkline.contract;

import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * What a typed client ({@link StoreClient}, {@link TwilioClient}, {@link RetellClient}) sends its requests with: one
 * caller's correlation (its request id and the tenant it acts for, both sent as headers) and the timeout of a call
 * that names none, around {@link Bus#request}.
 *
 * <p>{@link #of} sends plainly. A caller with a failure policy of its own implements it instead, so that every
 * typed call goes through that policy (the provisioning service turns an upstream's refused credential into a 502).
 */
public interface BusCaller {
  /** The timeout of a request that names none, in milliseconds. */
  long timeoutMs();

  /**
   * Sends {@code body} to {@code address} and maps the reply to {@code replyType}. Fails with a
   * {@link ServiceException}: the consumer's own failure, 503 when nobody consumes the address, 504 after
   * {@code timeout} milliseconds.
   */
  <R> Future<R> request(String address, Object body, Class<R> replyType, long timeout);

  /**
   * @param timeoutMs the timeout of a request that names none
   * @param requestId sent as {@link Headers#REQUEST_ID}; null lets the bus make one up for each request
   * @param tenant sent as {@link Headers#TENANT}, or null to send none (a consumer then reads the body's
   *     {@code subaccountId})
   */
  static BusCaller of(Vertx vertx, long timeoutMs, String requestId, String tenant) {
    return new Direct(vertx, timeoutMs, requestId, tenant);
  }

  /** {@link Bus#request} with fixed correlation headers, nothing else. */
  record Direct(Vertx vertx, long timeoutMs, String requestId, String tenant) implements BusCaller {
    @Override
    public <R> Future<R> request(String address, Object body, Class<R> replyType, long timeout) {
      return Bus.request(vertx, address, body, replyType, timeout, requestId, tenant);
    }
  }
}
