package dev.trunkline.contract;

/**
 * A request about one phone number of one tenant, to the store (its number record) or to Twilio (the number on
 * the tenant's trunk). The Retell service names numbers by API key instead: {@link RetellMessages.KeyedNumber}.
 */
public record TenantNumber(String subaccountId, String phoneNumber) {}
