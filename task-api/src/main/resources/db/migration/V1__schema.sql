-- task-api owns database conveyor_tasks. Every state change writes its event into outbox in the same transaction.

CREATE TABLE accounts (
    user_id    uuid PRIMARY KEY,
    balance    bigint      NOT NULL DEFAULT 0,
    held       bigint      NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT balance_not_negative CHECK (balance >= 0),
    CONSTRAINT held_not_negative CHECK (held >= 0),
    CONSTRAINT held_within_balance CHECK (held <= balance)
);

-- balance = sum(grant) - sum(capture); held = sum(hold) - sum(capture) - sum(release)
CREATE TABLE credit_ledger (
    id         bigserial PRIMARY KEY,
    user_id    uuid        NOT NULL REFERENCES accounts (user_id),
    kind       text        NOT NULL CHECK (kind IN ('grant', 'hold', 'capture', 'release')),
    amount     bigint      NOT NULL CHECK (amount > 0),
    task_id    uuid,
    reason     text,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX credit_ledger_user ON credit_ledger (user_id, id);

CREATE TABLE projects (
    id         uuid PRIMARY KEY,
    owner_id   uuid        NOT NULL,
    name       text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX projects_owner ON projects (owner_id, created_at);

CREATE TABLE tasks (
    id               uuid PRIMARY KEY,
    project_id       uuid        NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    user_id          uuid        NOT NULL,
    task_type        text        NOT NULL,
    params           jsonb       NOT NULL,
    status           text        NOT NULL CHECK (status IN ('waiting', 'queued', 'in_progress', 'complete', 'failed', 'cancelled')),
    priority         int         NOT NULL DEFAULT 0,
    cost             bigint      NOT NULL CHECK (cost >= 0),
    attempts         int         NOT NULL DEFAULT 0,
    max_attempts     int         NOT NULL,
    lease_ms         bigint      NOT NULL,
    progress         int,
    progress_message text,
    worker_id        text,
    lease_token      uuid,
    lease_expires_at timestamptz,
    output_location  text,
    metadata         jsonb,
    error_message    text,
    generation_id    uuid,
    generation_type  text,
    shot_id          uuid,
    parent_task_id   uuid REFERENCES tasks (id) ON DELETE SET NULL,
    depends_on       uuid[]      NOT NULL DEFAULT '{}',
    idempotency_key  text,
    run_after        timestamptz NOT NULL DEFAULT now(),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    claimed_at       timestamptz,
    completed_at     timestamptz,
    CONSTRAINT idempotency_key_per_user UNIQUE (user_id, idempotency_key)
);
-- Claiming only ever touches queued rows: completed history stays out of this index.
CREATE INDEX tasks_claimable ON tasks (priority DESC, created_at) WHERE status = 'queued';
CREATE INDEX tasks_by_project ON tasks (project_id, created_at DESC);
CREATE INDEX tasks_leases ON tasks (lease_expires_at) WHERE status = 'in_progress';
CREATE INDEX tasks_children ON tasks (parent_task_id) WHERE parent_task_id IS NOT NULL;
CREATE INDEX tasks_waiting_on ON tasks USING gin (depends_on) WHERE status = 'waiting';

CREATE TABLE workers (
    worker_id    text PRIMARY KEY,
    capabilities text[]      NOT NULL,
    last_seen_at timestamptz NOT NULL DEFAULT now()
);

-- Per-user task-processing lease (one browser tab leads).
CREATE TABLE task_leads (
    user_id    uuid PRIMARY KEY,
    client_id  text        NOT NULL,
    expires_at timestamptz NOT NULL
);

-- tx_id lets the relay publish only rows of transactions older than every running one (no gaps, commit order).
CREATE TABLE outbox (
    id           bigserial PRIMARY KEY,
    tx_id        xid8        NOT NULL DEFAULT pg_current_xact_id(),
    topic        text        NOT NULL,
    key          text        NOT NULL,
    payload      text,
    created_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
    published_at timestamptz
);
CREATE INDEX outbox_unpublished ON outbox (tx_id, id) WHERE published_at IS NULL;

-- Low-latency nudges: a long-polling claim wakes on any replica when a task is queued; the relay wakes on new rows.
CREATE FUNCTION notify_task_queued() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status = 'queued' THEN
        PERFORM pg_notify('conveyor_task_queued', NEW.task_type);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER tasks_queued_notify AFTER INSERT OR UPDATE OF status ON tasks
    FOR EACH ROW EXECUTE FUNCTION notify_task_queued();

CREATE FUNCTION notify_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('conveyor_outbox', '');
    RETURN NULL;
END $$;
CREATE TRIGGER outbox_notify AFTER INSERT ON outbox FOR EACH STATEMENT EXECUTE FUNCTION notify_outbox();
