-- The change feed's transactional outbox (docs/change-feed.md). Every statement that changes
-- an entity (an applied upsert, a tombstone that was set) inserts one row here in the same
-- statement, so a change is recorded exactly when its write commits. The relay
-- (engine/src/feed/relay.rs) publishes the rows in `seq` order to JetStream
-- (`<stream>.changes.<shop>.<resource>`, message id `change-<seq>`) and deletes them once
-- JetStream acknowledged them: the table holds only what is not yet published.
CREATE TABLE change_outbox (
    seq          bigserial   PRIMARY KEY,
    shop_domain  text        NOT NULL,
    -- `customers`, `orders`, `products`, `locations` (xeno_shopify::Resource).
    resource     text        NOT NULL,
    entity_id    bigint      NOT NULL,
    -- True for a tombstone (the entity was deleted in Shopify).
    deleted      boolean     NOT NULL,
    -- The stored row after the write, without `raw`; children the write replaced
    -- (`line_items`, `variants`) are carried inside it.
    columns      jsonb       NOT NULL,
    -- Shopify's `updated_at` of the version written.
    updated_at   timestamptz NOT NULL,
    -- `webhook` or `sync`.
    source       text        NOT NULL,
    -- The webhook that carried the change (NULL for sync records).
    webhook_id   text,
    recorded_at  timestamptz NOT NULL DEFAULT now()
);
