package dev.conveyor.taskapi.domain;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.contracts.CreditsChanged;
import dev.conveyor.contracts.EventEnvelope;
import dev.conveyor.contracts.EventHeaders;
import dev.conveyor.contracts.EventTypes;
import dev.conveyor.contracts.Json;
import dev.conveyor.contracts.LeadChanged;
import dev.conveyor.contracts.ProjectSnapshot;
import dev.conveyor.contracts.Topics;
import dev.conveyor.taskapi.store.OutboxStore.Record;
import java.time.Instant;
import java.util.UUID;

/**
 * Builds the outbox rows of every event task-api publishes (see docs/events.md), each with the headers consumers filter
 * on ({@link EventHeaders}): its type, subject and time, and for task events the task's type, status and runAfter (and
 * on task.completed its generation type and shot), so that no consumer parses an event to learn it does not need it.
 */
public final class Events {
    public static final String SOURCE = "task-api";

    private Events() {}

    /**
     * A task.* event on task-events, key = project id; params only on task.created and task.completed. The envelope is
     * written in one pass ({@link EventEnvelope#toJsonWith}: the snapshot straight to text, params appended as the data's
     * last field), not built as a tree and serialised again: several of these are written per task.
     */
    public static Record task(String type, Task task) {
        boolean withParams = EventTypes.TASK_CREATED.equals(type) || EventTypes.TASK_COMPLETED.equals(type);
        return task(type, task, withParams && task.params() != null ? json(task.params()) : null);
    }

    /**
     * task.created of a task just inserted, its params the JSON text the create measured and stored ({@link
     * TaskInput.Validated#paramsJson()}), written into the event as they are, not serialised again.
     */
    public static Record created(Task task, String paramsJson) {
        return task(EventTypes.TASK_CREATED, task, paramsJson);
    }

    private static Record task(String type, Task task, String paramsJson) {
        EventEnvelope e = EventEnvelope.of(type, SOURCE, task.id().toString(), task.projectId(), task.userId(), null);
        return new Record(
                Topics.TASK_EVENTS,
                task.projectId().toString(),
                e.toJsonWith(task.snapshot(false), "params", paramsJson),
                EventHeaders.task(
                        e, task.taskType(), task.status(), task.runAfter(), task.generationType(), task.shotId()));
    }

    /** credits.changed of one ledger entry on account-events, key = user id. */
    public static Record credits(Account account, String kind, long amount, UUID taskId) {
        return credits(account, kind, amount, taskId, 1);
    }

    /**
     * credits.changed of a transaction's {@code entries} ledger entries of one kind on one account (their amount
     * together; {@code taskId} only when they are one task's entry), the account as it stands after them.
     */
    public static Record credits(Account account, String kind, long amount, UUID taskId, int entries) {
        CreditsChanged data = new CreditsChanged(
                account.userId(),
                account.balance(),
                account.held(),
                account.available(),
                kind,
                amount,
                entries == 1 ? taskId : null,
                entries);
        EventEnvelope e = EventEnvelope.of(
                EventTypes.CREDITS_CHANGED, SOURCE, account.userId().toString(), null, account.userId(), null);
        return new Record(Topics.ACCOUNT_EVENTS, account.userId().toString(), e.toJsonWith(data), EventHeaders.of(e));
    }

    /** lead.changed on account-events, key = user id. */
    public static Record lead(UUID userId, String clientId, Instant expiresAt) {
        EventEnvelope e = EventEnvelope.of(EventTypes.LEAD_CHANGED, SOURCE, userId.toString(), null, userId, null);
        return new Record(
                Topics.ACCOUNT_EVENTS,
                userId.toString(),
                e.toJsonWith(new LeadChanged(userId, clientId, expiresAt)),
                EventHeaders.of(e));
    }

    /** project.upserted on the compacted projects topic, key = project id. */
    public static Record project(Project p) {
        EventEnvelope e = EventEnvelope.of(
                EventTypes.PROJECT_UPSERTED,
                SOURCE,
                p.id().toString(),
                p.id(),
                p.ownerId(),
                new ProjectSnapshot(p.id(), p.ownerId(), p.name(), p.createdAt()));
        return new Record(Topics.PROJECTS, p.id().toString(), e.toJson(), EventHeaders.of(e));
    }

    private static String json(JsonNode tree) {
        try {
            return Json.MAPPER.writeValueAsString(tree);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("task params are not serializable: " + e.getMessage(), e);
        }
    }

    /** A tombstone: the project was deleted. */
    public static Record projectDeleted(UUID projectId) {
        return new Record(Topics.PROJECTS, projectId.toString(), null);
    }
}
