-- Baseline, part 3 of 3: the analytics rollups behind /api/stats, /api/revenue-series and
-- /api/top-customers (what counts as revenue, and how to query them: sql/README.md, section
-- "Analytics"). Builds on the core tables of part 1 (V1).
--
-- Maintained by triggers on `orders`, `order_refunds` and `shops`, so every write path (the
-- UpsertWriter's batch transaction, tombstones, cancellations, refunds, compliance redaction,
-- a manual UPDATE) keeps them right in the same transaction. The triggers never add deltas
-- blindly: for the order they concern they compare what the rollups currently hold for it
-- (`analytics_orders`, `analytics_refunds`) with what the raw rows say now, and apply the
-- difference. Running the reconciliation twice, or in any order, therefore lands on the same
-- numbers. Concurrent transactions touching one order (an order and its refund arriving in
-- two parallel batches) are serialised by a row lock: the order's `analytics_orders` row is
-- locked first, so the later transaction waits and then sees the earlier one's rows.
--
-- The figures a reconciliation changes are appended as delta rows to `analytics_*_pending`,
-- never updated in place: updating the shared rows (the shop's current hour, the customer's
-- total) made parallel writer transactions queue on each other's row locks until commit and
-- deadlock when two batches met the same rows in a different order (~85 orders/s and 97
-- deadlocks on a 100 000-order backfill). An INSERT into a heap without indexes shares no row
-- with any other transaction. `analytics_compact()` (run every second by the engine's
-- RollupCompactor, one process at a time) folds committed deltas into the rollups; readers
-- query the `*_live` views, which add what is still pending, so every figure is exact at every
-- moment, folded or not.
--
-- Sections: what the rollups hold, what readers query, how deltas are written and folded, the
-- per-order reconciliation, repair, and the triggers.

-- ===========================================================================================
-- What the rollups hold.

