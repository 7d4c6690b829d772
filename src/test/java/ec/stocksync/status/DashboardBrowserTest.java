package ec.stocksync.status;

import ec.stocksync.sandbox.contifico.ContificoSimulator;
import ec.stocksync.movement.MovementWorker;
import ec.stocksync.support.Api;
import ec.stocksync.support.Sandbox;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The dashboard in headless Chromium, end to end: token, rows with figures, a signed sale sent from the page, and the
 * row turning "Por venta" with both figures moved. Runs with {@code -Pbrowser}; skips where Debian's chromium and
 * chromedriver are not installed, unless {@code -Dbrowser.test.required=true} (CI) makes their absence a failure.
 */
@QuarkusTest
@Tag("browser")
class DashboardBrowserTest {

    static final Path CHROMIUM = Path.of(System.getProperty("browser.test.chromium", "/usr/bin/chromium"));
    static final Path CHROMEDRIVER = Path.of(System.getProperty("browser.test.chromedriver", "/usr/bin/chromedriver"));
    static final Duration WAIT = Duration.ofSeconds(20);

    @Inject
    Sandbox sandbox;
    @Inject
    MovementWorker worker;
    @Inject
    ec.stocksync.support.Db db;

    @TestHTTPResource("/")
    URL root;

    WebDriver driver;
    Sandbox.Wired store;
    String camProductId;
    String ptProductId;

    @BeforeEach
    void setUp() {
        boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if (Boolean.getBoolean("browser.test.required")) {
            assertTrue(present, "chromium and chromedriver are required here: apt-get install -y chromium chromium-driver");
        }
        assumeTrue(present, "chromium/chromedriver not installed (apt-get install -y chromium chromium-driver)");

        sandbox.reset();
        store = sandbox.shopifyStore();
        ptProductId = sandbox.product(store, "PT-0002-50ml", 101, 101);
        camProductId = sandbox.product(store, "CAM-001-M", 25, 25);
        Api.admin().body(Map.of("skus", List.of("PT-0002-50ml", "CAM-001-M"), "skipRecentPushCheck", true))
                .post("/api/stores/" + store.storeId() + "/pull/selective").then().statusCode(200);
        worker.main().start();

        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-dev-shm-usage", "--window-size=1400,1100", "--lang=es-EC");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
    }

    @AfterEach
    void tearDown() {
        if (driver != null) {
            driver.quit();
        }
        worker.main().stop();
    }

