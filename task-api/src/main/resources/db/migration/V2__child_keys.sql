-- A worker creates children of the task it leases; their idempotency key is scoped to the parent (a retried
-- orchestrator, with a new lease, finds the children its earlier attempt created) and never meets the user's own keys.
ALTER TABLE tasks ADD COLUMN child_key text;
ALTER TABLE tasks ADD CONSTRAINT child_key_per_parent UNIQUE (parent_task_id, child_key);
