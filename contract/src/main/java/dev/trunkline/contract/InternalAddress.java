package dev.trunkline.contract;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * An address for Trunkline's own verticles only. Calling it from outside skips a guard that the flow around it
 * provides ({@link #value()} says which), or hands out a decrypted secret. A sibling verticle uses the
 * {@link Addresses.Provisioning} flow instead.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
public @interface InternalAddress {
  /** Why it is internal: the guard a direct call would skip, or the secret it returns. */
  String value();
}
