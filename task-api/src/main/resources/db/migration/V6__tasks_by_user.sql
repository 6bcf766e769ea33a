-- GET /v1/tasks lists a user's tasks across their projects, filtered by a set of statuses, newest first
-- (the web SDK's pendingTasks() asks for waiting,queued,in_progress). Without this index that query scans every task.
CREATE INDEX tasks_by_user_status ON tasks (user_id, status, created_at DESC);
