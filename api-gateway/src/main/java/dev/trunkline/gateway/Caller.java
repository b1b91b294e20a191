package dev.trunkline.gateway;

import java.util.Set;

/**
 * Who is calling, from a verified token.
 *
 * @param subject the token's {@code sub}
 * @param subaccounts the tenants the caller may act for; {@code "*"} means every tenant (platform operators)
 */
record Caller(String subject, Set<String> subaccounts) {
  static final String ANY = "*";

  boolean mayAct(String subaccountId) {
    return subaccounts.contains(ANY) || subaccounts.contains(subaccountId.toLowerCase());
  }
}
