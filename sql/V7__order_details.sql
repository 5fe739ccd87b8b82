-- The order details a data team filters and groups by, as columns beside the totals (both
-- payload formats carry them; the full lists stay in `raw`):
--   tags             REST's comma-separated spelling (a GraphQL array joined with ", ")
--   note             the merchant's or buyer's note
--   source_name      the channel (`web`, `pos`, `shopify_draft_order`, an app's handle)
--   discount_codes   the codes used, in order
--   billing_country_code, shipping_country_code   ISO 3166-1 alpha-2, NULL without an address
ALTER TABLE orders
    ADD COLUMN tags                   text,
    ADD COLUMN note                   text,
    ADD COLUMN source_name            text,
    ADD COLUMN discount_codes         text[],
    ADD COLUMN billing_country_code   text,
    ADD COLUMN shipping_country_code  text;
