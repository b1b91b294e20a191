package dev.trunkline.twilio.numbers;

import dev.trunkline.contract.Identifiers;
import dev.trunkline.contract.ServiceException;
import dev.trunkline.contract.StoreMessages.Trunk;
import dev.trunkline.contract.TwilioMessages.AvailableNumbers;
import dev.trunkline.contract.TenantNumber;
import dev.trunkline.contract.TwilioMessages.NumberRemoved;
import dev.trunkline.contract.TwilioMessages.Released;
import dev.trunkline.contract.TwilioMessages.SearchNumbers;
import dev.trunkline.contract.TwilioMessages.TrunkNumber;
import dev.trunkline.contract.TwilioMessages.TrunkNumbers;
import dev.trunkline.twilio.TwilioTenant;
import dev.trunkline.twilio.client.Resources.PhoneNumber;
import dev.trunkline.twilio.client.TwilioApi;
import dev.trunkline.twilio.client.TwilioApiException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A tenant's phone numbers in Twilio: search, purchase onto the trunk, import an owned number onto the trunk,
 * list, remove from the trunk, release. Only numbers on the tenant's own trunk are ever released, and a
 * purchase buys exactly the number asked for or nothing. Mutations run under the tenant's lock (the caller's).
 */
public final class NumberService {
  private static final Logger LOG = LoggerFactory.getLogger(NumberService.class);
  /** Twilio: "the phone number is not available" (someone else bought it, or it was never free). */
  static final int NUMBER_UNAVAILABLE = 21422;
  private static final int DEFAULT_LIMIT = 20;
  private static final int MAX_LIMIT = 50;

  private final TwilioApi api;

  public NumberService(TwilioApi api) {
    this.api = api;
  }

  public Future<AvailableNumbers> search(TwilioTenant tenant, SearchNumbers request) {
    String country = request.countryCode() == null ? "US" : request.countryCode().toUpperCase(Locale.ROOT);
    if (!Identifiers.COUNTRY_CODE.matcher(country).matches()) {
      throw ServiceException.badRequest("INVALID_COUNTRY_CODE", "countryCode must be an ISO 3166 alpha-2 code "
          + "such as US or GB");
    }
    String resource = switch (request.type() == null ? "local" : request.type()) {
      case "local" -> "Local";
      case "mobile" -> "Mobile";
      case "tollFree" -> "TollFree";
      default -> throw ServiceException.badRequest("INVALID_NUMBER_TYPE",
          "type must be one of local, mobile, tollFree");
    };
    Integer areaCode = null;
    if (request.areaCode() != null) {
      if (!country.equals("US") && !country.equals("CA")) {
        throw ServiceException.badRequest("INVALID_AREA_CODE",
            "areaCode can only be used for US and CA numbers; use contains for other countries");
      }
      if (!Identifiers.AREA_CODE.matcher(request.areaCode()).matches()) {
        throw ServiceException.badRequest("INVALID_AREA_CODE",
            "areaCode must be a 3-digit North American area code (200-999), such as 415");
      }
      areaCode = Integer.valueOf(request.areaCode());
    }
    if (request.contains() != null && !Identifiers.CONTAINS.matcher(request.contains()).matches()) {
      throw ServiceException.badRequest("INVALID_CONTAINS",
          "contains must be 2 to 16 characters of digits, letters or *");
    }
    int limit = request.limit() == null ? DEFAULT_LIMIT : request.limit();
    if (limit < 1 || limit > MAX_LIMIT) {
      throw ServiceException.badRequest("INVALID_LIMIT", "limit must be between 1 and " + MAX_LIMIT);
    }
    return api.searchAvailablePhoneNumbers(tenant.auth(), country, resource, areaCode, request.contains(), limit)
        .map(AvailableNumbers::new);
  }

  /**
   * Buys exactly {@code phoneNumber} onto the tenant's trunk (with its address and bundle SIDs when stored).
   * A number the account already has on this trunk is returned as is (a retried purchase never buys twice);
   * one that is gone is a 409, never a different number.
   */
  public Future<TrunkNumber> purchase(TwilioTenant tenant, TenantNumber request) {
    String phone = Identifiers.requirePhoneNumber(request.phoneNumber());
    Trunk trunk = tenant.trunk();
    String trunkSid = tenant.requireTrunkSid();
    return api.findIncomingPhoneNumbers(tenant.auth(), phone).compose(owned -> {
      Optional<PhoneNumber> existing = owned.stream().findFirst();
      if (existing.isPresent()) {
        PhoneNumber n = existing.get();
        if (trunkSid.equals(n.trunkSid())) {
          return Future.succeededFuture(toTrunkNumber(n, trunkSid));
        }
        return Future.failedFuture(ServiceException.conflict("NUMBER_ALREADY_OWNED", n.trunkSid() == null
            ? "the Twilio account already owns this number: import it instead of buying it"
            : "the Twilio account already owns this number on another trunk"));
      }
      return api.purchasePhoneNumber(tenant.auth(), phone, trunkSid, trunk.addressSid(),
              trunk.emergencyAddressSid(), trunk.bundleSid())
          .recover(err -> Future.failedFuture(unavailable(err)))
          .map(bought -> {
            if (!phone.equals(bought.phoneNumber())) {
              // Cannot happen with a PhoneNumber purchase; if Twilio ever did it, say so loudly.
              LOG.error("request {}: tenant {} asked Twilio for {} and got {} ({})", tenant.requestId(),
                  tenant.subaccountId(), phone, bought.phoneNumber(), bought.sid());
            } else {
              LOG.info("request {}: tenant {} bought {} ({}) onto trunk {}", tenant.requestId(),
                  tenant.subaccountId(), phone, bought.sid(), trunkSid);
            }
            return toTrunkNumber(bought, trunkSid);
          });
    });
  }

