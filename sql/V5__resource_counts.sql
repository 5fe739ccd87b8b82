-- Completeness: per shop and resource, Shopify's own count (`ordersCount` and the like, exact)
-- next to the live rows stored, as of the last comparison. The sync compares after every
-- resource of every run (backfill and reconciliation); `GET /api/completeness` and the
-- dashboard's health view show the table. A difference that outlives the next reconciliation
-- means rows are missing or left over.
CREATE TABLE resource_counts (
    shop_domain     text        NOT NULL,
    resource        text        NOT NULL,
    shopify_count   bigint      NOT NULL,
    -- Shopify's `CountPrecision`: EXACT, or AT_LEAST when it stopped counting.
    precision       text        NOT NULL,
    stored_count    bigint      NOT NULL,
    compared_at     timestamptz NOT NULL,
    PRIMARY KEY (shop_domain, resource)
);
