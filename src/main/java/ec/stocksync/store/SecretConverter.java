package ec.stocksync.store;

import io.quarkus.arc.Arc;
import jakarta.persistence.AttributeConverter;
import jakarta.persistence.Converter;

/**
 * Encrypts a credential column on its way to the database and decrypts it on the way back, so entities hold plaintext
 * in memory only. Hibernate compares the decrypted values when it checks for changes, so loading a store never
 * rewrites it even though every encryption draws a fresh IV.
 */
@Converter
public class SecretConverter implements AttributeConverter<String, String> {

    // Looked up rather than injected: Hibernate may instantiate converters itself, outside CDI.
    private volatile SecretBox box;

    private SecretBox box() {
        SecretBox b = box;
        if (b == null) {
            b = Arc.container().instance(SecretBox.class).get();
            box = b;
        }
        return b;
    }

    @Override
    public String convertToDatabaseColumn(String plaintext) {
        return box().seal(plaintext);
    }

    @Override
    public String convertToEntityAttribute(String stored) {
        return box().open(stored);
    }
}
