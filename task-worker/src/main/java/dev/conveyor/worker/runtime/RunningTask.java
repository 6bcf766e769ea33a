package dev.conveyor.worker.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.conveyor.worker.client.LeaseLostException;
import dev.conveyor.worker.client.TaskApiClient;
import dev.conveyor.worker.client.TaskApiException;
import dev.conveyor.worker.client.model.ClaimedTask;
import dev.conveyor.worker.client.model.HeartbeatAnswer;
import dev.conveyor.worker.output.OutputStore;
import dev.conveyor.worker.sdk.ChildTask;
import dev.conveyor.worker.sdk.PermanentTaskException;
import dev.conveyor.worker.sdk.TaskCancelledException;
import dev.conveyor.worker.sdk.TaskContext;
import dev.conveyor.worker.sdk.TaskHandler;
import dev.conveyor.worker.sdk.TaskResult;
import dev.conveyor.worker.sdk.TaskView;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * One attempt of one claimed task: runs the handler, keeps the lease alive (a heartbeat at a third of the lease),
 * forwards progress (throttled), and reports the outcome exactly once. Cancellation or a lost lease stops the handler
 * and discards its result.
 */
final class RunningTask implements TaskContext {
    private static final Logger LOG = Logger.getLogger(RunningTask.class);
    private static final int REPORT_ATTEMPTS = 5;

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

