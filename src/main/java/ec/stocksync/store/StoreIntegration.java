package ec.stocksync.store;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import io.smallrye.mutiny.Uni;
import jakarta.persistence.Column;
import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.OffsetDateTime;
import java.util.List;

/** A store's connection to Contifico: where it lives, its credentials and the warehouse whose stock the store sells. */
@Entity
@Table(name = "store_integrations")
public class StoreIntegration extends PanacheEntityBase {

    public static final String CONTIFICO = "contifico";
    public static final String DEFAULT_CONTIFICO_BASE_URL = "https://api.contifico.com/sistema/api";

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "store_id")
    public Long storeId;
    public String provider;
    @Column(name = "base_url")
    public String baseUrl;
    @Column(name = "api_key")
    @Convert(converter = SecretConverter.class)
    public String apiKey;
    @Column(name = "pos_token")
    @Convert(converter = SecretConverter.class)
    public String posToken;
    @Column(name = "warehouse_id")
    public String warehouseId;
    public boolean active = true;
    @Column(name = "created_at")
    public OffsetDateTime createdAt;
    @Column(name = "updated_at")
    public OffsetDateTime updatedAt;

    public static Uni<StoreIntegration> findActive(long storeId) {
        return find("storeId = ?1 and active = true", storeId).firstResult();
    }

    public static Uni<List<StoreIntegration>> listForStore(long storeId) {
        return list("storeId = ?1 order by id", storeId);
    }
}
