package dev.conveyor.taskapi.domain;

import dev.conveyor.contracts.EventTypes;
import dev.conveyor.kit.http.ProblemException;
import dev.conveyor.taskapi.api.model.Fail;
import dev.conveyor.taskapi.api.model.Heartbeat;
import dev.conveyor.taskapi.api.model.HeartbeatAnswer;
import dev.conveyor.taskapi.store.LeaseStore;
import dev.conveyor.taskapi.store.OutboxStore;
import dev.conveyor.taskapi.store.OutboxStore.Record;
import dev.conveyor.taskapi.store.TaskStore;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A held lease between claim and complete: the worker extends it and reports progress (heartbeat) or ends the attempt
 * (fail: retried after a backoff while attempts remain, else failed). The hand-back without penalty is
 * {@link ReleaseService}; a lease nobody extends ends in {@link ExpiredLeases}.
 */
@ApplicationScoped
public class LeaseService {
    /** A longer fail {@code error} is cut to this many characters, ending in {@link #TRUNCATED} (docs/worker-protocol.md). */
    public static final int MAX_ERROR = 8192;

    static final String TRUNCATED = "... [truncated]";

    private final Pool pool;
    private final TaskStore tasks;
    private final LeaseStore leaseRows;
    private final OutboxStore outbox;
    private final Credits credits;
    private final TaskTypes types;

    public LeaseService(
            Pool pool, TaskStore tasks, LeaseStore leaseRows, OutboxStore outbox, Credits credits, TaskTypes types) {
        this.pool = pool;
        this.tasks = tasks;
        this.leaseRows = leaseRows;
        this.outbox = outbox;
        this.credits = credits;
        this.types = types;
    }

    public Uni<HeartbeatAnswer> heartbeat(UUID taskId, Heartbeat req) {
        if (req == null) {
            throw ProblemException.validation("a JSON body is required");
        }
        String worker = Leases.workerId(req.workerId());
        UUID token = Leases.token(req.leaseToken());
        if (req.progress() != null && (req.progress() < 0 || req.progress() > 100)) {
            throw ProblemException.validation("progress must be from 0 to 100");
        }
        if (req.message() != null && req.message().length() > 1000) {
            throw ProblemException.validation("message must be at most 1000 characters");
        }
        return pool.withTransaction(c -> leaseRows
                .heartbeat(c, taskId, token, worker, req.progress(), req.message())
                .chain(t -> {
                    if (t != null) {
                        Uni<Void> event = req.progress() == null && req.message() == null
                                ? Uni.createFrom().voidItem()
                                : outbox.insert(c, List.of(Events.task(EventTypes.TASK_PROGRESS, t)));
                        return event.replaceWith(new HeartbeatAnswer(t.storedLeaseExpiresAt(), false));
                    }
                    return tasks.find(c, taskId).chain(current -> {
                        if (current != null
                                && TaskStatus.CANCELLED.equals(current.status())
                                && Leases.holds(current, token, worker)) {
                            return Uni.createFrom().item(new HeartbeatAnswer(null, true));
                        }
                        return Leases.refused(c, tasks, taskId, token, worker).replaceWith((HeartbeatAnswer) null);
                    });
                }));
    }

    public Uni<Task> fail(UUID taskId, Fail req) {
        if (req == null) {
            throw ProblemException.validation("a JSON body is required");
        }
        String worker = Leases.workerId(req.workerId());
        UUID token = Leases.token(req.leaseToken());
        String error = req.error() == null ? "failed" : req.error();
        if (error.length() > MAX_ERROR) {
            error = error.substring(0, MAX_ERROR - TRUNCATED.length()) + TRUNCATED;
        }
        boolean retryable = Boolean.TRUE.equals(req.retryable());
        String message = error;
        return pool.withTransaction(c -> tasks.find(c, taskId).chain(current -> {
            if (current == null) {
                throw ProblemException.notFound("task " + taskId);
            }
            if (!TaskStatus.IN_PROGRESS.equals(current.status()) || !Leases.holds(current, token, worker)) {
                if (Leases.holds(current, token, worker)
                        && (TaskStatus.FAILED.equals(current.status()) || TaskStatus.QUEUED.equals(current.status()))) {
                    return Uni.createFrom().item(current); // a repeat with the same lease changes nothing
                }
                throw TaskProblems.leaseLost(Leases.leaseLostDetail(current, token, worker));
            }
            TaskType type = types.find(current.taskType());
            boolean retry = retryable && current.attempts() < current.maxAttempts();
            if (retry) {
                Duration backoff = type == null ? Duration.ofSeconds(2) : type.backoff(current.attempts());
                return leaseRows
                        .requeue(c, taskId, token, backoff, message)
                        .chain(t -> Leases.orRefused(c, tasks, t, taskId, token, worker))
                        .chain(t -> outbox.insert(c, List.of(Events.task(EventTypes.TASK_REQUEUED, t)))
                                .replaceWith(t));
            }
            return leaseRows
                    .failFinal(c, taskId, token, message)
                    .chain(t -> Leases.orRefused(c, tasks, t, taskId, token, worker))
                    .chain(t -> {
                        List<Record> events = new ArrayList<>();
                        events.add(Events.task(EventTypes.TASK_FAILED, t));
                        return credits.ended(c, List.of(t), events)
                                .chain(() -> outbox.insert(c, events))
                                .replaceWith(t);
                    });
        }));
    }
}
