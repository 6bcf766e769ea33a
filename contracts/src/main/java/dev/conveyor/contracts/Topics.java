package dev.conveyor.contracts;

import java.util.List;

/** Kafka topic names. The only place they are spelled out; every service and deploy check uses these. */
public final class Topics {
    /** Task lifecycle events, key = project id. */
    public static final String TASK_EVENTS = "task-events";
    /** Generation and shot events, key = project id. */
    public static final String GENERATION_EVENTS = "generation-events";
    /** Credits and per-user lead events, key = user id. */
    public static final String ACCOUNT_EVENTS = "account-events";
    /** Compacted: the latest project record per project id; a tombstone (null value) on delete. */
    public static final String PROJECTS = "projects";
    /** Dead letters of generation-service's task-events consumer (poison events). */
    public static final String GENERATION_DEAD_LETTERS = "generation-service-dlq";
    /** Dead letters of task-api's generation-events consumer (poison events). */
    public static final String TASK_API_DEAD_LETTERS = "task-api-dlq";

    /**
     * The largest record any topic takes (its {@code max.message.bytes}) and the largest request our producers send
     * ({@code max.request.size}): 1 MiB, Kafka's default. One value so that a record too large is refused by the
     * producer, before it reaches the broker, with {@code RecordTooLargeException}; the outbox relays then move it to
     * their dead-letter table instead of retrying it forever. Devstack and deploy/ set every topic to it.
     */
    public static final int MAX_MESSAGE_BYTES = 1_048_576;

    /** Every topic the platform needs, with its shape. Devstack and deploy/ create exactly these. */
    public static final List<TopicSpec> ALL = List.of(
            new TopicSpec(TASK_EVENTS, 6, false),
            new TopicSpec(GENERATION_EVENTS, 6, false),
            new TopicSpec(ACCOUNT_EVENTS, 6, false),
            new TopicSpec(PROJECTS, 3, true),
            new TopicSpec(GENERATION_DEAD_LETTERS, 1, false),
            new TopicSpec(TASK_API_DEAD_LETTERS, 1, false));

    private Topics() {}

    /** A topic's name, partition count and whether it is log-compacted. */
    public record TopicSpec(String name, int partitions, boolean compacted) {}
}
