package dev.conveyor.contracts;

/** The {@code type} attribute of every event envelope. */
public final class EventTypes {
    // task-events (data: TaskSnapshot)
    public static final String TASK_CREATED = "task.created";
    /** waiting -> queued once its dependencies completed. */
    public static final String TASK_QUEUED = "task.queued";

    public static final String TASK_CLAIMED = "task.claimed";
    public static final String TASK_PROGRESS = "task.progress";
    public static final String TASK_COMPLETED = "task.completed";
    public static final String TASK_FAILED = "task.failed";
    /** A failed attempt or an expired lease put the task back in the queue (runAfter says when). */
    public static final String TASK_REQUEUED = "task.requeued";

    public static final String TASK_CANCELLED = "task.cancelled";
    /** Any other change of the task record (for example its generation id was set). */
    public static final String TASK_UPDATED = "task.updated";

    // account-events
    public static final String CREDITS_CHANGED = "credits.changed";
    public static final String LEAD_CHANGED = "lead.changed";

    // projects (compacted)
    public static final String PROJECT_UPSERTED = "project.upserted";

    // generation-events
    public static final String GENERATION_CREATED = "generation.created";
    public static final String GENERATION_UPDATED = "generation.updated";
    public static final String GENERATION_DELETED = "generation.deleted";
    public static final String SHOT_GENERATION_CHANGED = "shot-generation.changed";
    public static final String SHOT_CHANGED = "shot.changed";

    private EventTypes() {}
}
