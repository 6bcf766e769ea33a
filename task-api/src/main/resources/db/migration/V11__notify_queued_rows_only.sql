-- Issue 15, PostgreSQL's work per task (counted with DEVSTACK_PG_STATS=1 ./bench/compare, docs/benchmarks.md "Queued
-- notifications"). V8's statement-level triggers ran for EVERY statement that inserted or updated tasks: a claim, a
-- complete, a heartbeat, a single create. Each kept its old and new rows in transition tables and ran a plpgsql
-- function whose query aggregated them — work for every statement, although only the few that queue a task have
-- anything to send. A row trigger with a WHEN condition costs nothing for the rows it does not match: PostgreSQL
-- evaluates WHEN in the executor, queues no trigger event and keeps no transition table. Only a row that becomes queued
-- (or, still queued, gets another run_after) calls the function, which sends its task type. PostgreSQL folds identical
-- notifications of one transaction into one (a hash table since PostgreSQL 13), so a batch create or a gate that queues
-- thousands of tasks of one type still delivers one notification per type at commit, as V8's did; a listener never
-- hears of a task it cannot see yet (notifications are delivered at commit).
DROP TRIGGER tasks_inserted_queued_notify ON tasks;
DROP TRIGGER tasks_updated_queued_notify ON tasks;
DROP FUNCTION notify_tasks_inserted_queued();
DROP FUNCTION notify_tasks_updated_queued();
DROP FUNCTION notify_task_queued_types(text);

CREATE FUNCTION notify_task_queued() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('conveyor_task_queued', NEW.task_type);
    RETURN NULL;
END $$;

-- Created queued (no dependencies, or a child whose dependencies are all complete).
CREATE TRIGGER tasks_inserted_queued_notify AFTER INSERT ON tasks
    FOR EACH ROW WHEN (NEW.status = 'queued')
    EXECUTE FUNCTION notify_task_queued();

-- Became queued (released, reaped, retried, promoted dependents, a user's retry) or, still queued, got another
-- run_after. Claims, completes and heartbeats match nothing.
CREATE TRIGGER tasks_updated_queued_notify AFTER UPDATE ON tasks
    FOR EACH ROW WHEN (NEW.status = 'queued'
                       AND (OLD.status IS DISTINCT FROM 'queued' OR OLD.run_after IS DISTINCT FROM NEW.run_after))
    EXECUTE FUNCTION notify_task_queued();
