-- Locations: where a shop stocks inventory and fulfils orders (warehouses, retail stores, the
-- locations fulfillment services manage). Written from `locations/*` webhooks and synced
-- `Location` nodes; `updated_at` is the out-of-order guard, `deleted_at` the tombstone of
-- `locations/delete`. A deactivated location is not deleted: `active` is false.
-- `country` is the country's name, `country_code` its ISO code (REST spells `country` as the
-- code and `country_name` as the name; GraphQL the other way round).
-- No personal data: `shop/redact` deletes the shop's rows like every table's.
CREATE TABLE locations (
    shop_domain    text        NOT NULL,
    id             bigint      NOT NULL,
    name           text,
    address1       text,
    address2       text,
    city           text,
    province       text,
    province_code  text,
    country        text,
    country_code   text,
    zip            text,
    phone          text,
    active         boolean,
    legacy         boolean,
    created_at     timestamptz,
    updated_at     timestamptz NOT NULL,
    deleted_at     timestamptz,
    raw            jsonb       NOT NULL DEFAULT '{}'::jsonb,
    ingested_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (shop_domain, id)
);
