-- One outbox shape in every service (service-kit's relay): rows carry the id of the transaction that wrote them and are
-- published in commit order (tx_id below the snapshot's xmin, then id), not in id order. The event id and type live in
-- the payload (the envelope); record_key becomes key; a null payload is a tombstone.
ALTER TABLE outbox RENAME COLUMN record_key TO key;
ALTER TABLE outbox ADD COLUMN tx_id xid8 NOT NULL DEFAULT pg_current_xact_id();
ALTER TABLE outbox ALTER COLUMN payload DROP NOT NULL;
ALTER TABLE outbox ALTER COLUMN created_at SET DEFAULT clock_timestamp();
ALTER TABLE outbox DROP COLUMN event_id;
ALTER TABLE outbox DROP COLUMN event_type;
DROP INDEX outbox_unpublished;
CREATE INDEX outbox_unpublished ON outbox (tx_id, id) WHERE published_at IS NULL;

-- Outbox rows Kafka refused for good (too large, invalid): the relay moves them here in the transaction of its pass, so
-- the rows after them flow on. Listed and re-driven through /v1/admin/outbox/dead-letters.
CREATE TABLE outbox_dead_letters (
    id          bigserial PRIMARY KEY,
    outbox_id   bigint      NOT NULL,
    topic       text        NOT NULL,
    key         text        NOT NULL,
    payload     text,
    created_at  timestamptz NOT NULL,
    failed_at   timestamptz NOT NULL DEFAULT now(),
    reason      text        NOT NULL
);
