package dev.conveyor.worker.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** {@code conveyor.worker.*}: the worker runtime's knobs (see application.properties and docs/services/task-worker.md). */
@ConfigMapping(prefix = "conveyor.worker")
public interface WorkerConfig {

    /** Runs the claim loop; off only for tests that exercise the HTTP side alone. */
    @WithDefault("true")
    boolean enabled();

    /** Stable id of this worker process; a random one per start when unset. */
    Optional<String> id();

    /** Capabilities sent on claim; by default the union of the handlers' capabilities. */
    Optional<List<String>> capabilities();

    /** Task types this worker runs; by default every handler bean's type. */
    @WithName("task-types")
    Optional<List<String>> taskTypes();

    /** Tasks run at the same time. */
    @WithDefault("4")
    int slots();

    /** At most this many tasks per claim request. */
    @WithDefault("10")
    int batch();

    /**
     * While tasks run, the next claim waits up to this long when fewer than half a batch of slots are free (more free
     * soon) or when only wake-ups call for it (they reach every worker), so a busy worker sends fewer, fuller claims
     * instead of one per finished or created task. An idle worker claims at once. 0 = never wait.
     */
    @WithName("claim-linger")
    @WithDefault("10ms")
    Duration claimLinger();

    /** Claim without a wake-up at least this often while Kafka wake-ups work (a safety net). */
    @WithName("poll-interval")
    @WithDefault("5s")
    Duration pollInterval();

    /**
     * An idle worker (no handler running) keeps a long-poll claim open even while Kafka wake-ups work: task-api answers
     * it from PostgreSQL NOTIFY as soon as a matching task is queued, without the outbox relay and Kafka hop, and hands
     * one queued task's wake-up to one waiting worker. Busy workers claim in batches on Kafka wake-ups (claim-linger).
     * false = the idle worker waits for Kafka wake-ups too.
     */
    @WithName("idle-long-poll")
    @WithDefault("true")
    boolean idleLongPoll();

    /** Long-poll wait (0..30 s) used while idle (idle-long-poll), or while Kafka wake-ups are off or the broker is unreachable. */
    @WithName("long-poll")
    @WithDefault("10s")
    Duration longPoll();

    /** Wake up on task-events; false = long-poll only. */
    @WithName("kafka-wakeups")
    @WithDefault("true")
    boolean kafkaWakeups();

    /**
     * Group commit of completions: a finished task's completion joins a queue sent as one batch request
     * ({@code POST /v1/worker/complete}) while another batch is in flight; false = one request per task.
     */
    @WithName("complete-batch")
    @WithDefault("true")
    boolean completeBatch();

    /** Graceful shutdown: how long running tasks may finish before they are failed as retryable. */
    @WithName("shutdown-grace")
    @WithDefault("10s")
    Duration shutdownGrace();

    /** Progress is sent at most this often per task (the lease heartbeat runs at a third of the lease anyway). */
    @WithName("progress-interval")
    @WithDefault("500ms")
    Duration progressInterval();

    /** The base URL under which this worker's outputs are reachable from clients. */
    @WithName("public-url")
    @WithDefault("http://127.0.0.1:8084")
    String publicUrl();

    /** Adds the benchmark's {@code noop} handler (capability {@code bench}); off in every real deployment. */
    @WithName("bench-handlers")
    @WithDefault("false")
    boolean benchHandlers();

    /** Folder of the filesystem output store. */
    @WithName("output-dir")
    @WithDefault(".conveyor/outputs")
    String outputDir();
}
