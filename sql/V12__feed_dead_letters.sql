-- Changes a [[feed_webhooks]] target did not take after its max_attempts
-- (engine/src/feed/webhooks.rs): which change (its feed seq, shop, resource, entity and
-- version) and why, but not the row itself: the entity's current version is in its table, so
-- no personal data is copied here for the compliance webhooks to chase.
CREATE TABLE feed_dead_letters (
    id           bigserial   PRIMARY KEY,
    target       text        NOT NULL,
    seq          bigint      NOT NULL,
    shop_domain  text        NOT NULL,
    resource     text        NOT NULL,
    entity_id    bigint      NOT NULL,
    deleted      boolean     NOT NULL,
    updated_at   timestamptz NOT NULL,
    attempts     integer     NOT NULL,
    reason       text        NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX feed_dead_letters_target_idx ON feed_dead_letters (target, created_at DESC);
