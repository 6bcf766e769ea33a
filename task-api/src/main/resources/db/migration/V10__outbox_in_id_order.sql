-- The relay publishes committed rows in id order (OutboxPass explains why that is commit order for the events of one
-- row). It used to publish only rows of transactions older than every running one, in tx_id order: that is the order
-- in which transactions first wrote, not the order in which they committed. A batch complete that had taken its
-- transaction id, then waited for a task a progress heartbeat held, committed after the heartbeat yet was published
-- before it (the chaos suite saw a task.progress after its task.completed), and one long transaction held back every
-- later row. tx_id has no other reader.
DROP INDEX outbox_unpublished;
ALTER TABLE outbox DROP COLUMN tx_id;
CREATE INDEX outbox_unpublished ON outbox (id) WHERE published_at IS NULL;