-- The time zone each shop's day buckets use: `shops.iana_timezone` when PostgreSQL knows the
-- name, otherwise UTC (an unknown name must never fail a writer's transaction).
CREATE TABLE analytics_shops (
    shop_domain  text PRIMARY KEY,
    time_zone    text NOT NULL
);

-- One row per order the triggers have seen: what it currently contributes to the rollups
-- (contribution columns NULL while it is not counted). Reconciling an order first locks its
-- row here, which serialises concurrent transactions on one order with a row lock (no lock
-- table entries, however many orders a batch holds).
CREATE TABLE analytics_orders (
    shop_domain  text NOT NULL,
    order_id     bigint NOT NULL,
    customer_id  bigint,
    currency     text,
    total        numeric,
    created_at   timestamptz,
    -- The order's hour in the shop's time zone (wall-clock time, no zone).
    local_hour   timestamp,
    PRIMARY KEY (shop_domain, order_id)
);
CREATE INDEX analytics_orders_customer_idx
    ON analytics_orders (shop_domain, customer_id, created_at DESC) WHERE customer_id IS NOT NULL;

-- What each counted refund currently contributes (refunds count only while their order does).
CREATE TABLE analytics_refunds (
    shop_domain  text NOT NULL,
    refund_id    bigint NOT NULL,
    order_id     bigint NOT NULL,
    customer_id  bigint,
    currency     text NOT NULL,
    amount       numeric NOT NULL,
    local_hour   timestamp NOT NULL,
    PRIMARY KEY (shop_domain, refund_id)
);
CREATE INDEX analytics_refunds_order_idx ON analytics_refunds (shop_domain, order_id);

-- Sales per shop, local hour and currency: the folded deltas. Hours roll up into days and
-- weeks at query time (in the shop's zone, so half-hour offsets stay exact).
CREATE TABLE analytics_hourly (
    shop_domain    text NOT NULL,
    local_hour     timestamp NOT NULL,
    currency       text NOT NULL,
    orders_count   bigint NOT NULL DEFAULT 0,
    gross          numeric NOT NULL DEFAULT 0,
    refunds_count  bigint NOT NULL DEFAULT 0,
    refunds        numeric NOT NULL DEFAULT 0,
    PRIMARY KEY (shop_domain, local_hour, currency)
);

-- Spend per shop, customer and currency, for the top-customers ranking.
CREATE TABLE analytics_customers (
    shop_domain   text NOT NULL,
    customer_id   bigint NOT NULL,
    currency      text NOT NULL,
    orders_count  bigint NOT NULL DEFAULT 0,
    gross         numeric NOT NULL DEFAULT 0,
    refunds       numeric NOT NULL DEFAULT 0,
    spent         numeric GENERATED ALWAYS AS (gross - refunds) STORED,
    PRIMARY KEY (shop_domain, customer_id, currency)
);
CREATE INDEX analytics_customers_rank_idx
    ON analytics_customers (shop_domain, currency, spent DESC);

-- Deltas not folded yet, appended by writer transactions (no index, so appends share nothing).
CREATE TABLE analytics_hourly_pending (
    shop_domain    text NOT NULL,
    local_hour     timestamp NOT NULL,
    currency       text NOT NULL,
    orders_count   bigint NOT NULL,
    gross          numeric NOT NULL,
    refunds_count  bigint NOT NULL,
    refunds        numeric NOT NULL
);

CREATE TABLE analytics_customers_pending (
    shop_domain   text NOT NULL,
    customer_id   bigint NOT NULL,
    currency      text NOT NULL,
    orders_count  bigint NOT NULL,
    gross         numeric NOT NULL,
    refunds       numeric NOT NULL
);

-- New customers per period and catalogue size (the other KPI cards).
CREATE INDEX customers_created_live_idx ON customers (shop_domain, created_at) WHERE deleted_at IS NULL;
CREATE INDEX products_created_idx ON products (shop_domain, created_at);

-- ===========================================================================================
-- What readers query.

-- The folded rollups plus what is still pending.
CREATE VIEW analytics_hourly_live AS
    SELECT shop_domain, local_hour, currency, orders_count, gross, refunds_count, refunds
    FROM analytics_hourly
    UNION ALL
    SELECT shop_domain, local_hour, currency, orders_count, gross, refunds_count, refunds
    FROM analytics_hourly_pending;

CREATE VIEW analytics_customers_live AS
    SELECT shop_domain, customer_id, currency, orders_count, gross, refunds
    FROM analytics_customers
    UNION ALL
    SELECT shop_domain, customer_id, currency, orders_count, gross, refunds
    FROM analytics_customers_pending;

-- The zone a shop's hours are in (readers bucket days and weeks with it too).
CREATE FUNCTION analytics_tz(p_shop text) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT coalesce((SELECT time_zone FROM analytics_shops WHERE shop_domain = p_shop), 'UTC')
$$;

-- ===========================================================================================
-- Deltas: written by the reconciliation, folded by the compactor.

-- Append one delta; `analytics_compact` folds it.
CREATE FUNCTION analytics_add_hourly(p_shop text, p_hour timestamp, p_currency text,
                                     d_orders bigint, d_gross numeric,
                                     d_refunds_count bigint, d_refunds numeric)
RETURNS void
LANGUAGE sql AS $$
    INSERT INTO analytics_hourly_pending
        (shop_domain, local_hour, currency, orders_count, gross, refunds_count, refunds)
    VALUES (p_shop, p_hour, p_currency, d_orders, d_gross, d_refunds_count, d_refunds)
$$;

CREATE FUNCTION analytics_add_customer(p_shop text, p_customer bigint, p_currency text,
                                       d_orders bigint, d_gross numeric, d_refunds numeric)
RETURNS void
LANGUAGE sql AS $$
    INSERT INTO analytics_customers_pending
        (shop_domain, customer_id, currency, orders_count, gross, refunds)
    SELECT p_shop, p_customer, p_currency, d_orders, d_gross, d_refunds
    WHERE p_customer IS NOT NULL
$$;

-- Folds every committed delta into the rollups and returns how many delta rows it moved.
-- The DELETE sees only committed rows (READ COMMITTED), so a writer's deltas are folded
-- exactly once: either by this run, atomically with their removal, or by a later one. An
-- advisory lock keeps compactors of several engine processes from updating the same rollup
-- rows at once; the loser returns 0 at once instead of waiting.
CREATE FUNCTION analytics_compact() RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    moved_hours     bigint;
    moved_customers bigint;
BEGIN
    IF NOT pg_try_advisory_xact_lock(hashtext('xeno.analytics_compact')) THEN
        RETURN 0;
    END IF;

    WITH moved AS (
        DELETE FROM analytics_hourly_pending RETURNING *
    ), folded AS (
        INSERT INTO analytics_hourly AS h
            (shop_domain, local_hour, currency, orders_count, gross, refunds_count, refunds)
        SELECT shop_domain, local_hour, currency, sum(orders_count), sum(gross),
               sum(refunds_count), sum(refunds)
        FROM moved
        GROUP BY shop_domain, local_hour, currency
        ON CONFLICT (shop_domain, local_hour, currency) DO UPDATE
           SET orders_count  = h.orders_count + EXCLUDED.orders_count,
               gross         = h.gross + EXCLUDED.gross,
               refunds_count = h.refunds_count + EXCLUDED.refunds_count,
               refunds       = h.refunds + EXCLUDED.refunds
    )
    SELECT count(*) INTO moved_hours FROM moved;

    WITH moved AS (
        DELETE FROM analytics_customers_pending RETURNING *
    ), folded AS (
        INSERT INTO analytics_customers AS c
            (shop_domain, customer_id, currency, orders_count, gross, refunds)
        SELECT shop_domain, customer_id, currency, sum(orders_count), sum(gross), sum(refunds)
        FROM moved
        GROUP BY shop_domain, customer_id, currency
        ON CONFLICT (shop_domain, customer_id, currency) DO UPDATE
           SET orders_count = c.orders_count + EXCLUDED.orders_count,
               gross        = c.gross + EXCLUDED.gross,
               refunds      = c.refunds + EXCLUDED.refunds
    )
    SELECT count(*) INTO moved_customers FROM moved;

    RETURN moved_hours + moved_customers;
END
$$;

-- ===========================================================================================
-- The per-order reconciliation.
--
-- `analytics_sync_order_as` takes the order's counted fields as arguments: the orders trigger
-- passes the row it fired for (the current version: the statement that fired holds the row's
-- lock until commit). Other callers (the refunds trigger) go through `analytics_sync_order`,
-- which reads the order with a dynamic statement, planned at each call with the table's
-- current size. A static `SELECT` would be cached by PL/pgSQL as a generic plan after five
-- calls; planned while `orders` is empty and has no statistics, that plan rated
-- `orders_customer_idx` as cheap as the primary key and made every later order write scan
-- all of the shop's orders (2 300 index fetches per order 16 000 orders into a writer
-- benchmark; a store test in engine/src/store/ counts them).

CREATE FUNCTION analytics_sync_order_as(p_shop text, p_order_id bigint, p_found boolean,
                                        p_customer bigint, p_currency text, p_total numeric,
                                        p_created timestamptz, p_test boolean,
                                        p_deleted timestamptz, p_cancelled timestamptz)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    have     analytics_orders%ROWTYPE;
    counted  boolean;
    tz       text;
    cur      text;
    v_hour   timestamp;
    had      boolean;
    r        record;
BEGIN
    -- Lock (creating it if needed) this order's rollup row: every other transaction
    -- reconciling the order waits here.
    INSERT INTO analytics_orders AS a (shop_domain, order_id) VALUES (p_shop, p_order_id)
    ON CONFLICT (shop_domain, order_id) DO UPDATE SET shop_domain = a.shop_domain
    RETURNING a.* INTO have;
    had := have.total IS NOT NULL;

    counted := p_found
        AND NOT coalesce(p_test, false)
        AND p_deleted IS NULL
        AND p_cancelled IS NULL
        AND p_created IS NOT NULL
        AND p_total IS NOT NULL;
    tz := analytics_tz(p_shop);
    cur := coalesce(nullif(p_currency, ''), 'XXX');
    v_hour := CASE WHEN counted THEN date_trunc('hour', p_created AT TIME ZONE tz) END;

    -- The order itself.
    IF had AND (NOT counted
                  OR have.customer_id IS DISTINCT FROM p_customer
                  OR have.currency <> cur
                  OR have.total <> p_total
                  OR have.created_at <> p_created
                  OR have.local_hour <> v_hour) THEN
        PERFORM analytics_add_hourly(p_shop, have.local_hour, have.currency, -1, -have.total, 0, 0);
        PERFORM analytics_add_customer(p_shop, have.customer_id, have.currency, -1, -have.total, 0);
        UPDATE analytics_orders
           SET customer_id = NULL, currency = NULL, total = NULL, created_at = NULL, local_hour = NULL
         WHERE shop_domain = p_shop AND order_id = p_order_id;
        had := false;
    END IF;
    IF counted AND NOT had THEN
        PERFORM analytics_add_hourly(p_shop, v_hour, cur, 1, p_total, 0, 0);
        PERFORM analytics_add_customer(p_shop, p_customer, cur, 1, p_total, 0);
        UPDATE analytics_orders
           SET customer_id = p_customer, currency = cur, total = p_total,
               created_at = p_created, local_hour = v_hour
         WHERE shop_domain = p_shop AND order_id = p_order_id;
    END IF;

    -- Its refunds: what is counted now against what should be.
    FOR r IN
        SELECT a.refund_id AS have_id, a.customer_id AS have_customer, a.currency AS have_currency,
               a.amount AS have_amount, a.local_hour AS have_hour,
               f.id AS want_id, f.amount AS want_amount,
               date_trunc('hour', coalesce(f.processed_at, f.created_at, p_created)
                                  AT TIME ZONE tz) AS want_hour
        FROM (SELECT * FROM analytics_refunds
              WHERE shop_domain = p_shop AND order_id = p_order_id) a
        FULL JOIN (SELECT * FROM order_refunds
                   WHERE counted AND shop_domain = p_shop AND order_id = p_order_id) f
               ON f.id = a.refund_id
    LOOP
        IF r.have_id IS NOT NULL AND r.want_id IS NOT NULL
           AND r.have_customer IS NOT DISTINCT FROM p_customer
           AND r.have_currency = cur
           AND r.have_amount = r.want_amount
           AND r.have_hour = r.want_hour THEN
            CONTINUE;
        END IF;
        IF r.have_id IS NOT NULL THEN
            PERFORM analytics_add_hourly(p_shop, r.have_hour, r.have_currency, 0, 0, -1, -r.have_amount);
            PERFORM analytics_add_customer(p_shop, r.have_customer, r.have_currency, 0, 0, -r.have_amount);
            DELETE FROM analytics_refunds WHERE shop_domain = p_shop AND refund_id = r.have_id;
        END IF;
        IF r.want_id IS NOT NULL THEN
            PERFORM analytics_add_hourly(p_shop, r.want_hour, cur, 0, 0, 1, r.want_amount);
            PERFORM analytics_add_customer(p_shop, p_customer, cur, 0, 0, r.want_amount);
            INSERT INTO analytics_refunds
                (shop_domain, refund_id, order_id, customer_id, currency, amount, local_hour)
            VALUES (p_shop, r.want_id, p_order_id, p_customer, cur, r.want_amount, r.want_hour);
        END IF;
    END LOOP;
END
$$;

-- Locks, reads the current order (planned per call, see above), reconciles. The lock comes
-- first so the read sees what a concurrent writer of the same order committed.
CREATE FUNCTION analytics_sync_order(p_shop text, p_order_id bigint) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    o orders%ROWTYPE;
BEGIN
    INSERT INTO analytics_orders AS a (shop_domain, order_id) VALUES (p_shop, p_order_id)
    ON CONFLICT (shop_domain, order_id) DO UPDATE SET shop_domain = a.shop_domain;
    EXECUTE 'SELECT * FROM orders WHERE shop_domain = $1 AND id = $2'
       INTO o USING p_shop, p_order_id;
    PERFORM analytics_sync_order_as(p_shop, p_order_id, o.id IS NOT NULL, o.customer_id,
                                    o.currency, o.total_price, o.created_at, o.test,
                                    o.deleted_at, o.cancelled_at);
END
$$;

-- ===========================================================================================
-- Repair.

-- Recomputes one shop's rollups from the raw tables (after its time zone changes, or to
-- repair by hand: `SELECT analytics_rebuild('acme.myshopify.com')`). The raw tables already
-- account for the shop's pending deltas, so those are dropped with the folded rows.
CREATE FUNCTION analytics_rebuild(p_shop text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    tz text := analytics_tz(p_shop);
BEGIN
    DELETE FROM analytics_hourly_pending WHERE shop_domain = p_shop;
    DELETE FROM analytics_customers_pending WHERE shop_domain = p_shop;
    DELETE FROM analytics_hourly WHERE shop_domain = p_shop;
    DELETE FROM analytics_customers WHERE shop_domain = p_shop;
    DELETE FROM analytics_refunds WHERE shop_domain = p_shop;
    DELETE FROM analytics_orders WHERE shop_domain = p_shop;

    INSERT INTO analytics_orders
        (shop_domain, order_id, customer_id, currency, total, created_at, local_hour)
    SELECT shop_domain, id, customer_id, coalesce(nullif(currency, ''), 'XXX'), total_price,
           created_at, date_trunc('hour', created_at AT TIME ZONE tz)
    FROM orders
    WHERE shop_domain = p_shop AND NOT test AND deleted_at IS NULL AND cancelled_at IS NULL
      AND created_at IS NOT NULL AND total_price IS NOT NULL;

    INSERT INTO analytics_refunds
        (shop_domain, refund_id, order_id, customer_id, currency, amount, local_hour)
    SELECT f.shop_domain, f.id, f.order_id, o.customer_id, o.currency, f.amount,
           date_trunc('hour', coalesce(f.processed_at, f.created_at, o.created_at) AT TIME ZONE tz)
    FROM order_refunds f
    JOIN analytics_orders o ON o.shop_domain = f.shop_domain AND o.order_id = f.order_id
    WHERE f.shop_domain = p_shop AND o.total IS NOT NULL;

    INSERT INTO analytics_hourly
        (shop_domain, local_hour, currency, orders_count, gross, refunds_count, refunds)
    SELECT p_shop, local_hour, currency, sum(orders_count), sum(gross),
           sum(refunds_count), sum(refunds)
    FROM (SELECT local_hour, currency, 1 AS orders_count, total AS gross,
                 0 AS refunds_count, 0 AS refunds
          FROM analytics_orders WHERE shop_domain = p_shop AND total IS NOT NULL
          UNION ALL
          SELECT local_hour, currency, 0, 0, 1, amount
          FROM analytics_refunds WHERE shop_domain = p_shop) x
    GROUP BY local_hour, currency;

    INSERT INTO analytics_customers (shop_domain, customer_id, currency, orders_count, gross, refunds)
    SELECT p_shop, customer_id, currency, sum(orders_count), sum(gross), sum(refunds)
    FROM (SELECT customer_id, currency, 1 AS orders_count, total AS gross, 0 AS refunds
          FROM analytics_orders
          WHERE shop_domain = p_shop AND customer_id IS NOT NULL AND total IS NOT NULL
          UNION ALL
          SELECT customer_id, currency, 0, 0, amount
          FROM analytics_refunds WHERE shop_domain = p_shop AND customer_id IS NOT NULL) x
    GROUP BY customer_id, currency;
END
$$;

-- ===========================================================================================
-- Triggers.

-- The orders trigger hands over the row it fired for.
CREATE FUNCTION analytics_orders_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE'
       OR (TG_OP = 'UPDATE' AND (NEW.shop_domain, NEW.id) <> (OLD.shop_domain, OLD.id)) THEN
        -- The old key no longer has a row.
        PERFORM analytics_sync_order_as(OLD.shop_domain, OLD.id, false,
                                        NULL, NULL, NULL, NULL, NULL, NULL, NULL);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM analytics_sync_order_as(NEW.shop_domain, NEW.id, true, NEW.customer_id,
                                        NEW.currency, NEW.total_price, NEW.created_at,
                                        NEW.test, NEW.deleted_at, NEW.cancelled_at);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER analytics_orders_insert AFTER INSERT ON orders
    FOR EACH ROW EXECUTE FUNCTION analytics_orders_trigger();
CREATE TRIGGER analytics_orders_delete AFTER DELETE ON orders
    FOR EACH ROW EXECUTE FUNCTION analytics_orders_trigger();
-- Status changes (paid, fulfilled, …) do not touch the figures and skip the work.
CREATE TRIGGER analytics_orders_update AFTER UPDATE ON orders
    FOR EACH ROW
    WHEN (OLD.total_price IS DISTINCT FROM NEW.total_price
          OR OLD.currency IS DISTINCT FROM NEW.currency
          OR OLD.customer_id IS DISTINCT FROM NEW.customer_id
          OR OLD.created_at IS DISTINCT FROM NEW.created_at
          OR OLD.test IS DISTINCT FROM NEW.test
          OR OLD.deleted_at IS DISTINCT FROM NEW.deleted_at
          OR OLD.cancelled_at IS DISTINCT FROM NEW.cancelled_at
          OR OLD.shop_domain IS DISTINCT FROM NEW.shop_domain
          OR OLD.id IS DISTINCT FROM NEW.id)
    EXECUTE FUNCTION analytics_orders_trigger();

CREATE FUNCTION analytics_refunds_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM analytics_sync_order(OLD.shop_domain, OLD.order_id);
    END IF;
    IF TG_OP <> 'DELETE'
       AND (TG_OP = 'INSERT' OR (NEW.shop_domain, NEW.order_id) <> (OLD.shop_domain, OLD.order_id)) THEN
        PERFORM analytics_sync_order(NEW.shop_domain, NEW.order_id);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER analytics_refunds_insert AFTER INSERT ON order_refunds
    FOR EACH ROW EXECUTE FUNCTION analytics_refunds_trigger();
CREATE TRIGGER analytics_refunds_delete AFTER DELETE ON order_refunds
    FOR EACH ROW EXECUTE FUNCTION analytics_refunds_trigger();
CREATE TRIGGER analytics_refunds_update AFTER UPDATE ON order_refunds
    FOR EACH ROW
    WHEN (OLD.amount IS DISTINCT FROM NEW.amount
          OR OLD.processed_at IS DISTINCT FROM NEW.processed_at
          OR OLD.created_at IS DISTINCT FROM NEW.created_at
          OR OLD.order_id IS DISTINCT FROM NEW.order_id
          OR OLD.shop_domain IS DISTINCT FROM NEW.shop_domain)
    EXECUTE FUNCTION analytics_refunds_trigger();

-- A shop's time zone: validated once here, and the shop's rollups rebuilt when it changes.
CREATE FUNCTION analytics_shops_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    tz text;
BEGIN
    SELECT name INTO tz FROM pg_timezone_names WHERE name = NEW.iana_timezone;
    tz := coalesce(tz, 'UTC');
    IF tz IS DISTINCT FROM (SELECT time_zone FROM analytics_shops WHERE shop_domain = NEW.shop_domain) THEN
        INSERT INTO analytics_shops (shop_domain, time_zone) VALUES (NEW.shop_domain, tz)
        ON CONFLICT (shop_domain) DO UPDATE SET time_zone = EXCLUDED.time_zone;
        PERFORM analytics_rebuild(NEW.shop_domain);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER analytics_shops_insert AFTER INSERT ON shops
    FOR EACH ROW WHEN (NEW.iana_timezone IS NOT NULL)
    EXECUTE FUNCTION analytics_shops_trigger();
CREATE TRIGGER analytics_shops_update AFTER UPDATE OF iana_timezone ON shops
    FOR EACH ROW WHEN (OLD.iana_timezone IS DISTINCT FROM NEW.iana_timezone)
    EXECUTE FUNCTION analytics_shops_trigger();
