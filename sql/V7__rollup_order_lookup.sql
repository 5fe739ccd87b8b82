-- The rollup trigger no longer looks the order up through a cached plan.
--
-- `analytics_sync_order` (V3) read the order with a static `SELECT … FROM orders WHERE
-- shop_domain = $1 AND id = $2`. PL/pgSQL caches a generic plan for it after five calls; in
-- a fresh database that happens while `orders` is empty and has no statistics, and the
-- planner then rated `orders_customer_idx` (on `shop_domain` alone, `id` as a filter) as
-- cheap as the primary key. The plan stays cached for the connection, so every later order
-- write scanned all of the shop's orders: quadratic, found as 2 300 index fetches per order
-- 16 000 orders into a writer benchmark (`pg_stat_user_tables.idx_tup_fetch`), and the
-- reason a first backfill slowed down as it went.
--
-- Now:
-- - The orders trigger passes the row it fired for. It is the current version: the
--   statement that fired holds the row's lock until commit, so a re-read could only return
--   the same row (and after a DELETE, none).
-- - Other callers (the refunds trigger, rebuilds) read the order with a dynamic statement,
--   planned at each call with the table's current size, so the primary key always wins
--   once the table has rows.
-- The rules themselves are V3's, unchanged (sql/README.md, "Analytics").

-- V3's body, with the order's counted fields as arguments instead of a lookup.
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

-- Same signature and effect as V3's: locks, reads the current order (planned per call, see
-- above), reconciles. The lock comes first so the read sees what a concurrent writer of the
-- same order committed.
CREATE OR REPLACE FUNCTION analytics_sync_order(p_shop text, p_order_id bigint) RETURNS void
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

-- The orders trigger hands over the row it fired for (same triggers as V3, new body).
CREATE OR REPLACE FUNCTION analytics_orders_trigger() RETURNS trigger
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
