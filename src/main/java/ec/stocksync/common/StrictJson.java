package ec.stocksync.common;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;

import java.lang.reflect.Type;
import java.util.function.BiFunction;

/**
 * How the admin API reads request bodies (through {@code @CustomDeserialization} on its resources): an unknown field
 * is an error, so a typo like {@code webhookSecrt} is refused instead of silently keeping the old secret, and JSON types
 * are taken as written ({@code "true"}, {@code 1} or {@code 2.5} are not a boolean, a string or a whole number). The
 * application's own mapper stays lenient on purpose: Contifico and the storefronts add fields to their answers.
 */
public class StrictJson implements BiFunction<ObjectMapper, Type, ObjectReader> {

    private static volatile ObjectMapper strict;

    @Override
    public ObjectReader apply(ObjectMapper mapper, Type type) {
        return strict(mapper).readerFor(strict(mapper).constructType(type));
    }

    @SuppressWarnings("deprecation")
    private static ObjectMapper strict(ObjectMapper base) {
        ObjectMapper m = strict;
        if (m == null) {
            m = base.copy()
                    .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                    .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                    .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS);
            // Scalars-to-text is not covered by the feature above.
            m.coercionConfigFor(LogicalType.Textual)
                    .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
            strict = m;
        }
        return m;
    }
}
