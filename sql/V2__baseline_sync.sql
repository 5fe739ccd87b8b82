-- Baseline, part 2 of 3: sync checkpoints, sync runs and their live progress, and the
-- per-shop lease that keeps one SyncActor per shop across every engine process (the sync
-- itself: engine/src/sync/).

-- Sync checkpoints, one row per shop and resource (orders, customers, products).
CREATE TABLE sync_state (
    shop_domain          text NOT NULL,
    resource             text NOT NULL,
    mode                 text,
    status               text NOT NULL DEFAULT 'idle',
    cursor               text,
    bulk_operation_id    text,
    updated_at_watermark timestamptz,
    objects_done         bigint NOT NULL DEFAULT 0,
    started_at           timestamptz,
    completed_at         timestamptz,
    last_reconciled_at   timestamptz,
    last_error           text,
    updated_at           timestamptz NOT NULL DEFAULT now(),
    -- The run this checkpoint belongs to: a resumed run continues its own cursor, a new run
    -- starts over.
    run_id               uuid,
    PRIMARY KEY (shop_domain, resource)
);

-- One row per sync run: queued by POST /api/sync, `xeno sync`, the start-up backfill, the
-- reconciliation schedule or a re-created webhook subscription; updated about once a second
-- while it runs, so GET /api/sync-status and the dashboard read live progress from here.
CREATE TABLE sync_runs (
    id                     uuid PRIMARY KEY,
    shop_domain            text NOT NULL,
    mode                   text NOT NULL CHECK (mode IN ('full', 'incremental')),
    trigger                text NOT NULL,
    state                  text NOT NULL CHECK (state IN ('queued', 'running', 'completed', 'failed')),
    resource               text,
    objects_done           bigint NOT NULL DEFAULT 0,
    objects_total          bigint,
    objects_fixed          bigint NOT NULL DEFAULT 0,
    objects_deleted        bigint NOT NULL DEFAULT 0,
    rate_per_second        double precision,
    eta_seconds            double precision,
    requests               bigint NOT NULL DEFAULT 0,
    -- Rate-limit points the run's queries actually cost (Shopify's actualQueryCost).
    points_used            double precision NOT NULL DEFAULT 0,
    throttled_requests     bigint NOT NULL DEFAULT 0,
    throttle_waits         bigint NOT NULL DEFAULT 0,
    throttle_wait_seconds  double precision NOT NULL DEFAULT 0,
    errors                 bigint NOT NULL DEFAULT 0,
    last_error             text,
    holder                 text,
    queued_at              timestamptz NOT NULL DEFAULT now(),
    started_at             timestamptz,
    finished_at            timestamptz,
    updated_at             timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sync_runs_shop_idx ON sync_runs (shop_domain, queued_at DESC);
CREATE INDEX sync_runs_open_idx ON sync_runs (shop_domain) WHERE state IN ('queued', 'running');

-- Who runs the SyncActor of a shop. A holder renews `expires_at` well inside the TTL; a
-- crashed holder stops renewing and another engine process takes the shop over.
CREATE TABLE sync_leases (
    shop_domain  text PRIMARY KEY,
    holder       text NOT NULL,
    acquired_at  timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL
);