  private static Throwable unavailable(Throwable err) {
    if (err instanceof TwilioApiException e && e.hasCode(NUMBER_UNAVAILABLE)) {
      return new ServiceException(409, "NUMBER_UNAVAILABLE",
          "this phone number is no longer available; search again and pick another",
          new JsonObject().put("twilioCode", NUMBER_UNAVAILABLE));
    }
    return err;
  }

  /** Points a number the tenant's Twilio account already owns at the tenant's trunk. */
  public Future<TrunkNumber> importNumber(TwilioTenant tenant, TenantNumber request) {
    String phone = Identifiers.requirePhoneNumber(request.phoneNumber());
    String trunkSid = tenant.requireTrunkSid();
    return api.findIncomingPhoneNumbers(tenant.auth(), phone).compose(owned -> {
      if (owned.isEmpty()) {
        return Future.failedFuture(ServiceException.notFound("NUMBER_NOT_FOUND",
            "the tenant's Twilio account does not own this number"));
      }
      PhoneNumber n = owned.get(0);
      if (trunkSid.equals(n.trunkSid())) {
        return Future.succeededFuture(toTrunkNumber(n, trunkSid));
      }
      if (n.trunkSid() != null && !n.trunkSid().isBlank()) {
        return Future.failedFuture(ServiceException.conflict("NUMBER_ON_OTHER_TRUNK",
            "the number is on another trunk; remove it there first"));
      }
      return api.associatePhoneNumber(tenant.auth(), trunkSid, n.sid())
          .map(associated -> toTrunkNumber(new PhoneNumber(n.sid(), n.phoneNumber(), trunkSid,
              n.friendlyName()), trunkSid));
    });
  }

  public Future<TrunkNumbers> list(TwilioTenant tenant) {
    String trunkSid = tenant.requireTrunkSid();
    return api.listTrunkPhoneNumbers(tenant.auth(), trunkSid)
        .map(numbers -> new TrunkNumbers(numbers.stream().map(n -> toTrunkNumber(n, trunkSid)).toList()));
  }

  /** Takes a number off the trunk; it stays in the account. Not on the trunk: {@code removed=false}. */
  public Future<NumberRemoved> remove(TwilioTenant tenant, TenantNumber request) {
    String phone = Identifiers.requirePhoneNumber(request.phoneNumber());
    String trunkSid = tenant.requireTrunkSid();
    return onTrunk(tenant, trunkSid, phone).compose(found -> found.isEmpty()
        ? Future.succeededFuture(new NumberRemoved(phone, trunkSid, false))
        : api.removeTrunkPhoneNumber(tenant.auth(), trunkSid, found.get().sid())
            .map(v -> new NumberRemoved(phone, trunkSid, true)));
  }

  /** Releases a number from the Twilio account, only when it is on the tenant's trunk. */
  public Future<Released> release(TwilioTenant tenant, TenantNumber request) {
    String phone = Identifiers.requirePhoneNumber(request.phoneNumber());
    String trunkSid = tenant.requireTrunkSid();
    return api.findIncomingPhoneNumbers(tenant.auth(), phone).compose(owned -> {
      if (owned.isEmpty()) {
        return Future.failedFuture(ServiceException.notFound("NUMBER_NOT_FOUND",
            "the tenant's Twilio account does not own this number"));
      }
      PhoneNumber n = owned.get(0);
      if (!trunkSid.equals(n.trunkSid())) {
        return Future.failedFuture(ServiceException.conflict("NUMBER_NOT_ON_TRUNK",
            "only a number on the tenant's own trunk can be released"));
      }
      return api.releasePhoneNumber(tenant.auth(), n.sid()).map(v -> {
        LOG.info("request {}: tenant {} released {} ({})", tenant.requestId(), tenant.subaccountId(), phone, n.sid());
        return new Released(phone, true);
      });
    });
  }

  private Future<Optional<PhoneNumber>> onTrunk(TwilioTenant tenant, String trunkSid, String phone) {
    return api.listTrunkPhoneNumbers(tenant.auth(), trunkSid)
        .map(numbers -> numbers.stream().filter(n -> phone.equals(n.phoneNumber())).findFirst());
  }

  private static TrunkNumber toTrunkNumber(PhoneNumber n, String trunkSid) {
    return new TrunkNumber(n.phoneNumber(), n.sid(), n.trunkSid() == null ? trunkSid : n.trunkSid(),
        n.friendlyName());
  }
}
