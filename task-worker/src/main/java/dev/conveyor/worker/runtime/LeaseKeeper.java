package dev.conveyor.worker.runtime;

import dev.conveyor.worker.client.LeaseLostException;
import dev.conveyor.worker.client.model.ClaimedTask;
import dev.conveyor.worker.client.model.HeartbeatAnswer;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Keeps one attempt's lease alive: a heartbeat at a third of the lease, and the handler's progress sent with a
 * heartbeat at most every {@code progress-interval}. A heartbeat answering {@code cancelled: true}, or 409
 * {@code lease_lost}, stops the attempt, unless its outcome is already being reported (then that report's answer
 * decides). Heartbeats are sent from the timer; their answers are handled on the worker pool.
 */
final class LeaseKeeper {
    private static final Logger LOG = Logger.getLogger(LeaseKeeper.class);

    /** The attempt whose lease this keeps. */
    interface Attempt {
        /** Its outcome is on its way: a heartbeat answer no longer ends it. */
        boolean reporting();

        /** The task is no longer ours (cancelled, lease lost): stop the handler, report nothing. */
        void stop(RunningTask.Outcome outcome);
    }

    private final ClaimedTask task;
    private final AttemptServices services;
    private final Attempt attempt;

    private boolean closed;
    private ScheduledFuture<?> leaseBeat;
    private ScheduledFuture<?> progressFlush;
    private Integer pendingProgress;
    private String pendingMessage;
    private boolean progressDirty;
    private long lastSentNanos;
    private volatile Instant leaseExpiresAt;

    LeaseKeeper(ClaimedTask task, AttemptServices services, Attempt attempt) {
        this.task = task;
        this.services = services;
        this.attempt = attempt;
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

    synchronized void start() {
        lastSentNanos = System.nanoTime();
        long every = heartbeatEvery(leaseExpiresAt, Instant.now()).toMillis();
        leaseBeat = services.timer().scheduleWithFixedDelay(this::sendHeartbeat, every, every, TimeUnit.MILLISECONDS);
    }

    /** Progress from the handler: sent now when the last heartbeat is {@code progress-interval} old, else with the next. */
    void progress(int percent, String message) {
        int p = Math.max(0, Math.min(100, percent));
        Duration interval = services.progressInterval();
        boolean sendNow;
        synchronized (this) {
            if (closed) {
                return;
            }
            pendingProgress = p;
            pendingMessage = message;
            progressDirty = true;
            long since = System.nanoTime() - lastSentNanos;
            sendNow = since >= interval.toNanos();
            if (!sendNow && progressFlush == null) {
                progressFlush = services.timer()
                        .schedule(this::sendHeartbeat, interval.toNanos() - since, TimeUnit.NANOSECONDS);
            }
        }
        if (sendNow) {
            services.timer().execute(this::sendHeartbeat);
        }
    }

    /** The attempt ended: no more heartbeats. */
    synchronized void close() {
        closed = true;
        if (leaseBeat != null) {
            leaseBeat.cancel(false);
        }
        if (progressFlush != null) {
            progressFlush.cancel(false);
        }
    }

    private void sendHeartbeat() {
        Integer progress;
        String message;
        synchronized (this) {
            if (closed) {
                return;
            }
            progress = progressDirty ? pendingProgress : null;
            message = progressDirty ? pendingMessage : null;
            progressDirty = false;
            progressFlush = null;
            lastSentNanos = System.nanoTime();
        }
        services.client()
                .heartbeat(task.id(), services.workerId(), task.leaseToken(), progress, message)
                .whenCompleteAsync(this::onAnswer, services.workerPool());
    }

    private void onAnswer(HeartbeatAnswer answer, Throwable error) {
        if (attempt.reporting()) {
            // A heartbeat racing the queued outcome must not end the task early; heartbeats keep the lease alive
            // until the report is acknowledged, and its answer decides.
            return;
        }
        if (error != null) {
            Throwable cause = Failures.cause(error);
            if (cause instanceof LeaseLostException) {
                attempt.stop(RunningTask.Outcome.LEASE_LOST);
            } else {
                // Transient: the next beat (a third of the lease later) tries again before the lease runs out.
                LOG.debugf("heartbeat of %s failed: %s", task.id(), cause.toString());
            }
            return;
        }
        if (answer.leaseExpiresAt() != null) {
            leaseExpiresAt = answer.leaseExpiresAt();
        }
        if (answer.cancelled()) {
            LOG.infof("task %s was cancelled: stopping its handler", task.id());
            attempt.stop(RunningTask.Outcome.CANCELLED);
        }
    }
}
