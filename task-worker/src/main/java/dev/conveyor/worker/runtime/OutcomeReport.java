package dev.conveyor.worker.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.worker.client.LeaseLostException;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Reports an attempt's outcome (complete, fail or release) once. The call is repeated on network trouble and on
 * 5xx/429/408, {@value #ATTEMPTS} tries in all (safe: task-api treats a repeat with the same lease token as a no-op);
 * 409 {@code lease_lost} means another attempt owns the task and the result is dropped. Each answer is handled on the
 * worker pool; the attempt ends (its {@code finish}) with the outcome that was acknowledged.
 */
final class OutcomeReport {
    private static final Logger LOG = Logger.getLogger(OutcomeReport.class);
    static final int ATTEMPTS = 5;

    private final UUID taskId;
    private final AttemptServices services;
    private final Consumer<RunningTask.Outcome> finish;
    /** Set once the outcome is being reported (completion queued or sent): from then on only its answer decides. */
    private volatile CompletableFuture<Void> pending;

    OutcomeReport(UUID taskId, AttemptServices services, Consumer<RunningTask.Outcome> finish) {
        this.taskId = taskId;
        this.services = services;
        this.finish = finish;
    }

    /** Whether an outcome is on its way (or reported). */
    boolean started() {
        return pending != null;
    }

    /** The report on its way, or null. */
    CompletableFuture<Void> pending() {
        return pending;
    }

    /** Sends {@code outcome} through {@code call}; a second outcome is not sent, the first one's future is answered. */
    CompletableFuture<Void> send(Supplier<CompletableFuture<JsonNode>> call, RunningTask.Outcome outcome) {
        CompletableFuture<Void> result;
        synchronized (this) {
            if (pending != null) {
                return pending;
            }
            result = new CompletableFuture<>();
            pending = result;
        }
        // Outside the lock: the call may answer inline and finish other tasks of the same batch.
        attempt(call, outcome, 1, result);
        return result;
    }

    private void attempt(
            Supplier<CompletableFuture<JsonNode>> call,
            RunningTask.Outcome outcome,
            int attempt,
            CompletableFuture<Void> result) {
        call.get()
                .whenCompleteAsync(
                        (ok, error) -> onAnswer(call, outcome, attempt, result, error), services.continuations());
    }

    private void onAnswer(
            Supplier<CompletableFuture<JsonNode>> call,
            RunningTask.Outcome outcome,
            int attempt,
            CompletableFuture<Void> result,
            Throwable error) {
        if (error == null) {
            end(outcome, result);
            return;
        }
        Throwable cause = Failures.cause(error);
        if (cause instanceof LeaseLostException) {
            LOG.infof("task %s: lease lost before the %s was reported; the result is discarded", taskId, outcome);
            end(RunningTask.Outcome.LEASE_LOST, result);
        } else if (attempt < ATTEMPTS && Failures.worthRepeating(cause)) {
            services.timer()
                    .schedule(
                            () -> attempt(call, outcome, attempt + 1, result), 200L << attempt, TimeUnit.MILLISECONDS);
        } else {
            LOG.errorf(
                    "task %s: could not report %s: %s (the lease will expire and the task run again)",
                    taskId, outcome, cause.toString());
            end(RunningTask.Outcome.REPORT_FAILED, result);
        }
    }

    private void end(RunningTask.Outcome outcome, CompletableFuture<Void> result) {
        finish.accept(outcome);
        result.complete(null);
    }
}
