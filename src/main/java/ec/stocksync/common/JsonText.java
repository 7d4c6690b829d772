package ec.stocksync.common;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Our own records as JSON text, for JSONB columns (bound as {@code $n::text::jsonb}: a Java String bound straight to
 * jsonb would be stored as a JSON string, not an object).
 */
@ApplicationScoped
public class JsonText {

    @Inject
    ObjectMapper mapper;

    public String of(Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            // Only our own records and collections come here: failing to serialize them is a bug, not an input error.
            throw new IllegalStateException("cannot serialize " + value.getClass().getSimpleName(), e);
        }
    }
}
