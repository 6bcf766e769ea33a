-- Outbox rows Kafka refused for good (too large, invalid): the relay moves them here in the transaction of its pass, so
-- the rows after them flow on. Listed and re-driven through /v1/admin/outbox/dead-letters. Same shape in every service.
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
