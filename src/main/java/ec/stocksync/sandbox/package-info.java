/**
 * The sandbox: stateful simulators of Contifico ({@code contifico}), Shopify and WooCommerce ({@code storefront}),
 * and the one-command demo ({@code demo}). Dev mode and the tests use them; the product never does. No class outside
 * this package refers to one, and every bean and endpoint here is {@link ec.stocksync.sandbox.SandboxOnly}, so a prod
 * build has none of them (docs/ARCHITECTURE.md, "The sandbox").
 */
package ec.stocksync.sandbox;
