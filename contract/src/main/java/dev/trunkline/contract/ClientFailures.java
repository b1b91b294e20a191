package dev.trunkline.contract;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns any failure into one fit for a client, in one place for the gateway's responses and the provisioning
 * service's per-number results: service failures keep their status and code (they are written for clients); what
 * could expose internals is replaced. A 500 says only "internal error"; a missing consumer names the service, not
 * its address; a message that did not fit its record ({@code BAD_MESSAGE}, a contract mismatch between two
 * Trunkline parts) is our bug and so a 500.
 */
public final class ClientFailures {
  private static final Logger LOG = LoggerFactory.getLogger(ClientFailures.class);
  private static final Pattern SERVICE_ADDRESS =
      Pattern.compile("trunkline\\.(store|twilio|retell|provisioning)\\.v\\d+\\.");

  private ClientFailures() {}

  public static ServiceException sanitize(Throwable failure) {
    ServiceException e = ServiceException.from(failure);
    if (Errors.BAD_MESSAGE.equals(e.code())) {
      // Only the part before the colon is logged: the decoder's detail after it may quote a field's value, which
      // can be a secret.
      String what = e.getMessage() == null ? "" : e.getMessage();
      LOG.error("contract mismatch on the bus: {}",
          what.contains(":") ? what.substring(0, what.indexOf(':')) : what);
      return internal();
    }
    if (e.status() == 500 || e.status() < 400 || e.status() > 599) {
      return internal();
    }
    if (e.status() == 503 && "SERVICE_UNAVAILABLE".equals(e.code())) {
      // Nobody consumes the address: in a cluster, no live node runs that role (e.g. the store node died).
      // Name the service, not the address, so an operator knows which role to bring back.
      return new ServiceException(503, "SERVICE_UNAVAILABLE", serviceName(e.getMessage())
          + " is unavailable (no running node serves it); try again later");
    }
    return e;
  }

  /** "the store service" for a message naming {@code trunkline.store.v1.*}; "a required service" otherwise. */
  public static String serviceName(String message) {
    Matcher m = SERVICE_ADDRESS.matcher(message == null ? "" : message);
    return m.find() ? "the " + m.group(1) + " service" : "a required service";
  }

  public static ServiceException internal() {
    return new ServiceException(500, "INTERNAL_ERROR", "internal error");
  }
}
