package ec.stocksync.common;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** The one error shape of the whole API. */
@RegisterForReflection
public record ErrorBody(String error, String message) {
}
