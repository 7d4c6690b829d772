package ec.stocksync.contifico;

import ec.stocksync.sandbox.contifico.ContificoSandbox;
import ec.stocksync.sandbox.contifico.ContificoSimulator.Endpoint;
import ec.stocksync.sandbox.contifico.ContificoSimulator.Fault;
import ec.stocksync.sandbox.contifico.ContificoSimulator.RecordedRequest;
import ec.stocksync.sandbox.contifico.ContificoSimulator.SimMovement;
import ec.stocksync.sandbox.contifico.ContificoSimulator.SimProduct;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static ec.stocksync.contifico.SimFixture.await;
import static ec.stocksync.contifico.SimFixture.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a delta pull reads from Contifico to learn which products changed: movements by date (v2, all pages) and
 * sales documents by date (v1 pages).
 */
@QuarkusTest
class ContificoChangeSignalsContractTest {

    private static final LocalDate D = LocalDate.of(2026, 11, 20);

    @Inject
    ContificoSandbox sandbox;
    @Inject
    ContificoClient client;

    SimFixture fx;
    SimProduct p;

    @BeforeEach
    void seed() {
        fx = new SimFixture(sandbox.simulator());
        p = fx.product("SIG-1", true, "100");
    }

    private SimMovement book(String tipo, LocalDate day, String from, String to) {
        return fx.sim.addMovement(tipo, day, from, to, Map.of(p.id, BigDecimal.ONE));
    }

    private static Set<String> ids(List<Movement> ms) {
        return ms.stream().map(Movement::id).collect(Collectors.toSet());
    }

    private static Set<String> simIds(SimMovement... ms) {
        return java.util.Arrays.stream(ms).map(SimMovement::id).collect(Collectors.toSet());
    }

    private List<RecordedRequest> listRequests() {
        return fx.sim.requests().stream().filter(r -> r.endpoint() == Endpoint.MOVEMENT_LIST).toList();
    }

    @Test
    void transferIsListedWithItsDestinationAndMovesStockWithoutChangingCantidadStock() {
        BigDecimal before = await(client.getProduct(fx.connection(), p.id)).cantidadStock();
        SimMovement tra = book("TRA", D, fx.main.id(), fx.other.id());

        List<Movement> listed = await(client.movementsBetween(fx.connection(), D, D, MovementType.TRA, true));
        assertEquals(1, listed.size());
        Movement m = listed.get(0);
        assertEquals(tra.id(), m.id());
        assertEquals("TRA", m.tipo());
        assertEquals(D, m.fecha());
        assertEquals(fx.main.id(), m.bodegaId());
        assertEquals(fx.other.id(), m.bodegaDestinoId());

        assertEquals(0, new BigDecimal("99").compareTo(await(client.stockInWarehouse(fx.connection(), p.id))));
        assertEquals(0, BigDecimal.ONE.compareTo(await(client.stockInWarehouse(fx.connection(fx.other.id()), p.id))));
        assertEquals(0, before.compareTo(await(client.getProduct(fx.connection(), p.id)).cantidadStock()),
                "a transfer is invisible in cantidad_stock: only movements reveal it");
        // The simulator filters bodega_id on the origin only (Contifico's behaviour for the destination is unknown).
        assertTrue(await(client.movementsBetween(fx.connection(fx.other.id()), D, D, MovementType.TRA, true)).isEmpty());
    }

    @Test
    void anEgrOrIngHasNoDestinationWarehouse() {
        book("EGR", D, fx.main.id(), null);
        Movement m = await(client.movementsBetween(fx.connection(), D, D, null, true)).get(0);
        assertNull(m.bodegaDestinoId());
    }

