-- The relay publishes committed rows in id order (service-kit's OutboxPass explains why that is commit order for the
-- events of one row). It used to publish only rows of transactions older than every running one, in tx_id order: the
-- order in which transactions first wrote, not the order in which they committed (a transaction that took its id,
-- then waited for a row another one changed and committed, was published first; task-api's V10 has the case the chaos
-- suite found), and one long transaction held back every later row. tx_id has no other reader.
DROP INDEX outbox_unpublished;
ALTER TABLE outbox DROP COLUMN tx_id;
CREATE INDEX outbox_unpublished ON outbox (id) WHERE published_at IS NULL;
