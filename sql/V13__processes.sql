-- The process registry (engine/src/process_registry.rs): every engine process upserts its
-- row every few seconds, so /api/health (and the dashboard, `xeno health`) can list every
-- process of the deployment and its roles, and xeno_roles_seen can tell when no live process
-- runs a role. A row not refreshed lately is a dead process; rows are pruned after a day.
CREATE TABLE processes (
    id          text        PRIMARY KEY,
    host        text        NOT NULL,
    pid         bigint      NOT NULL,
    roles       text[]      NOT NULL,
    started_at  timestamptz NOT NULL,
    last_seen   timestamptz NOT NULL
);
CREATE INDEX processes_last_seen_idx ON processes (last_seen);
