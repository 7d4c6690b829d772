package ec.stocksync.common;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks an /api endpoint that store-bound tokens may call because it confines itself to the caller's store (through
 * {@link Caller}). Everything not marked is admin-only: a new endpoint is closed to store tokens until someone has
 * thought about it.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface StoreScoped {
}
