package dev.conveyor.taskapi.domain;

import dev.conveyor.contracts.CreditsChanged;
import dev.conveyor.contracts.EventEnvelope;
import dev.conveyor.contracts.EventTypes;
import dev.conveyor.contracts.LeadChanged;
import dev.conveyor.contracts.ProjectSnapshot;
import dev.conveyor.contracts.Topics;
import dev.conveyor.taskapi.store.OutboxStore.Record;
import java.time.Instant;
import java.util.UUID;

/** Builds the outbox rows of every event task-api publishes (see docs/events.md). */
public final class Events {
    public static final String SOURCE = "task-api";

    private Events() {}

    /** A task.* event on task-events, key = project id; params only on task.created and task.completed. */
    public static Record task(String type, Task task) {
        boolean withParams = EventTypes.TASK_CREATED.equals(type) || EventTypes.TASK_COMPLETED.equals(type);
        EventEnvelope e = EventEnvelope.of(
                type, SOURCE, task.id().toString(), task.projectId(), task.userId(), task.snapshot(withParams));
        return new Record(Topics.TASK_EVENTS, task.projectId().toString(), e.toJson());
    }

    /** credits.changed on account-events, key = user id. */
    public static Record credits(Account account, String kind, long amount, UUID taskId) {
        CreditsChanged data = new CreditsChanged(
                account.userId(), account.balance(), account.held(), account.available(), kind, amount, taskId);
        EventEnvelope e = EventEnvelope.of(
                EventTypes.CREDITS_CHANGED, SOURCE, account.userId().toString(), null, account.userId(), data);
        return new Record(Topics.ACCOUNT_EVENTS, account.userId().toString(), e.toJson());
    }

    /** lead.changed on account-events, key = user id. */
    public static Record lead(UUID userId, String clientId, Instant expiresAt) {
        EventEnvelope e = EventEnvelope.of(
                EventTypes.LEAD_CHANGED,
                SOURCE,
                userId.toString(),
                null,
                userId,
                new LeadChanged(userId, clientId, expiresAt));
        return new Record(Topics.ACCOUNT_EVENTS, userId.toString(), e.toJson());
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
        return new Record(Topics.PROJECTS, p.id().toString(), e.toJson());
    }

    /** A tombstone: the project was deleted. */
    public static Record projectDeleted(UUID projectId) {
        return new Record(Topics.PROJECTS, projectId.toString(), null);
    }
}
