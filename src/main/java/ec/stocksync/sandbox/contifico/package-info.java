/**
 * The Contifico simulator and the dev sandbox that runs it inside the app.
 *
 * <h2>Dev sandbox (for the README)</h2>
 * <ol>
 * <li>{@code ./mvnw quarkus:dev}. The log line {@code Contifico sandbox running} gives the base URL
 * ({@code http://127.0.0.1:8089/sistema/api}), the API key ({@code demo-contifico-key}) and the demo warehouse
 * ({@code nRMdROzqhvDZel6Y}, Bodega Principal; a second one, {@code BQ9pdBB26H52d8KE}, Bodega Norte, exists too).</li>
 * <li>Create a store and its integration through {@code /api/stores} with those three values (any POS token).</li>
 * <li>Demo SKUs: {@code PT-0002-50ml} (101 in Bodega Principal), {@code PT-0001-30ml}, {@code CAM-001-M},
 * {@code NEG-0005} (negative stock), {@code SRV-INST} (a service), and {@code OLD-0099} with {@code para_pos: false}
 * (the v1 SKU search does not list it, as in the real Contifico).</li>
 * <li>Talk to it like Contifico: {@code curl -H 'Authorization: demo-contifico-key'
 * 'http://127.0.0.1:8089/sistema/api/v1/producto/?codigo=PT-0002-50ml'} (mind the trailing slash: without it, 301).</li>
 * <li>Break it on purpose: {@code curl -X POST -H 'Content-Type: application/json' -d
 * '{"endpoint":"movimiento.create","type":"STORED_RESPONSE_LOST","times":1}' http://127.0.0.1:8089/__sim/faults}.
 * Types: LATENCY, RANDOM_LATENCY (latencyMs, maxLatencyMs), ERROR_500, ERROR_500_AFTER_STORE, HANG, DROP_CONNECTION,
 * TOO_MANY_REQUESTS, STORED_RESPONSE_LOST; endpoints: producto.list, producto.get, producto.stock, bodega.list,
 * movimiento.create, movimiento.list, movimiento.get, * ; times -1 = until cleared. {@code DELETE /__sim/faults}
 * clears, {@code GET /__sim/state} shows counters, {@code GET /__sim/movements} the booked movements,
 * {@code POST /__sim/reset?demo=true} starts over, {@code POST /__sim/products} seeds a product.</li>
 * </ol>
 * It runs in dev and test builds only ({@link ec.stocksync.sandbox.SandboxOnly}), on
 * {@code sandbox.contifico.port} (8089 in dev, a random port in tests) with the API key
 * {@code sandbox.contifico.api-key}; the demo catalogue is loaded when {@code sandbox.seed-demo} is on (dev).
 */
package ec.stocksync.sandbox.contifico;
