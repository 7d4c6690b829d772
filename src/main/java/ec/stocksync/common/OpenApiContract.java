package ec.stocksync.common;

import io.quarkus.smallrye.openapi.OpenApiFilter;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.Components;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.media.Content;
import org.eclipse.microprofile.openapi.models.media.MediaType;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;
import org.eclipse.microprofile.openapi.models.security.SecurityScheme;

import java.util.List;
import java.util.Map;

/**
 * What every operation of the API shares, written once into the OpenAPI document instead of on each method: the
 * bearer scheme (so Swagger UI and generated clients can send a token), a tag per feature, and the error answers
 * ({@code {"error", "message"}}) that {@code AccessFilter} and {@link ErrorMapper} give to every operation. Success
 * answers other than 200 are declared on the methods themselves.
 *
 * <p>Run when the application is built: it reads nothing but the document, so the shipped document already carries it
 * and start-up does not filter and re-serialize the document again (as {@code mp.openapi.filter} would).
 */
@OpenApiFilter(stages = OpenApiFilter.RunStage.BUILD)
public class OpenApiContract implements OASFilter {

    static final String BEARER = "bearer";
    static final String ERROR_SCHEMA = "Error";

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        if (openAPI.getComponents() == null) {
            openAPI.setComponents(OASFactory.createComponents());
        }
        Components components = openAPI.getComponents();
        components.addSecurityScheme(BEARER, OASFactory.createSecurityScheme()
                .type(SecurityScheme.Type.HTTP).scheme("bearer")
                .description("The admin token (STOCKSYNC_ADMIN_TOKEN) or a token made with POST /api/tokens."));
        components.addSchema(ERROR_SCHEMA, OASFactory.createSchema().type(List.of(Schema.SchemaType.OBJECT))
                .description("Every error: a stable code to act on and a sentence for people.")
                .addProperty("error", OASFactory.createSchema().type(List.of(Schema.SchemaType.STRING))
                        .examples(List.of("invalid_field")))
                .addProperty("message", OASFactory.createSchema().type(List.of(Schema.SchemaType.STRING))
                        .examples(List.of("quantity: must be a whole number from 1 to 1000")))
                .required(List.of("error", "message")));
        if (openAPI.getPaths() == null || openAPI.getPaths().getPathItems() == null) {
            return;
        }
        for (Map.Entry<String, PathItem> path : openAPI.getPaths().getPathItems().entrySet()) {
            String p = path.getKey();
            if (path.getValue().getOperations() == null) {
                continue;
            }
            for (Operation op : path.getValue().getOperations().values()) {
                if (p.startsWith("/api/")) {
                    api(p, op);
                } else if (p.startsWith("/webhooks/")) {
                    tag(op, "webhooks");
                    error(op, "401", "The signature does not verify, or the store, platform or shop does not match"
                            + " (one answer for all, so nothing about the store is revealed).");
                    error(op, "413", "The body is over stocksync.webhook.max-body-bytes.");
                }
            }
        }
    }

    private static void api(String path, Operation op) {
        tag(op, feature(path));
        op.addSecurityRequirement(OASFactory.createSecurityRequirement().addScheme(BEARER));
        error(op, "401", "No token, or one that is unknown, revoked or expired.");
        error(op, "403", "The token may not do this (a read-only token writing, a store token on an admin endpoint).");
        boolean hasInput = op.getRequestBody() != null || (op.getParameters() != null && !op.getParameters().isEmpty());
        if (hasInput) {
            error(op, "400", "A field or parameter is missing or invalid; the message names it. Nothing was changed.");
        }
        if (path.contains("{")) {
            error(op, "404", "No such resource, or one of another store (answered alike).");
        }
        // Errors declared on a method (409, 503...) carry only a description there; their body is the same shape.
        op.getResponses().getAPIResponses().forEach((status, response) -> {
            if (!status.startsWith("2") && !status.startsWith("3") && response.getContent() == null) {
                response.setContent(errorContent());
            }
        });
    }

    /** The first segment after /api: stores, sync-status, movements, pull-runs, tokens... */
    static String feature(String path) {
        String rest = path.substring("/api/".length());
        int slash = rest.indexOf('/');
        String first = slash < 0 ? rest : rest.substring(0, slash);
        if (first.equals("stores") && path.matches("/api/stores/\\{[^}]+}/(pull|pulls|catalog|reconcile)(/.*)?")) {
            return "pulls";
        }
        return first.equals("me") || first.equals("audit") ? "access" : first;
    }

    private static void tag(Operation op, String tag) {
        if (op.getTags() == null || op.getTags().isEmpty()) {
            op.addTag(tag);
        }
    }

    private static void error(Operation op, String status, String description) {
        if (op.getResponses() == null) {
            op.setResponses(OASFactory.createAPIResponses());
        }
        APIResponses responses = op.getResponses();
        if (responses.hasAPIResponse(status)) {
            APIResponse existing = responses.getAPIResponse(status);
            // Bean Validation makes SmallRye add a bare "Bad Request"; ours says what happened.
            if ("Bad Request".equals(existing.getDescription())) {
                existing.setDescription(description);
            }
            return;
        }
        APIResponse response = OASFactory.createAPIResponse().description(description).content(errorContent());
        responses.addAPIResponse(status, response);
    }

    private static Content errorContent() {
        MediaType json = OASFactory.createMediaType().schema(OASFactory.createSchema().ref(ERROR_SCHEMA));
        return OASFactory.createContent().addMediaType("application/json", json);
    }
}
