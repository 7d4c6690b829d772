package ec.stocksync.common;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.BeanProperty;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.deser.ContextualDeserializer;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.io.IOException;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * A request record together with the names of the fields the client sent. PUT and PATCH need both: "absent" keeps the
 * stored value while {@code null} clears it, and a record (like Jackson 2.x's {@code Optional}) reads both as null.
 * The record itself is read as usual (strictly, under {@link StrictJson}); only the field names are added.
 */
@JsonDeserialize(using = Sent.Reader.class)
public record Sent<T>(T value, Set<String> fields) {

    public boolean has(String field) {
        return fields.contains(field);
    }

    @RegisterForReflection
    static final class Reader extends StdDeserializer<Sent<?>> implements ContextualDeserializer {

        private final JavaType valueType;

        Reader() {
            this(null);
        }

        private Reader(JavaType valueType) {
            super(Sent.class);
            this.valueType = valueType;
        }

        @Override
        public JsonDeserializer<?> createContextual(DeserializationContext ctxt, BeanProperty property) {
            JavaType type = property != null ? property.getType() : ctxt.getContextualType();
            return new Reader(type.containedTypeOrUnknown(0));
        }

        @Override
        public Sent<?> deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            JsonNode tree = ctxt.readTree(p);
            if (!tree.isObject()) {
                return (Sent<?>) ctxt.reportInputMismatch(this, "The request body must be a JSON object.");
            }
            Set<String> names = new LinkedHashSet<>();
            tree.fieldNames().forEachRemaining(names::add);
            return new Sent<>(ctxt.readTreeAsValue(tree, valueType), Set.copyOf(names));
        }
    }
}
