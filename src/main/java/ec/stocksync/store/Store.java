package ec.stocksync.store;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.OffsetDateTime;

/** A storefront (Shopify shop or WooCommerce site) whose stock follows Contifico. */
@Entity
@Table(name = "stores")
public class Store extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    public String name;
    /** {@link Platform#code()}. */
    public String platform;
    @Column(name = "shop_domain")
    public String shopDomain;
    @Column(name = "site_url")
    public String siteUrl;
    @Column(name = "api_base_url")
    public String apiBaseUrl;
    @Column(name = "access_token")
    @Convert(converter = SecretConverter.class)
    public String accessToken;
    @Column(name = "consumer_key")
    @Convert(converter = SecretConverter.class)
    public String consumerKey;
    @Column(name = "consumer_secret")
    @Convert(converter = SecretConverter.class)
    public String consumerSecret;
    @Column(name = "webhook_secret")
    @Convert(converter = SecretConverter.class)
    public String webhookSecret;
    @Column(name = "previous_webhook_secret")
    @Convert(converter = SecretConverter.class)
    public String previousWebhookSecret;
    @Column(name = "location_id")
    public String locationId;
    @Column(name = "process_test_orders")
    public boolean processTestOrders;
    @Column(name = "refunds_restock")
    public boolean refundsRestock;
    @Column(name = "scheduled_pull_enabled")
    public boolean scheduledPullEnabled = true;
    /** WooCommerce items with stock management off are left alone by pulls unless the merchant opts in. */
    @Column(name = "sync_unmanaged_stock")
    public boolean syncUnmanagedStock;
    /**
     * Whether webhook events also keep the raw delivery body (customer data included) for debugging; off by default
     * and purged after stocksync.retention.webhook-payloads, since only a minimised copy is needed (DESIGN rule 11).
     */
    @Column(name = "keep_raw_payloads")
    public boolean keepRawPayloads;
    public boolean active = true;
    @Column(name = "created_at")
    public OffsetDateTime createdAt;
    @Column(name = "updated_at")
    public OffsetDateTime updatedAt;

    public Platform platformEnum() {
        return Platform.fromCode(platform).orElseThrow();
    }
}
