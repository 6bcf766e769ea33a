package dev.conveyor.worker.runtime;

import dev.conveyor.worker.client.TaskApiClient;
import dev.conveyor.worker.output.OutputStore;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What every attempt of this worker shares. Threads: handlers and every follow-up of a task-api answer run on
 * {@code workerPool} (the follow-ups of a report through {@code continuations}, which hands over to it only when not
 * already on it); {@code timer} only starts heartbeats, delayed flushes and report retries; the client's own threads
 * only carry HTTP.
 */
record AttemptServices(
        TaskApiClient client,
        RunningTask.Completer completer,
        String workerId,
        OutputStore outputs,
        ScheduledExecutorService timer,
        Executor workerPool,
        Duration progressInterval,
        RunningTask.Listener listener,
        Executor continuations) {}