    @Test
    void movementsBetweenWalksEveryV2PageWithAndWithoutTypeAndWarehouseFilters() {
        fx.sim.v2PageSize(2);
        book("EGR", D.minusDays(2), fx.main.id(), null);
        SimMovement ing1 = book("ING", D.minusDays(1), fx.main.id(), null);
        SimMovement egr1 = book("EGR", D.minusDays(1), fx.main.id(), null);
        SimMovement egrOther = book("EGR", D.minusDays(1), fx.other.id(), null);
        SimMovement tra = book("TRA", D.minusDays(1), fx.main.id(), fx.other.id());
        SimMovement egr2 = book("EGR", D, fx.main.id(), null);
        SimMovement egr3 = book("EGR", D, fx.main.id(), null);
        SimMovement ingOther = book("ING", D, fx.other.id(), null);
        book("EGR", D.plusDays(1), fx.main.id(), null);
        ContificoConnection c = fx.connection();

        List<Movement> all = await(client.movementsBetween(c, D.minusDays(1), D, null, false));
        assertEquals(simIds(ing1, egr1, egrOther, tra, egr2, egr3, ingOther), ids(all));
        assertEquals(7, all.size());
        assertEquals(4, fx.sim.count(Endpoint.MOVEMENT_LIST), "7 movements, 2 per page");
        String q = listRequests().get(0).query();
        assertTrue(q.contains("fecha_inicial=" + ContificoClient.FECHA.format(D.minusDays(1)).replace("/", "%2F"))
                && q.contains("fecha_final=" + ContificoClient.FECHA.format(D.plusDays(1)).replace("/", "%2F")), q);
        assertFalse(q.contains("tipo=") || q.contains("bodega_id="), q);

        assertEquals(simIds(ing1, egr1, tra, egr2, egr3),
                ids(await(client.movementsBetween(c, D.minusDays(1), D, null, true))));
        assertEquals(simIds(egr1, egr2, egr3),
                ids(await(client.movementsBetween(c, D.minusDays(1), D, MovementType.EGR, true))));
        String filtered = listRequests().get(listRequests().size() - 1).query();
        assertTrue(filtered.contains("tipo=EGR") && filtered.contains("bodega_id=" + fx.main.id()), filtered);
        assertEquals(simIds(egr1, egrOther, egr2, egr3),
                ids(await(client.movementsBetween(c, D.minusDays(1), D, MovementType.EGR, false))));
        assertEquals(simIds(egr2, egr3, ingOther), ids(await(client.movementsBetween(c, D, D, null, false))),
                "one day is [D, D+1): neither the day before nor the day after");
        assertTrue(await(client.movementsBetween(c, D.plusDays(5), D.plusDays(6), null, false)).isEmpty());
    }

