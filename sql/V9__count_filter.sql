-- The Shopify search both counts of a comparison were taken under (`updated_at:>='…'` when the
-- shop's `backfill_since` limits what is kept; NULL: every object), so a reader of
-- `resource_counts` knows what the two numbers cover (engine/src/sync/completeness.rs).
ALTER TABLE resource_counts ADD COLUMN filter text;