        void finished(RunningTask task, Outcome outcome);
    }

    private final ClaimedTask task;
    private final TaskHandler handler;
    private final TaskApiClient client;
    private final Completer completer;
    private final String workerId;
    private final OutputStore outputs;
    private final ScheduledExecutorService timer;
    private final Executor handlerPool;
    private final Duration progressInterval;
    private final Listener listener;

    private volatile boolean cancelled;
    private volatile boolean done;
    private volatile Cancellable subscription;
    /** The outcome is being reported (completion queued or sent): from now on only its answer decides how this ends. */
    private volatile CompletableFuture<Void> reporting;

    private ScheduledFuture<?> leaseBeat;
    private ScheduledFuture<?> progressFlush;
    private Integer pendingProgress;
    private String pendingMessage;
    private boolean progressDirty;
    private long lastSentNanos;
    private volatile Instant leaseExpiresAt;

    RunningTask(
            ClaimedTask task,
            TaskHandler handler,
            TaskApiClient client,
            Completer completer,
            String workerId,
            OutputStore outputs,
            ScheduledExecutorService timer,
            Executor handlerPool,
            Duration progressInterval,
            Listener listener) {
        this.task = task;
        this.handler = handler;
        this.client = client;
        this.completer = completer;
        this.workerId = workerId;
        this.outputs = outputs;
        this.timer = timer;
        this.handlerPool = handlerPool;
        this.progressInterval = progressInterval;
        this.listener = listener;
        this.leaseExpiresAt = task.leaseExpiresAt();
    }

    /** A third of the remaining lease, between 200 ms and 10 min. */
    static Duration heartbeatEvery(Instant leaseExpiresAt, Instant now) {
        if (leaseExpiresAt == null) {
            return Duration.ofSeconds(10);
        }
        long third = Duration.between(now, leaseExpiresAt).toMillis() / 3;
        return Duration.ofMillis(
                Math.max(200, Math.min(third, Duration.ofMinutes(10).toMillis())));
    }

    void start() {
        lastSentNanos = System.nanoTime();
        long every = heartbeatEvery(leaseExpiresAt, Instant.now()).toMillis();
        synchronized (this) {
            leaseBeat = timer.scheduleWithFixedDelay(this::sendHeartbeat, every, every, TimeUnit.MILLISECONDS);
        }
        listener.started(this);
        subscription = Uni.createFrom()
                .deferred(this::invokeHandler)
                .runSubscriptionOn(handlerPool)
                .subscribe()
                .with(this::onResult, this::onFailure);
    }

    /** A handler that notices its cancellation throws; after a cancel nobody listens any more, so that is the end. */
    private Uni<TaskResult> invokeHandler() {
        try {
            return handler.handle(this);
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

    // ---- TaskContext

    @Override
    public UUID taskId() {
        return task.id();
    }

    @Override
    public UUID projectId() {
        return task.projectId();
    }

    @Override
    public UUID userId() {
        return task.userId();
    }

    @Override
    public String taskType() {
        return task.taskType();
    }

    @Override
    public JsonNode params() {
        return task.params() == null ? JsonNodeFactory.instance.objectNode() : task.params();
    }

    @Override
    public int attempt() {
        return Math.max(1, task.attempts());
    }

    @Override
    public void progress(int percent, String message) {
        int p = Math.max(0, Math.min(100, percent));
        boolean sendNow;
        synchronized (this) {
            if (done) {
                return;
            }
            pendingProgress = p;
            pendingMessage = message;
            progressDirty = true;
            long since = System.nanoTime() - lastSentNanos;
            sendNow = since >= progressInterval.toNanos();
            if (!sendNow && progressFlush == null) {
                progressFlush =
                        timer.schedule(this::sendHeartbeat, progressInterval.toNanos() - since, TimeUnit.NANOSECONDS);
            }
        }
        if (sendNow) {
            timer.execute(this::sendHeartbeat);
        }
    }

    @Override
    public boolean isCancelled() {
        return cancelled;
    }

    @Override
    public OutputStore outputs() {
        return outputs;
    }

    @Override
    public Uni<UUID> createChild(ChildTask child) {
        return Uni.createFrom()
                .completionStage(() -> client.createChild(task.id(), workerId, task.leaseToken(), child));
    }

    @Override
    public Uni<List<UUID>> createChildren(List<ChildTask> children) {
        return Uni.createFrom()
                .completionStage(() -> client.createChildren(task.id(), workerId, task.leaseToken(), children));
    }

    @Override
    public List<UUID> dependsOn() {
        return task.dependsOn() == null ? List.of() : task.dependsOn();
    }

    @Override
    public Uni<TaskView> task(UUID taskId) {
        return Uni.createFrom().completionStage(() -> client.task(taskId));
    }

    // ---- lease and progress

    private void sendHeartbeat() {
        Integer progress;
        String message;
        synchronized (this) {
            if (done) {
                return;
            }
            progress = progressDirty ? pendingProgress : null;
            message = progressDirty ? pendingMessage : null;
            progressDirty = false;
            progressFlush = null;
            lastSentNanos = System.nanoTime();
        }
        client.heartbeat(task.id(), workerId, task.leaseToken(), progress, message)
                .whenComplete((answer, error) -> {
                    if (reporting != null) {
                        // The outcome is on its way (a queued completion): a heartbeat racing it must not end the task
                        // early.
                        // Heartbeats still keep the lease alive until the report is acknowledged; its answer decides.
                        return;
                    }
                    if (error != null) {
                        Throwable cause = unwrap(error);
                        if (cause instanceof LeaseLostException) {
                            stop(Outcome.LEASE_LOST);
                        } else {
                            // Transient: the next beat (a third of the lease later) tries again before the lease runs
                            // out.
                            LOG.debugf("heartbeat of %s failed: %s", task.id(), cause.toString());
                        }
                        return;
                    }
                    onHeartbeat(answer);
                });
    }

    private void onHeartbeat(HeartbeatAnswer answer) {
        if (answer.leaseExpiresAt() != null) {
            leaseExpiresAt = answer.leaseExpiresAt();
        }
        if (answer.cancelled()) {
            LOG.infof("task %s was cancelled: stopping its handler", task.id());
            stop(Outcome.CANCELLED);
        }
    }

    /** Stops the handler and reports nothing: the task is no longer ours (cancelled or lease lost). */
    private void stop(Outcome outcome) {
        cancelled = true;
        Cancellable s = subscription;
        if (s != null) {
            s.cancel();
        }
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
        CompletableFuture<Void> pending = reporting;
        if (pending != null) {
            return pending; // already reporting its outcome: let that finish rather than hand the task back
        }
        cancelled = true;
        Cancellable s = subscription;
        if (s != null) {
            s.cancel();
        }
        LOG.infof("handing task %s back: %s", task.id(), reason);
        return report(() -> client.release(task.id(), workerId, task.leaseToken()), Outcome.RELEASED);
    }

    // ---- outcome

    private void onResult(TaskResult result) {
        if (cancelled) {
            return;
        }
        TaskResult r = result == null ? TaskResult.empty() : result;
        report(
                () -> completer.complete(task.id(), task.leaseToken(), r.outputLocation(), r.metadata()),
                Outcome.COMPLETED);
    }

    private void onFailure(Throwable error) {
        if (cancelled) {
            return;
        }
        Throwable cause = unwrap(error);
        boolean permanent = cause instanceof PermanentTaskException;
        if (cause instanceof TaskCancelledException) {
            // The handler gave up on its own; let the task run again.
            permanent = false;
        }
        String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        if (!permanent) {
            LOG.warnf(cause, "task %s (%s) failed, retryable", task.id(), task.taskType());
        } else {
            LOG.infof("task %s (%s) failed permanently: %s", task.id(), task.taskType(), message);
        }
        boolean retryable = !permanent;
        report(
                () -> client.fail(task.id(), workerId, task.leaseToken(), truncate(message), retryable),
                permanent ? Outcome.FAILED_PERMANENT : Outcome.FAILED_RETRYABLE);
    }

    /** Sends the outcome, repeating on network trouble (complete/fail with the same token are safe to repeat). */
    private CompletableFuture<Void> report(Supplier<CompletableFuture<JsonNode>> call, Outcome outcome) {
        CompletableFuture<Void> result;
        synchronized (this) {
            if (reporting != null) {
                return reporting; // an outcome is reported once
            }
            result = new CompletableFuture<>();
            reporting = result;
        }
        // Outside the lock: the call may answer inline and finish() other tasks of the same batch.
        attemptReport(call, outcome, 1, result);
        return result;
    }

    private void attemptReport(
            Supplier<CompletableFuture<JsonNode>> call, Outcome outcome, int attempt, CompletableFuture<Void> result) {
        call.get().whenComplete((ok, error) -> {
            if (error == null) {
                finish(outcome);
                result.complete(null);
                return;
            }
            Throwable cause = unwrap(error);
            if (cause instanceof LeaseLostException) {
                LOG.infof(
                        "task %s: lease lost before the %s was reported; the result is discarded", task.id(), outcome);
                finish(Outcome.LEASE_LOST);
                result.complete(null);
            } else if (attempt < REPORT_ATTEMPTS
                    && (cause instanceof IOException || (cause instanceof TaskApiException t && t.transientError()))) {
                timer.schedule(
                        () -> attemptReport(call, outcome, attempt + 1, result),
                        200L << attempt,
                        TimeUnit.MILLISECONDS);
            } else {
                LOG.errorf(
                        "task %s: could not report %s: %s (the lease will expire and the task run again)",
                        task.id(), outcome, cause.toString());
                finish(Outcome.REPORT_FAILED);
                result.complete(null);
            }
        });
    }

    private void finish(Outcome outcome) {
        synchronized (this) {
            if (done) {
                return;
            }
            done = true;
            if (leaseBeat != null) {
                leaseBeat.cancel(false);
            }
            if (progressFlush != null) {
                progressFlush.cancel(false);
            }
        }
        listener.finished(this, outcome);
    }

    boolean isDone() {
        return done;
    }

    private static String truncate(String s) {
        return s.length() > 2000 ? s.substring(0, 2000) : s;
    }

    static Throwable unwrap(Throwable t) {
        Throwable c = t;
        while ((c instanceof CompletionException || c instanceof java.util.concurrent.ExecutionException)
                && c.getCause() != null) {
            c = c.getCause();
        }
        return c;
    }
}