    @Test
    void aPageAnnouncedButGoneByTheTimeItIsAskedEndsTheWalkWithWhatWasRead() throws Exception {
        fx.sim.v2PageSize(2);
        for (int i = 0; i < 3; i++) {
            book("EGR", D, fx.main.id(), null);
        }
        // Page 1 says a page 2 exists; while page 2 is on its way the list shrinks to one page (say movements were
        // annulled), so page 2 answers Contifico's 400 "Pagina fuera del rango".
        fx.sim.setFault(Endpoint.MOVEMENT_LIST, Fault.latency(400, 2));
        CompletableFuture<List<Movement>> walk = client.movementsBetween(fx.connection(), D, D, null, false)
                .subscribeAsCompletionStage();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (fx.sim.count(Endpoint.MOVEMENT_LIST) < 2 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        fx.sim.v2PageSize(100);
        List<Movement> read = walk.get(10, TimeUnit.SECONDS);
        assertEquals(2, read.size(), "page 1's movements, and no failure");
        assertEquals(2, fx.sim.count(Endpoint.MOVEMENT_LIST), "the out-of-range answer is not retried");
    }

    @Test
    void aWalkThatIsSubscribedTwiceReadsEveryPageEachTime() {
        fx.sim.v2PageSize(1);
        book("EGR", D, fx.main.id(), null);
        book("ING", D, fx.main.id(), null);
        var uni = client.movementsBetween(fx.connection(), D, D, null, true);
        assertEquals(2, await(uni).size());
        assertEquals(2, await(uni).size());
        assertEquals(4, fx.sim.count(Endpoint.MOVEMENT_LIST));
    }

    @Test
    void anInvertedRangeOrAWarehouseFilterWithoutWarehouseIsTheCallersMistake() {
        failure(client.movementsBetween(fx.connection(), D, D.minusDays(1), null, false), IllegalArgumentException.class);
        failure(client.movementsBetween(fx.connection(null), D, D, null, true), IllegalArgumentException.class);
        assertEquals(0, fx.sim.count(Endpoint.MOVEMENT_LIST));
    }

    private List<RecordedRequest> documentRequests() {
        return fx.sim.requests().stream().filter(r -> r.endpoint() == Endpoint.DOCUMENT_LIST).toList();
    }

    private String document(String tipo, LocalDate day, String warehouseId) {
        return fx.sim.addDocument(tipo, day, warehouseId, Map.of(p.id, new BigDecimal("2")));
    }

    @Test
    void documentsBetweenPagesUntilAnEmptyPageAndMapsEachDocument() {
        SimProduct q = fx.product("SIG-2", true, "5");
        String first = fx.sim.addDocument("FAC", D, fx.main.id(), Map.of(p.id, new BigDecimal("1.5")));
        fx.sim.addDocument("FAC", D, fx.main.id(), Map.of(q.id, new BigDecimal("3")));
        for (int i = 0; i < 3; i++) {
            document("NVE", D, fx.main.id());
        }
        document("FAC", D, fx.other.id());

        List<SalesDocument> docs = await(client.documentsBetween(fx.connection(), D, D, 2));
        assertEquals(5, docs.size(), "the other warehouse's document is not ours");
        // Pages of 2, 2, a short 1, then []: a short page is not taken for the end (a tenant may serve fewer).
        assertEquals(4, fx.sim.count(Endpoint.DOCUMENT_LIST));
        SalesDocument d = docs.stream().filter(x -> x.id().equals(first)).findFirst().orElseThrow();
        assertEquals("FAC", d.tipo());
        assertEquals(D, d.fecha());
        assertEquals(fx.main.id(), d.bodegaId());
        assertEquals(1, d.detalles().size());
        assertEquals(p.id, d.detalles().get(0).productoId());
        assertEquals(0, new BigDecimal("1.5").compareTo(d.detalles().get(0).cantidad()));
        assertEquals(0, new BigDecimal("10").compareTo(d.detalles().get(0).precio()));
        assertEquals(3, docs.stream().filter(x -> "NVE".equals(x.tipo())).count());

        String query = documentRequests().get(0).query();
        String day = ContificoClient.FECHA.format(D).replace("/", "%2F");
        assertTrue(query.contains("fecha_inicial=" + day) && query.contains("fecha_final=" + day)
                && query.contains("bodega_id=" + fx.main.id()) && query.contains("result_size=2")
                && query.contains("result_page=1"), query);
        assertFalse(query.contains("tipo="), query);
    }

    @Test
    void documentsBetweenStopsAtAnEmptyPageWhenTheLastPageIsFull() {
        for (int i = 0; i < 4; i++) {
            document("FAC", D, fx.main.id());
        }
        assertEquals(4, await(client.documentsBetween(fx.connection(), D, D, 2)).size());
        assertEquals(3, fx.sim.count(Endpoint.DOCUMENT_LIST), "pages of 2 and 2, then [] says the end");
        assertTrue(await(client.documentsBetween(fx.connection(), D.plusDays(1), D.plusDays(1), 2)).isEmpty());
        assertEquals(4, fx.sim.count(Endpoint.DOCUMENT_LIST));
    }

    @Test
    void documentsBetweenIncludesBothEndDaysAndNothingOutside() {
        document("FAC", D.minusDays(1), fx.main.id());
        String onFrom = document("FAC", D, fx.main.id());
        String between = document("NVE", D.plusDays(1), fx.main.id());
        String onTo = document("PRE", D.plusDays(2), fx.main.id());
        document("FAC", D.plusDays(3), fx.main.id());
        List<SalesDocument> docs = await(client.documentsBetween(fx.connection(), D, D.plusDays(2), 50));
        assertEquals(Set.of(onFrom, between, onTo), docs.stream().map(SalesDocument::id).collect(Collectors.toSet()));
    }

    @Test
    void documentsBetweenRefusesWhatWouldBeAnUnfilteredOrEndlessList() {
        failure(client.documentsBetween(fx.connection(null), D, D, 10), IllegalArgumentException.class);
        failure(client.documentsBetween(fx.connection(), D.plusDays(1), D, 10), IllegalArgumentException.class);
        failure(client.documentsBetween(fx.connection(), D, D, 0), IllegalArgumentException.class);
        assertEquals(0, fx.sim.count(Endpoint.DOCUMENT_LIST));
    }
}
