package dev.conveyor.worker.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.worker.client.model.ClaimedTask;
import dev.conveyor.worker.sdk.PermanentTaskException;
import dev.conveyor.worker.sdk.TaskCancelledException;
import dev.conveyor.worker.sdk.TaskHandler;
import dev.conveyor.worker.sdk.TaskResult;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.jboss.logging.Logger;

/**
 * One attempt of one claimed task: runs the handler on the worker pool and ends exactly once, with its outcome
 * reported, or stopped (cancelled, lease lost) with nothing reported and the handler's result discarded. Its parts:
 * {@link LeaseKeeper} (heartbeats, progress), {@link OutcomeReport} (complete, fail, release), {@link AttemptContext}
 * (what the handler sees). Every follow-up of a task-api answer runs on the worker pool, never on the HTTP client's
 * threads.
 */
final class RunningTask implements LeaseKeeper.Attempt {
    private static final Logger LOG = Logger.getLogger(RunningTask.class);

    /** How an attempt ended, for metrics and tests. */
    enum Outcome {
        COMPLETED,
        FAILED_RETRYABLE,
        FAILED_PERMANENT,
        CANCELLED,
        LEASE_LOST,
        RELEASED,
        REPORT_FAILED
    }

    /** Sends a completion: one request per task, or through the {@link CompletionBatcher}. */
    interface Completer {
        CompletableFuture<JsonNode> complete(UUID taskId, String leaseToken, String outputLocation, JsonNode metadata);
    }

    interface Listener {
        void started(RunningTask task);

        /** The handler is done and its outcome is being reported: the task still holds its slot until acknowledged. */
        default void reporting(RunningTask task) {}

        void finished(RunningTask task, Outcome outcome);
    }

    private final ClaimedTask task;
    private final TaskHandler handler;
    private final AttemptServices services;
    private final LeaseKeeper lease;
    private final OutcomeReport report;
    private final AttemptContext context;

    private volatile boolean cancelled;
    private volatile boolean done;
    private volatile Cancellable subscription;

    RunningTask(ClaimedTask task, TaskHandler handler, AttemptServices services) {
        this.task = task;
        this.handler = handler;
        this.services = services;
        this.lease = new LeaseKeeper(task, services, this);
        this.report = new OutcomeReport(task.id(), services, this::finish);
        this.context = new AttemptContext(task, services, lease, () -> cancelled);
    }

    void start() {
        lease.start();
        services.listener().started(this);
        Uni<TaskResult> attempt = Uni.createFrom().deferred(this::invokeHandler);
        if (handler.blocking()) {
            attempt = attempt.runSubscriptionOn(services.workerPool());
        }
        subscription = attempt.subscribe().with(this::onResult, this::onFailure);
    }

    /** A handler that notices its cancellation throws; after a cancel nobody listens any more, so that is the end. */
    private Uni<TaskResult> invokeHandler() {
        try {
            return handler.handle(context);
        } catch (TaskCancelledException e) {
            if (cancelled) {
                return Uni.createFrom().nullItem();
            }
            throw e;
        }
    }

    ClaimedTask claimed() {
        return task;
    }

    UUID taskId() {
        return task.id();
    }

    String taskType() {
        return task.taskType();
    }

    boolean isDone() {
        return done;
    }

    @Override
    public boolean reporting() {
        return report.started();
    }

    /** Stops the handler and reports nothing: the task is no longer ours (cancelled or lease lost). */
    @Override
    public void stop(Outcome outcome) {
        cancelHandler();
        finish(outcome);
    }

    /**
     * Graceful shutdown: stop the handler and hand the task back ({@code release}: queued at once, the attempt not
     * counted) so another worker takes it now instead of after the lease, and a deploy never uses up its attempts.
     */
    CompletableFuture<Void> release(String reason) {
        if (done) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> pending = report.pending();
        if (pending != null) {
            return pending; // already reporting its outcome: let that finish rather than hand the task back
        }
        cancelHandler();
        LOG.infof("handing task %s back: %s", task.id(), reason);
        return report.send(
                () -> services.client().release(task.id(), services.workerId(), task.leaseToken()), Outcome.RELEASED);
    }

    private void cancelHandler() {
        cancelled = true;
        Cancellable s = subscription;
        if (s != null) {
            s.cancel();
        }
    }

    private void onResult(TaskResult result) {
        if (cancelled) {
            return;
        }
        TaskResult r = result == null ? TaskResult.empty() : result;
        report.send(
                () -> services.completer().complete(task.id(), task.leaseToken(), r.outputLocation(), r.metadata()),
                Outcome.COMPLETED);
        services.listener().reporting(this);
    }

    private void onFailure(Throwable error) {
        if (cancelled) {
            return;
        }
        Throwable cause = Failures.cause(error);
        // A handler that gave up on its own (TaskCancelledException) lets the task run again.
        boolean permanent = cause instanceof PermanentTaskException;
        String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        if (!permanent) {
            LOG.warnf(cause, "task %s (%s) failed, retryable", task.id(), task.taskType());
        } else {
            LOG.infof("task %s (%s) failed permanently: %s", task.id(), task.taskType(), message);
        }
        report.send(
                () -> services.client()
                        .fail(task.id(), services.workerId(), task.leaseToken(), truncate(message), !permanent),
                permanent ? Outcome.FAILED_PERMANENT : Outcome.FAILED_RETRYABLE);
        services.listener().reporting(this);
    }

    private void finish(Outcome outcome) {
        synchronized (this) {
            if (done) {
                return;
            }
            done = true;
        }
        lease.close();
        services.listener().finished(this, outcome);
    }

    private static String truncate(String s) {
        return s.length() > 2000 ? s.substring(0, 2000) : s;
    }
}
