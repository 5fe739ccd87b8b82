-- Order transactions: every authorization, sale, capture, refund and void of an order, one row
-- each. Shopify never changes a transaction (a capture or refund is a new one pointing at its
-- parent), so a row is written once, by whichever arrives first: `order_transactions/create`
-- or an order node of a sync. `amount` is in `currency`; `raw` is the JSON it was read from
-- (REST body or GraphQL node). Deleting an order (a tombstone) leaves its transactions.
CREATE TABLE order_transactions (
    shop_domain   text        NOT NULL,
    id            bigint      NOT NULL,
    order_id      bigint      NOT NULL,
    parent_id     bigint,
    kind          text,
    status        text,
    gateway       text,
    amount        numeric,
    currency      text,
    error_code    text,
    test          boolean     NOT NULL DEFAULT false,
    created_at    timestamptz,
    processed_at  timestamptz,
    raw           jsonb       NOT NULL DEFAULT '{}'::jsonb,
    ingested_at   timestamptz NOT NULL DEFAULT now(),
    -- Set by `customers/redact` when `raw` lost its payment details.
    redacted_at   timestamptz,
    PRIMARY KEY (shop_domain, id)
);
CREATE INDEX order_transactions_order_idx ON order_transactions (shop_domain, order_id);
