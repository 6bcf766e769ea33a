package dev.conveyor.taskapi.domain;

import java.util.List;

/** Task states as stored and as shown on the API. */
public final class TaskStatus {
    public static final String WAITING = "waiting";
    public static final String QUEUED = "queued";
    public static final String IN_PROGRESS = "in_progress";
    public static final String COMPLETE = "complete";
    public static final String FAILED = "failed";
    public static final String CANCELLED = "cancelled";
    public static final List<String> ALL = List.of(WAITING, QUEUED, IN_PROGRESS, COMPLETE, FAILED, CANCELLED);

    private TaskStatus() {}

    public static boolean isFinal(String status) {
        return COMPLETE.equals(status) || FAILED.equals(status) || CANCELLED.equals(status);
    }
}
