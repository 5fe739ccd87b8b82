-- An order's lists a data team reads beside its totals, each a JSONB array of typed objects
-- spelled the same whether the order came from a REST webhook or a GraphQL sync
-- (`shopify/src/resource/order_details.rs`); money as exact decimal strings in the shop's
-- currency, so `(e->>'price')::numeric` is exact:
--   tax_lines        [{"title", "rate" (a fraction: "0.06"), "price", "currency"}]
--   shipping_lines   [{"id", "title", "code", "source", "price" (before discounts),
--                      "discounted_price", "currency", "is_removed" (removed by an order
--                      edit: REST lists such lines, the sync asks GraphQL to include them)}]
--   note_attributes  [{"name", "value"}]  personal data: NULL after `customers/redact`
--   discount_applications  [{"type" (discount_code, automatic, manual, script), "code",
--                      "title", "description" (manual only), "value", "value_type"
--                      (percentage, fixed_amount), "allocation_method", "target_selection",
--                      "target_type"}]
-- Example: shipping revenue by method,
--   SELECT s->>'title', sum((s->>'discounted_price')::numeric)
--     FROM orders, jsonb_array_elements(shipping_lines) s GROUP BY 1;
-- NULL on rows written before this migration until their order changes or is synced again.
ALTER TABLE orders
    ADD COLUMN tax_lines        jsonb,
    ADD COLUMN shipping_lines   jsonb,
    ADD COLUMN note_attributes  jsonb,
    ADD COLUMN discount_applications jsonb;
