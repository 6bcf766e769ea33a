-- Issue 15: the per-row tasks_queued_notify trigger called pg_notify once per queued row. A batch create, a drain's
-- gate (one transaction queues thousands of dependents) or a release storm paid a plpgsql call and a pending-notify
-- lookup per row. Now one statement-level trigger per event reads the transition table and sends at most ONE
-- notification per statement whose payload lists the distinct task types it queued, one per line (sorted, so two
-- statements of one transaction that queue the same types send the same payload, which PostgreSQL folds into one).
-- PostgreSQL delivers notifications at commit only, so a listener never hears of a task it cannot see yet.
-- A payload that would pass PostgreSQL's 8000-byte limit is sent as '*' (listeners treat it as every type).
DROP TRIGGER tasks_queued_notify ON tasks;
DROP FUNCTION notify_task_queued();

CREATE FUNCTION notify_task_queued_types(types text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF types IS NOT NULL THEN
        PERFORM pg_notify('conveyor_task_queued', CASE WHEN octet_length(types) > 7900 THEN '*' ELSE types END);
    END IF;
END $$;

-- Inserted rows that are queued (created without dependencies, or a child whose dependencies are all complete).
CREATE FUNCTION notify_tasks_inserted_queued() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM notify_task_queued_types(
        (SELECT string_agg(DISTINCT task_type, E'\n' ORDER BY task_type) FROM inserted_rows WHERE status = 'queued'));
    RETURN NULL;
END $$;
CREATE TRIGGER tasks_inserted_queued_notify AFTER INSERT ON tasks
    REFERENCING NEW TABLE AS inserted_rows
    FOR EACH STATEMENT EXECUTE FUNCTION notify_tasks_inserted_queued();

-- Updated rows that became queued (released, reaped, retried, promoted dependents, a user's retry) or, still queued,
-- got another run_after. A statement trigger with transition tables cannot name columns (UPDATE OF status), so it
-- fires for every UPDATE of tasks (heartbeats, completes: one call per statement, not per row) and finds nothing to
-- send for those.
CREATE FUNCTION notify_tasks_updated_queued() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM notify_task_queued_types(
        (SELECT string_agg(DISTINCT n.task_type, E'\n' ORDER BY n.task_type)
         FROM updated_rows n JOIN previous_rows o ON o.id = n.id
         WHERE n.status = 'queued'
           AND (o.status IS DISTINCT FROM 'queued' OR o.run_after IS DISTINCT FROM n.run_after)));
    RETURN NULL;
END $$;
CREATE TRIGGER tasks_updated_queued_notify AFTER UPDATE ON tasks
    REFERENCING OLD TABLE AS previous_rows NEW TABLE AS updated_rows
    FOR EACH STATEMENT EXECUTE FUNCTION notify_tasks_updated_queued();
