package ec.stocksync.status;

import ec.stocksync.support.EndToEndApp;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The dashboard as a browser first loads it: the page at {@code /}, then every script and stylesheet it names, all
 * from this server. {@link DashboardAssetsEndToEndIT} asks the packaged app, whose static files a native image must
 * carry inside the binary.
 */
@QuarkusTest
@WithTestResource(EndToEndApp.class)
class DashboardAssetsEndToEndTest {

    private static final Pattern ASSET = Pattern.compile("<(?:script[^>]*\\ssrc|link[^>]*\\shref)=\"([^\"]+)\"");

    @Test
    void thePageAndEveryScriptAndStylesheetItNamesAreServed() {
        String html = given().get("/").then().statusCode(200).contentType(startsWith("text/html"))
                .body(containsString("stock-sync")).extract().asString();

        List<String> assets = new ArrayList<>();
        Matcher m = ASSET.matcher(html);
        while (m.find()) {
            assets.add(m.group(1));
        }
        assertEquals(List.of("dashboard.css", "dashboard.js"), assets.stream().sorted().toList(),
                "the page names its own stylesheet and script, nothing from outside");
        for (String asset : assets) {
            String type = asset.endsWith(".js") ? "javascript" : "text/css";
            ExtractableResponse<Response> r = given().get("/" + asset).then().statusCode(200)
                    .contentType(containsString(type)).extract();
            assertFalse(r.asString().isBlank(), asset + " is empty");
        }
    }
}
