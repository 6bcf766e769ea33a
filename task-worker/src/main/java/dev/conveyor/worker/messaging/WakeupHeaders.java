package dev.conveyor.worker.messaging;

import dev.conveyor.contracts.EventHeaders;
import dev.conveyor.contracts.EventTypes;
import dev.conveyor.kit.kafka.RecordHeaders;
import java.time.Instant;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.kafka.common.header.Headers;

/**
 * The wake-up rule of {@link TaskEventWakeups} read from a record's headers ({@link EventHeaders}) alone, so that the
 * consumer parses no event: a task of a type this worker runs that is now queued (created, queued or requeued) wakes
 * it. Pure, for tests.
 */
public final class WakeupHeaders {
    static final Set<String> WAKING = Set.of(EventTypes.TASK_CREATED, EventTypes.TASK_QUEUED, EventTypes.TASK_REQUEUED);

    /** What the headers say about a record. */
    public enum Decision {
        /** A claimable task this worker runs: wake (at {@link #runAfter} when it has one). */
        WAKE,
        /** Not a wake-up for this worker. */
        SKIP,
        /** The record lacks the headers (an older producer): decide on its parsed value. */
        PARSE
    }

    private WakeupHeaders() {}

    /** Whether a record with {@code headers} wakes a worker that runs the task types {@code runsType} accepts. */
    public static Decision wakes(Headers headers, Predicate<String> runsType) {
        String type = RecordHeaders.text(headers, EventHeaders.TYPE);
        if (type == null) {
            return Decision.PARSE;
        }
        if (!WAKING.contains(type)) {
            return Decision.SKIP;
        }
        String taskType = RecordHeaders.text(headers, EventHeaders.TASK_TYPE);
        String status = RecordHeaders.text(headers, EventHeaders.STATUS);
        if (taskType == null || status == null) {
            return Decision.PARSE;
        }
        return runsType.test(taskType) && "queued".equals(status) ? Decision.WAKE : Decision.SKIP;
    }

    /** When the task may be claimed ({@link EventHeaders#RUN_AFTER}); null when absent or unreadable (wake now). */
    public static Instant runAfter(Headers headers) {
        String epochMillis = RecordHeaders.text(headers, EventHeaders.RUN_AFTER);
        try {
            return epochMillis == null ? null : Instant.ofEpochMilli(Long.parseLong(epochMillis));
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
