package dev.conveyor.contracts;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

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

    private static final String QUEUED = "queued";

    private EventHeaders() {}

    /** The headers of an event that is not about a task: its type. */
    public static Map<String, String> of(String type) {
        return Map.of(TYPE, type);
    }

    /** The headers of a task event: its type, the task's type and status after the change, and when a queued one may run. */
    public static Map<String, String> task(String type, String taskType, String status, Instant runAfter) {
        Map<String, String> headers = new LinkedHashMap<>(6);
        headers.put(TYPE, type);
        if (taskType != null) {
            headers.put(TASK_TYPE, taskType);
        }
        if (status != null) {
            headers.put(STATUS, status);
        }
        if (runAfter != null && QUEUED.equals(status)) {
            headers.put(RUN_AFTER, Long.toString(runAfter.toEpochMilli()));
        }
        return headers;
    }
}
