-- The currency an order was presented to the buyer in (Shopify Markets) and its total there.
-- Every money column of `orders` stays in the shop's currency (`currency`), which is what the
-- analytics add up; these two keep what the buyer saw and paid, which differs from it on
-- orders paid in another currency. NULL when the payload does not say (an older row, or a
-- GraphQL node read without `totalPriceSet.presentmentMoney`).
ALTER TABLE orders
    ADD COLUMN presentment_currency     text,
    ADD COLUMN presentment_total_price  numeric;
