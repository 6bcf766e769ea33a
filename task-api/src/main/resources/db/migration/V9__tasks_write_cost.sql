-- Issue 15, PostgreSQL's work per drained task (counted in docs/benchmarks.md "PostgreSQL per drained task").
--
-- 1. The statement trigger of V8 found the rows an UPDATE queued by joining its two transition tables on id. Those have
-- no index and plpgsql caches the join's plan from an early, small call: a later UPDATE of thousands of rows (a drain's
-- gate promoting its dependents, a release storm) could then run a nested loop over both tables (n x n). Measured: 348
-- µs per task of a 1,000-task drain in this one query on one run, 16 µs on the next. EXCEPT needs no join: the queued
-- rows whose (id, task_type, run_after) was not already queued before the statement are exactly the rows that became
-- queued or got another run_after; a set operation is hashed or sorted, never n x n. Same payload as before.
CREATE OR REPLACE FUNCTION notify_tasks_updated_queued() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM notify_task_queued_types(
        (SELECT string_agg(DISTINCT q.task_type, E'\n' ORDER BY q.task_type)
         FROM (SELECT id, task_type, run_after FROM updated_rows WHERE status = 'queued'
               EXCEPT
               SELECT id, task_type, run_after FROM previous_rows WHERE status = 'queued') q));
    RETURN NULL;
END $$;

-- 2. A task's status changes on every step (waiting -> queued -> in_progress -> complete) and status is indexed
-- (tasks_by_user_status, the partial indexes' predicates), so none of those UPDATEs is HOT: each writes a new entry
-- into every index whose predicate the new row meets. The two key constraints indexed every task although almost none
-- has a key: (user_id, idempotency_key) and (parent_task_id, child_key) took an entry per row version of every task,
-- NULL keys included (a btree stores them; they never conflict). As partial unique indexes over the rows that have a
-- key they give the same guarantee, and a task without a key costs them nothing. TaskService still recognises a lost
-- race on a key by SQLSTATE 23505 (unique_violation); the lookups (key = $n) imply IS NOT NULL and use them.
ALTER TABLE tasks DROP CONSTRAINT idempotency_key_per_user;
CREATE UNIQUE INDEX idempotency_key_per_user ON tasks (user_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
ALTER TABLE tasks DROP CONSTRAINT child_key_per_parent;
CREATE UNIQUE INDEX child_key_per_parent ON tasks (parent_task_id, child_key) WHERE child_key IS NOT NULL;

-- 3. The relay deletes what it published (conveyor.relay.retention 0), so the outbox's last pages empty out again and
-- again, and autovacuum would truncate them: truncation takes an ACCESS EXCLUSIVE lock on outbox, which every writing
-- transaction (its event INSERT) and the relay's pass then queue behind (vacuum checks for waiters only every 20 ms).
-- A queue table keeps its pages instead: they are reused by the next inserts.
ALTER TABLE outbox SET (vacuum_truncate = false);
