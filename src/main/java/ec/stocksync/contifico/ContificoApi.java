package ec.stocksync.contifico;

import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.Encoded;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.io.Closeable;

/**
 * Contifico's endpoints as a REST Client interface, built once per integration by {@link ContificoApis} (the base URL
 * and key are per tenant). Every call answers the raw {@link Response}, whatever its status (the default exception
 * mapper is off): {@link ContificoErrors} classifies it, because a 5xx on the movement POST and a 5xx on a read mean
 * different things. Paths keep their trailing slash (Contifico redirects without it). Query values are sent already
 * encoded ({@code @Encoded}), with {@code /} as {@code %2F} in the dates, as Contifico has always been sent them; a
 * null value leaves its parameter out.
 */
@Produces(MediaType.APPLICATION_JSON)
interface ContificoApi extends Closeable {

    /** The v1 catalogue: by exact code, or one page of it. Only products with {@code para_pos: true} are listed. */
    @GET
    @Path("/v1/producto/")
    Uni<Response> products(@QueryParam("codigo") @Encoded String codigo,
                           @QueryParam("result_size") Integer resultSize,
                           @QueryParam("result_page") Integer resultPage);

    @GET
    @Path("/v1/producto/{id}/")
    Uni<Response> product(@PathParam("id") String productId);

    @GET
    @Path("/v1/producto/{id}/stock/")
    Uni<Response> stock(@PathParam("id") String productId);

    @GET
    @Path("/v1/bodega/")
    Uni<Response> warehouses();

    @POST
    @Path("/v1/movimiento-inventario/")
    @Consumes(MediaType.APPLICATION_JSON)
    Uni<Response> createMovement(ContificoMapper.MovementRequest movement);

    /** v2 movements: paged by {@code page}; the range is half-open ({@code fecha_final} is excluded). */
    @GET
    @Path("/v2/movimiento-inventario/")
    Uni<Response> movements(@QueryParam("fecha_inicial") @Encoded String fechaInicial,
                            @QueryParam("fecha_final") @Encoded String fechaFinal,
                            @QueryParam("tipo") String tipo,
                            @QueryParam("bodega_id") @Encoded String bodegaId,
                            @QueryParam("page") int page);

    @GET
    @Path("/v1/documento/")
    Uni<Response> documents(@QueryParam("fecha_inicial") @Encoded String fechaInicial,
                            @QueryParam("fecha_final") @Encoded String fechaFinal,
                            @QueryParam("bodega_id") @Encoded String bodegaId,
                            @QueryParam("result_size") int resultSize,
                            @QueryParam("result_page") int resultPage);
}