    @Test
    void aSaleSentFromTheDashboardTurnsTheRowPorVentaWithBothFiguresUpdated() throws IOException {
        WebDriverWait wait = new WebDriverWait(driver, WAIT);
        driver.get(root + "?storeId=" + store.storeId());

        WebElement token = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("token")));
        token.sendKeys(Api.ADMIN_TOKEN);
        driver.findElement(By.id("login-save")).click();

        By row = By.cssSelector("tr[data-sku='PT-0002-50ml']");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(cell(row, "store-stock"), "101"));
        assertEquals("101", driver.findElement(cell(row, "contifico-stock")).getText());
        assertEquals("Sincronizado", driver.findElement(cell(row, "status")).getText());
        assertEquals("Manual", driver.findElement(cell(row, "trigger")).getText());
        assertEquals("Stock Tienda", driver.findElement(By.cssSelector("th[data-sort='storeStock']")).getText());
        assertTrue(driver.findElement(By.id("refreshed")).getText().startsWith("Actualizado"));

        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("demo")));
        new Select(driver.findElement(By.id("demo-sku"))).selectByValue("PT-0002-50ml");
        WebElement qty = driver.findElement(By.id("demo-qty"));
        qty.clear();
        qty.sendKeys("2");
        driver.findElement(By.id("demo-sale")).click();

        wait.until(ExpectedConditions.textToBePresentInElementLocated(cell(row, "trigger"), "Por venta"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(cell(row, "store-stock"), "99"));
        assertEquals("99", driver.findElement(cell(row, "contifico-stock")).getText());
        assertEquals("Sincronizado", driver.findElement(cell(row, "status")).getText());
        assertTrue(driver.findElement(By.id("demo-result")).getText().contains("webhook 200"),
                driver.findElement(By.id("demo-result")).getText());
        // The other SKU did not move.
        assertEquals("25", driver.findElement(cell(By.cssSelector("tr[data-sku='CAM-001-M']"), "store-stock")).getText());

        Path shot = Path.of("target", "dashboard-browser-test.png");
        Files.createDirectories(shot.getParent());
        File png = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
        Files.copy(png.toPath(), shot, StandardCopyOption.REPLACE_EXISTING);
        System.out.println("Dashboard screenshot: " + shot.toAbsolutePath());
        assertTrue(Files.size(shot) > 10_000, "the screenshot is not empty");

        // Contifico moves on its own; the preview lists what a full pull would write, and writes nothing.
        sandbox.contifico().setStock(camProductId, store.warehouseId(), new java.math.BigDecimal("30"));
        driver.findElement(By.id("dry-run")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("pull-result"), "Vista previa"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("pull-result"), "CAM-001-M"));
        assertEquals(25, sandbox.shopify().available("CAM-001-M"));
        By cam = By.cssSelector("tr[data-sku='CAM-001-M']");
        assertEquals("Manual", driver.findElement(cell(cam, "trigger")).getText(), "a dry run leaves the table as it was");

        // A real pull runs in the background: the page shows its progress bar, then its summary.
        sandbox.contifico().setFault(ContificoSimulator.Endpoint.PRODUCT_STOCK, ContificoSimulator.Fault.latency(600, -1));
        driver.findElement(By.id("sync-now")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("pull-progress")));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("pull-result"), "Resultado de la sincronización"));
        sandbox.contifico().clearFaults();
        assertEquals(30, sandbox.shopify().available("CAM-001-M"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(cell(cam, "store-stock"), "30"));

        // Contifico suddenly reads 0 for a dozen SKUs the shop sells: the pull stops, says why in Spanish, writes nothing.
        for (int i = 0; i < 12; i++) {
            sandbox.product(store, "ZERO-%02d".formatted(i), 0, 5);
        }
        Api.admin().post("/api/stores/" + store.storeId() + "/catalog/import").then().statusCode(200);
        driver.findElement(By.id("sync-now")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("pull-result"), "no se escribió nada"));
        assertTrue(driver.findElement(By.id("pull-result")).getText().contains("pasarían de tener stock a 0"));
        assertEquals(5, sandbox.shopify().available("ZERO-00"));
        driver.findElement(By.id("pull-force")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("pull-result"), "Resultado de la sincronización"));
        assertEquals(0, sandbox.shopify().available("ZERO-00"));

        // Contifico below 0: the shop shows 0, in step, and the row says why the figures differ.
        sandbox.contifico().setStock(camProductId, store.warehouseId(), new java.math.BigDecimal("-5"));
        driver.findElement(By.id("sync-now")).click();
        // es-EC may write the minus sign as U+2212.
        wait.until(ExpectedConditions.textMatches(cell(cam, "contifico-stock"), java.util.regex.Pattern.compile("[-\u2212]5")));
        wait.until(ExpectedConditions.textToBe(cell(cam, "store-stock"), "0"));
        assertEquals("Sincronizado", driver.findElement(cell(cam, "status")).getText());
        assertEquals("negativo en Contifico: publicado 0", driver.findElement(cell(cam, "negative-hint")).getText());
        // The date stays on one line ("p. m." is not split).
        assertEquals("nowrap", driver.findElement(cell(cam, "updated")).getCssValue("white-space"));

        // The API's errors reach the merchant in Spanish.
        WebElement quantity = driver.findElement(By.id("demo-qty"));
        quantity.clear();
        quantity.sendKeys("5000");
        driver.findElement(By.id("demo-sale")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("demo-result"), "La cantidad debe ser"));
    }

    void screenshot(String name) {
        try {
            Path shot = Path.of("target", name);
            Files.createDirectories(shot.getParent());
            Files.copy(((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE).toPath(), shot,
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            System.out.println("no screenshot: " + e);
        }
    }

    static By cell(By row, String cls) {
        String r = row.toString().replace("By.cssSelector: ", "");
        return By.cssSelector(r + " ." + cls);
    }

    @Test
    void aReadOnlyStoreTokenSeesItsStoreAndNoButtonThatWouldChangeAnything() {
        long other = Api.createWooStore();
        String token = Api.admin().body(Map.of("name", "mostrador", "storeId", store.storeId(), "access", "read-only"))
                .post("/api/tokens").then().statusCode(201).extract().jsonPath().getString("token");
        WebDriverWait wait = new WebDriverWait(driver, WAIT);
        driver.get(root.toString());
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("token"))).sendKeys(token);
        driver.findElement(By.id("login-save")).click();

        By row = By.cssSelector("tr[data-sku='PT-0002-50ml']");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(cell(row, "store-stock"), "101"));
        assertEquals("Tienda #" + store.storeId() + " · solo lectura", driver.findElement(By.id("who")).getText());
        List<String> offered = new Select(driver.findElement(By.id("store"))).getOptions().stream()
                .map(o -> o.getAttribute("value")).toList();
        assertEquals(List.of(String.valueOf(store.storeId())), offered, "store " + other + " must not be offered");
        assertFalse(driver.findElement(By.id("sync-now")).isDisplayed());
        assertFalse(driver.findElement(By.id("dry-run")).isDisplayed());
        assertFalse(driver.findElement(By.id("demo")).isDisplayed());

        // The location map is shown, not editable.
        driver.findElement(By.id("locations-load")).click();
        By own = By.cssSelector("#locations-rows tr[data-location='" + sandbox.shopify().locationId() + "'] .loc-wh");
        wait.until(ExpectedConditions.presenceOfElementLocated(own));
        assertFalse(driver.findElement(own).isEnabled());
        assertFalse(driver.findElement(By.id("locations-save")).isDisplayed());
    }

    /**
     * Issue 14 D from the dashboard: the merchant gives a second Shopify location its own warehouse and saves; a map
     * the API refuses (the store's own location still sums the integration's warehouse) is explained in Spanish and
     * changes nothing.
     */
    @Test
    void aMerchantMapsASecondLocationToASecondWarehouseAndARefusedMapIsExplainedInSpanish() {
        String quito = sandbox.shopify().addLocation("Tienda Quito");
        String bodegaQuito = sandbox.contifico().addWarehouse("BQ2", "Bodega Quito").id();
        String path = "/api/stores/" + store.storeId() + "/locations";
        WebDriverWait wait = new WebDriverWait(driver, WAIT);
        driver.get(root + "?storeId=" + store.storeId());
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("token"))).sendKeys(Api.ADMIN_TOKEN);
        driver.findElement(By.id("login-save")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("refreshed"), "Actualizado"));

        driver.findElement(By.id("locations-load")).click();
        By quitoRow = By.cssSelector("#locations-rows tr[data-location='" + quito + "']");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(quitoRow, "Tienda Quito"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("locations-status"), "Sin bodegas asignadas"));
        driver.findElement(By.cssSelector("#locations-rows tr[data-location='" + quito + "'] .loc-wh[value='" + bodegaQuito + "']")).click();
        driver.findElement(By.id("locations-save")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("locations-status"), "Se guardaron las ubicaciones"));
        Api.admin().get(path).then().statusCode(200)
                .body("locationId", org.hamcrest.Matchers.equalTo(List.of(quito)))
                .body("[0].warehouseIds", org.hamcrest.Matchers.equalTo(List.of(bodegaQuito)))
                .body("[0].pushWarehouseId", org.hamcrest.Matchers.equalTo(bodegaQuito));
        assertTrue(driver.findElement(By.cssSelector("#locations-rows tr[data-location='" + quito + "'] .loc-wh[value='"
                + bodegaQuito + "']")).isSelected(), "the saved map is shown");
        screenshot("dashboard-locations.png");

        // Quito also sums the integration's warehouse: with two ticked, the sales warehouse is not guessed (the one
        // that was implied is not kept as if chosen), and nothing can be saved until the merchant picks it.
        driver.findElement(By.cssSelector("#locations-rows tr[data-location='" + quito + "'] .loc-wh[value='"
                + store.warehouseId() + "']")).click();
        org.openqa.selenium.support.ui.Select push = new org.openqa.selenium.support.ui.Select(
                driver.findElement(By.cssSelector("#locations-rows tr[data-location='" + quito + "'] .loc-push")));
        org.junit.jupiter.api.Assertions.assertEquals("", push.getFirstSelectedOption().getAttribute("value"));
        org.junit.jupiter.api.Assertions.assertEquals("Elija la bodega de ventas…", push.getFirstSelectedOption().getText());
        assertFalse(driver.findElement(By.id("locations-save")).isEnabled(), "saving waits for the sales warehouse");
        push.selectByValue(bodegaQuito);
        wait.until(ExpectedConditions.elementToBeClickable(By.id("locations-save")));
        // Which the integration's warehouse, still followed by the store's own location, makes a refused map.
        driver.findElement(By.id("locations-save")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("locations-status"),
                "Una misma bodega quedó sumada en dos ubicaciones"));
        Api.admin().get(path).then().statusCode(200)
                .body("[0].warehouseIds", org.hamcrest.Matchers.equalTo(List.of(bodegaQuito)));

        // Without Contifico the panel still lists the shop's locations and says what to do first.
        Api.admin().delete("/api/stores/" + store.storeId() + "/integrations/" + store.integrationId()).then().statusCode(200);
        driver.findElement(By.id("locations-load")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("locations-status"), "conecte primero Contifico"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(quitoRow, "Tienda Quito"));
        assertFalse(driver.findElement(By.id("locations-save")).isEnabled());
    }

    long deadSale(String sku, String error) {
        return db.rows("""
                INSERT INTO inventory_movements_queue (store_id, sku, kind, quantity, business_key, status, attempts, last_error)
                VALUES ($1, $2, 'SALE', 1, $3, 'DEAD', 5, $4) RETURNING id""",
                store.storeId(), sku, "browser-" + java.util.UUID.randomUUID(), error).get(0).getLong("id");
    }

    @Test
    void deadSalesAreRetriedAndDismissedInBulkFromTheFilteredList() {
        // Keep the retried sales in the queue, so the page shows where they went.
        worker.main().stop();
        long outageA = deadSale("PT-0002-50ml", "Unavailable: HTTP 503");
        long outageB = deadSale("CAM-001-M", "Unavailable: HTTP 503");
        long rejected = deadSale("CAM-001-M", "Rejected: HTTP 400 producto");
        WebDriverWait wait = new WebDriverWait(driver, WAIT);
        driver.get(root + "?storeId=" + store.storeId());
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("token"))).sendKeys(Api.ADMIN_TOKEN);
        driver.findElement(By.id("login-save")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("dead-count"), "3 en total"));

        driver.findElement(By.id("dead-error")).sendKeys("503");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("dead-count"), "2 coinciden"));
        driver.findElement(By.id("dead-retry-all")).click();
        WebElement confirm = wait.until(ExpectedConditions.elementToBeClickable(By.id("bulk-confirm")));
        assertEquals("Confirmar reintento de 2", confirm.getText());
        // One more sale dies while the merchant reads: the service refuses the stale count, the page shows the new list.
        long late = deadSale("PT-0002-50ml", "Unavailable: HTTP 503");
        confirm.click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("action-status"), "cambió mientras la revisaba"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("dead-count"), "3 coinciden"));
        assertEquals("DEAD", status(outageA));

        driver.findElement(By.id("dead-retry-all")).click();
        wait.until(ExpectedConditions.elementToBeClickable(By.id("bulk-confirm"))).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("action-status"), "3 movimiento(s) vuelven a la cola"));
        for (long id : List.of(outageA, outageB, late)) {
            assertEquals("PENDING", status(id));
        }
        assertEquals("DEAD", status(rejected));

        WebElement error = driver.findElement(By.id("dead-error"));
        error.clear();
        error.sendKeys("producto");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("dead-count"), "1 coinciden"));
        driver.findElement(By.id("dead-dismiss-all")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("bulk-reason"))).sendKeys("Producto retirado del catálogo");
        driver.findElement(By.id("bulk-confirm")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("action-status"), "1 movimiento(s) descartado(s)"));
        assertEquals("Producto retirado del catálogo",
                db.rows("SELECT dismissed_reason FROM inventory_movements_queue WHERE id = $1", rejected).get(0).getString(0));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("queue-dead"), "Ninguno coincide"));
    }

    /**
     * Issue 14 C: the "Productos sin enlazar" panel lists the storefront SKUs the import found no product for; the
     * merchant searches Contifico, links one, marks another as not synced, and unlinks.
     */
    @Test
    void unlinkedSkusAreLinkedMarkedAndUnlinkedFromThePanel() {
        sandbox.shopify().addProduct("Camiseta L", ec.stocksync.sandbox.storefront.ShopifySimulator.variant("CAM-L", "L", 4));
        sandbox.shopify().addProduct("Tarjeta regalo", ec.stocksync.sandbox.storefront.ShopifySimulator.variant("GIFT-1", "U", 9));
        String camL = sandbox.contificoProduct(store, "CAM-001-L", 4);
        WebDriverWait wait = new WebDriverWait(driver, WAIT);
        driver.get(root + "?storeId=" + store.storeId());
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("token"))).sendKeys(Api.ADMIN_TOKEN);
        driver.findElement(By.id("login-save")).click();
        // The panel acts on the chosen store: clicked before the store list has loaded, the button does nothing.
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("refreshed"), "Actualizado"));

        wait.until(ExpectedConditions.elementToBeClickable(By.id("links-load"))).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("links-status"), "2 sin enlazar"));
        WebElement row = driver.findElement(By.cssSelector("#links-unlinked tr[data-sku='CAM-L']"));
        row.findElement(By.cssSelector(".link-q")).sendKeys("cam-001-l");
        row.findElement(By.cssSelector(".link-search")).click();
        wait.until(d -> row.findElement(By.cssSelector(".link-save")).isEnabled());
        assertEquals(camL, new Select(row.findElement(By.cssSelector(".link-pick"))).getFirstSelectedOption()
                .getAttribute("value"));
        row.findElement(By.cssSelector(".link-save")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("links-status"), "Se enlazó CAM-L"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("links-linked"), "CAM-001-L"));
        assertEquals(camL, db.rows("SELECT contifico_product_id FROM sku_links WHERE store_id = $1 AND storefront_sku = 'CAM-L'",
                store.storeId()).get(0).getString(0));

        driver.findElement(By.cssSelector("#links-unlinked tr[data-sku='GIFT-1'] .link-not-synced")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("links-status"), "GIFT-1 no se sincronizará"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("links-linked"), "No sincronizar"));
        assertEquals(Boolean.TRUE, db.rows("SELECT not_synced FROM sku_links WHERE store_id = $1 AND storefront_sku = 'GIFT-1'",
                store.storeId()).get(0).getBoolean(0));
        screenshot("dashboard-sku-links.png");

        driver.findElement(By.cssSelector("#links-linked tr[data-sku='CAM-L'] .link-unlink")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("links-status"), "Se desenlazó CAM-L"));
        assertEquals(0L, db.count("SELECT count(*) FROM sku_links WHERE store_id = $1 AND storefront_sku = 'CAM-L'",
                store.storeId()));
    }

    String status(long id) {
        return db.rows("SELECT status FROM inventory_movements_queue WHERE id = $1", id).get(0).getString(0);
    }

    /**
     * A merchant connects a second store from the dashboard alone: a refused token is explained and corrected, the
     * Contifico key lists its warehouses to pick from, the webhook address is shown, the catalogue is linked, and the
     * preview and the first pull bring Contifico's figure to the shop.
     */
    @Test
    void aMerchantConnectsANewStoreStepByStepFromTheDashboard() {
        var bodega = sandbox.contifico().addWarehouse("ONB", "Bodega Onboarding");
        String onb = sandbox.contifico().addProduct("ONB-1", "Producto de alta", true).id;
        sandbox.contifico().setStock(onb, bodega.id(), new java.math.BigDecimal("8"));
        // The SKUs the first store sells are in the new warehouse too, so the first pull zeroes nothing.
        sandbox.contifico().setStock(ptProductId, bodega.id(), new java.math.BigDecimal("101"));
        sandbox.contifico().setStock(camProductId, bodega.id(), new java.math.BigDecimal("25"));
        sandbox.shopify().addProduct("Producto de alta", ec.stocksync.sandbox.storefront.ShopifySimulator.variant("ONB-1", "Default", 3));

        WebDriverWait wait = new WebDriverWait(driver, WAIT);
        driver.get(root + "?storeId=" + store.storeId());
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("token"))).sendKeys(Api.ADMIN_TOKEN);
        driver.findElement(By.id("login-save")).click();
        // As a merchant would: the panel has loaded (its first refresh) before the header's button is pressed.
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("refreshed"), "Actualizado"));
        wait.until(ExpectedConditions.elementToBeClickable(By.id("new-store"))).click();

        // 1. The store, with a token that Shopify refuses.
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("wz-name"))).sendKeys("Tienda nueva");
        driver.findElement(By.id("wz-shopDomain")).sendKeys("nueva.myshopify.com");
        driver.findElement(By.id("wz-accessToken")).sendKeys("shpat_equivocado");
        driver.findElement(By.id("wz-locationId")).sendKeys(sandbox.shopify().locationId());
        driver.findElement(By.id("wz-webhookSecret")).sendKeys("secreto-de-la-app");
        driver.findElement(By.cssSelector("#wz-store details summary")).click();
        driver.findElement(By.id("wz-apiBaseUrl")).sendKeys(sandbox.shopify().baseUrl());
        driver.findElement(By.id("wz-store-save")).click();

        // 2. The check says what to fix; corrected, it passes.
        wait.until(ExpectedConditions.elementToBeClickable(By.id("wz-check"))).click();
        By checkError = By.cssSelector(".wz-step[data-step='check'] .wz-error");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(checkError, "rechazó los datos de acceso"));
        driver.findElement(By.id("wz-back-store")).click();
        WebElement token = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("wz-accessToken")));
        token.clear();
        token.sendKeys(sandbox.shopify().accessToken());
        driver.findElement(By.id("wz-store-save")).click();
        wait.until(ExpectedConditions.elementToBeClickable(By.id("wz-check"))).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("wz-check-result"), "Conexión correcta"));
        assertTrue(driver.findElement(By.id("wz-check-result")).getText().contains("ONB-1")
                || driver.findElement(By.id("wz-check-result")).getText().contains("producto(s)"));
        driver.findElement(By.id("wz-check-next")).click();

        // 3. Contifico: the key lists the warehouses; the merchant picks one by name.
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("wz-apiKey"))).sendKeys(sandbox.contifico().apiKey());
        driver.findElement(By.cssSelector("#wz-contifico details summary")).click();
        driver.findElement(By.id("wz-baseUrl")).sendKeys(sandbox.contifico().baseUrl());
        driver.findElement(By.id("wz-warehouses")).click();
        wait.until(ExpectedConditions.elementToBeClickable(By.id("wz-warehouse")));
        new Select(driver.findElement(By.id("wz-warehouse"))).selectByVisibleText("Bodega Onboarding (ONB)");
        screenshot("onboarding-wizard.png");
        driver.findElement(By.id("wz-connect")).click();

        // 4. Where the shop must send its webhooks.
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("wz-register-webhooks")));
        long newStore = Api.admin().get("/api/stores").then().statusCode(200).extract().jsonPath()
                .getLong("find { it.name == 'Tienda nueva' }.id");
        By ordersCreate = By.cssSelector("#wz-webhook-status li[data-topic='orders/create']");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(ordersCreate, "Falta"));
        driver.findElement(By.id("wz-register-webhooks")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(ordersCreate, "Registrado"));
        assertTrue(driver.findElement(By.id("wz-webhook-status")).getText().contains("/webhooks/shopify/" + newStore));
        assertEquals(4, sandbox.shopify().webhooks().stream()
                .filter(h -> h.getString("uri").endsWith("/webhooks/shopify/" + newStore)).count());
        driver.findElement(By.id("wz-webhooks-next")).click();

        // 5. The catalogue is linked.
        wait.until(ExpectedConditions.elementToBeClickable(By.id("wz-import"))).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("wz-catalog-result"), "SKU enlazados"));
        driver.findElement(By.id("wz-catalog-next")).click();

        // 6. The preview on the new store's panel, then the first pull.
        wait.until(ExpectedConditions.elementToBeClickable(By.id("wz-preview"))).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("pull-result"), "Vista previa"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("pull-result"), "ONB-1"));
        assertEquals(String.valueOf(newStore), new Select(driver.findElement(By.id("store"))).getFirstSelectedOption()
                .getAttribute("value"));
        assertEquals(3, sandbox.shopify().available("ONB-1"), "a preview writes nothing");
        driver.findElement(By.id("sync-now")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("pull-result"), "Resultado de la sincronización"));
        assertEquals(8, sandbox.shopify().available("ONB-1"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(cell(By.cssSelector("tr[data-sku='ONB-1']"), "store-stock"), "8"));
    }
}
