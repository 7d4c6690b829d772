-- WooCommerce items with stock management off: a pull writing them would switch stock management on, which changes how
-- the shop sells them. Only a merchant who opts in gets that.
ALTER TABLE stores ADD COLUMN sync_unmanaged_stock BOOLEAN NOT NULL DEFAULT FALSE;
