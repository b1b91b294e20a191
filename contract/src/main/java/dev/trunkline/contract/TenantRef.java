package dev.trunkline.contract;

/** A request that names only the tenant it is about. */
public record TenantRef(String subaccountId) {}
