package ec.stocksync.storefront;

import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * WooCommerce REST v3 as far as we use it, for one site (built per store by {@link StorefrontClients}; the consumer key
 * and secret travel as HTTP Basic). Answers stay raw {@link Response}s: paging totals and error bodies need the whole
 * answer, and {@link WooCommerceClient} decides what each one means. Absent (null) query parameters are not sent.
 */
@Path("/wp-json/wc/v3")
@Produces(MediaType.APPLICATION_JSON)
interface WooCommerceApi {

    @GET
    @Path("/products")
    Uni<Response> products(@QueryParam("sku") String sku, @QueryParam("type") String type,
                           @QueryParam("orderby") String orderBy, @QueryParam("order") String order,
                           @QueryParam("per_page") Integer perPage, @QueryParam("page") Integer page);

    @GET
    @Path("/products/{product}/variations")
    Uni<Response> variations(@PathParam("product") String productId, @QueryParam("sku") String sku,
                             @QueryParam("orderby") String orderBy, @QueryParam("order") String order,
                             @QueryParam("per_page") Integer perPage, @QueryParam("page") Integer page);

    @GET
    @Path("/products/{product}")
    Uni<Response> product(@PathParam("product") String productId);

    @GET
    @Path("/products/{product}/variations/{variation}")
    Uni<Response> variation(@PathParam("product") String productId, @PathParam("variation") String variationId);

    @PUT
    @Path("/products/{product}")
    @Consumes(MediaType.APPLICATION_JSON)
    Uni<Response> updateProduct(@PathParam("product") String productId, String body);

    @PUT
    @Path("/products/{product}/variations/{variation}")
    @Consumes(MediaType.APPLICATION_JSON)
    Uni<Response> updateVariation(@PathParam("product") String productId, @PathParam("variation") String variationId,
                                  String body);

    @POST
    @Path("/products/batch")
    @Consumes(MediaType.APPLICATION_JSON)
    Uni<Response> batchProducts(String body);

    @POST
    @Path("/products/{product}/variations/batch")
    @Consumes(MediaType.APPLICATION_JSON)
    Uni<Response> batchVariations(@PathParam("product") String productId, String body);

    @GET
    @Path("/orders")
    Uni<Response> orders(@QueryParam("modified_after") String modifiedAfter, @QueryParam("dates_are_gmt") Boolean datesAreGmt,
                         @QueryParam("orderby") String orderBy, @QueryParam("order") String order,
                         @QueryParam("per_page") Integer perPage, @QueryParam("page") Integer page);

    @GET
    @Path("/orders/{id}")
    Uni<Response> order(@PathParam("id") String id);

    /** An order's refunds, each with its {@code line_items} (negative quantities). */
    @GET
    @Path("/orders/{id}/refunds")
    Uni<Response> refunds(@PathParam("id") String id, @QueryParam("per_page") Integer perPage);

    @GET
    @Path("/webhooks")
    Uni<Response> webhooks(@QueryParam("per_page") Integer perPage, @QueryParam("page") Integer page);

    @POST
    @Path("/webhooks")
    @Consumes(MediaType.APPLICATION_JSON)
    Uni<Response> createWebhook(String body);

    /** Webhooks have no trash: without force WooCommerce refuses the delete. */
    @jakarta.ws.rs.DELETE
    @Path("/webhooks/{id}")
    Uni<Response> deleteWebhook(@PathParam("id") String id, @QueryParam("force") boolean force);
}
