-- The task types each worker can claim (its capabilities' types, narrowed by the claim's taskTypes), recorded on every
-- claim: a queued task whose type no recently seen worker can claim is stalled (GET /v1/admin/stalled-tasks).
ALTER TABLE workers ADD COLUMN task_types text[] NOT NULL DEFAULT '{}';
CREATE INDEX workers_task_types ON workers USING gin (task_types);
