package dev.conveyor.contracts;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The Kafka record headers every event carries besides its JSON value, so that a consumer can decide from them alone
 * whether an event concerns it, without parsing the value (see docs/events.md). Values are UTF-8 text. The outbox
 * stores them with the row and its relay copies them onto the record; a record without them (an older producer) is
 * decided by parsing its value, as before.
 */
public final class EventHeaders {
    /** The envelope's {@code type} (the CloudEvents Kafka binding's name for it), on every event. */
    public static final String TYPE = "ce_type";
    /** task-events only: the task's type. */
    public static final String TASK_TYPE = "conveyor_task_type";
    /** task-events only: the task's status after the change. */
    public static final String STATUS = "conveyor_status";
    /**
     * task-events only, when the task is queued (claimable from a time on, which may be now or later, after a retry's
     * back-off): its {@code runAfter} in epoch milliseconds.
     */
    public static final String RUN_AFTER = "conveyor_run_after";

    /**
     * The envelope's {@code subject} (CloudEvents {@code ce_subject}): for task events the task id, for account events
     * the user id. With {@link #TIME} and the record key it lets the realtime gateway map an event without its value.
     */
    public static final String SUBJECT = "ce_subject";
    /** The envelope's {@code occurredAt}, ISO-8601 UTC (CloudEvents {@code ce_time}). */
    public static final String TIME = "ce_time";
    /**
     * {@code task.completed} only: the task's {@code generationType} ({@code image}, {@code video}), or {@link
     * #NO_GENERATION} when it generates nothing, so generation-service skips the completions it does not act on
     * unparsed. Absent on records of producers older than it (decide those on the value).
     */
    public static final String GENERATION_TYPE = "conveyor_generation_type";
    /** The value of {@link #GENERATION_TYPE} for a task that generates nothing. */
    public static final String NO_GENERATION = "none";
    /** {@code task.completed} only, when the task belongs to a shot: the shot id (a cache key the gateway names). */
    public static final String SHOT_ID = "conveyor_shot_id";

    private static final String QUEUED = "queued";

    private EventHeaders() {}

    /** The headers of an event that is not about a task: its type. */
    public static Map<String, String> of(String type) {
        return Map.of(TYPE, type);
    }

    /** The headers of an event that is not about a task: its type, subject and time. */
    public static Map<String, String> of(EventEnvelope event) {
        Map<String, String> headers = new LinkedHashMap<>(4);
        envelope(headers, event);
        return headers;
    }

    /**
     * The headers of a task event: its type, subject and time, the task's type and status after the change, when a
     * queued one may run, and on {@code task.completed} its generation type ({@link #NO_GENERATION} when none) and shot.
     */
    public static Map<String, String> task(
            EventEnvelope event, String taskType, String status, Instant runAfter, String generationType, UUID shotId) {
        Map<String, String> headers = new LinkedHashMap<>(10);
        envelope(headers, event);
        taskFields(headers, taskType, status, runAfter);
        if (EventTypes.TASK_COMPLETED.equals(event.type())) {
            headers.put(GENERATION_TYPE, generationType == null ? NO_GENERATION : generationType);
            if (shotId != null) {
                headers.put(SHOT_ID, shotId.toString());
            }
        }
        return headers;
    }

    private static void envelope(Map<String, String> headers, EventEnvelope event) {
        headers.put(TYPE, event.type());
        if (event.subject() != null) {
            headers.put(SUBJECT, event.subject());
        }
        if (event.occurredAt() != null) {
            headers.put(TIME, IsoInstant.format(event.occurredAt()));
        }
    }

    private static void taskFields(Map<String, String> headers, String taskType, String status, Instant runAfter) {
        if (taskType != null) {
            headers.put(TASK_TYPE, taskType);
        }
        if (status != null) {
            headers.put(STATUS, status);
        }
        if (runAfter != null && QUEUED.equals(status)) {
            headers.put(RUN_AFTER, Long.toString(runAfter.toEpochMilli()));
        }
    }

    /** The headers of a task event: its type, the task's type and status after the change, and when a queued one may run. */
    public static Map<String, String> task(String type, String taskType, String status, Instant runAfter) {
        Map<String, String> headers = new LinkedHashMap<>(6);
        headers.put(TYPE, type);
        taskFields(headers, taskType, status, runAfter);
        return headers;
    }
}
