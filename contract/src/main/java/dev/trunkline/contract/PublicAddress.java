package dev.trunkline.contract;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * An address a sibling verticle may call (or, for events, listen to): it reads without secrets, or it runs a whole
 * flow with every guard Trunkline's own REST API has (tenant locks, credential leases, idempotency, verification).
 * docs/event-bus.md lists each with its contract. The opposite is {@link InternalAddress}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
public @interface PublicAddress {}
