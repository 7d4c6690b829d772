package ec.stocksync.store;

import java.util.Arrays;
import java.util.Optional;

public enum Platform {
    SHOPIFY, WOOCOMMERCE;

    public String code() {
        return name().toLowerCase();
    }

    public static Optional<Platform> fromCode(String code) {
        return Arrays.stream(values()).filter(p -> p.code().equals(code)).findFirst();
    }
}
