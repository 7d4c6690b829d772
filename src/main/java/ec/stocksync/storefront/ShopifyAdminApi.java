package ec.stocksync.storefront;

import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * Shopify's Admin API as far as we use it, for one shop (built per store by {@link StorefrontClients}; the access token
 * travels in a header the builder adds). Answers stay raw {@link Response}s: Retry-After, the Link cursor and GraphQL
 * errors inside a 200 all need the whole answer, and {@link ShopifyClient} decides what each one means.
 */
@Path("/admin/api/{version}")
@Produces(MediaType.APPLICATION_JSON)
interface ShopifyAdminApi {

    @POST
    @Path("/graphql.json")
    @Consumes(MediaType.APPLICATION_JSON)
    Uni<Response> graphql(@PathParam("version") String version, String body);

    /** A cursor page carries its filters, and Shopify refuses them beside it: a page_info call sends only the limit. */
    @GET
    @Path("/orders.json")
    Uni<Response> orders(@PathParam("version") String version, @QueryParam("limit") int limit,
                         @QueryParam("page_info") String pageInfo, @QueryParam("status") String status,
                         @QueryParam("updated_at_min") String updatedAtMin);

    /** One order, with its {@code refunds[]}, as the order webhooks carry it (404 when it does not exist). */
    @GET
    @Path("/orders/{id}.json")
    Uni<Response> order(@PathParam("version") String version, @PathParam("id") String id);
}
