package dev.conveyor.taskapi.domain;

import dev.conveyor.kit.http.ProblemException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.contracts.EventTypes;
import dev.conveyor.taskapi.config.ConveyorConfig;
import dev.conveyor.taskapi.domain.Dtos.ClaimRequest;
import dev.conveyor.taskapi.domain.Dtos.Complete;
import dev.conveyor.taskapi.domain.Dtos.CompleteBatch;
import dev.conveyor.taskapi.domain.Dtos.CompleteItem;
import dev.conveyor.taskapi.domain.Dtos.CompleteResult;
import dev.conveyor.taskapi.domain.Dtos.CompleteResults;
import dev.conveyor.taskapi.domain.Dtos.ItemError;
import dev.conveyor.taskapi.domain.Dtos.Fail;
import dev.conveyor.taskapi.domain.Dtos.Heartbeat;
import dev.conveyor.taskapi.domain.Dtos.HeartbeatAnswer;
import dev.conveyor.taskapi.messaging.PgSignals;
import dev.conveyor.taskapi.store.OutboxStore;
import dev.conveyor.taskapi.store.OutboxStore.Record;
import dev.conveyor.taskapi.store.TaskStore;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlClient;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/** The worker protocol: batch claim with long-poll, heartbeat, complete, fail; and the lease reaper (children: ChildTaskService). */
@ApplicationScoped
public class WorkerService {
    public static final int MAX_CLAIM = 100;
    public static final int MAX_COMPLETE = 100;
    public static final int MAX_WAIT_SECONDS = 30;
    public static final int MAX_CLAIM_TYPES = 100;
    /** A longer fail {@code error} is cut to this many characters, ending in {@link #TRUNCATED} (docs/worker-protocol.md). */
    public static final int MAX_ERROR = 8192;
    static final String TRUNCATED = "... [truncated]";
    /** A long-poll re-checks at least this often (tasks whose backoff ran out are not notified). */
    static final Duration RECHECK = Duration.ofSeconds(1);

    private final Pool pool;
    private final TaskStore tasks;
    private final OutboxStore outbox;
    private final Credits credits;
    private final TaskTypes types;
    private final PgSignals signals;
    private final ConveyorConfig config;

    public WorkerService(Pool pool, TaskStore tasks, OutboxStore outbox, Credits credits, TaskTypes types, PgSignals signals,
                         ConveyorConfig config) {
        this.pool = pool;
        this.tasks = tasks;
        this.outbox = outbox;
        this.credits = credits;
        this.types = types;
        this.signals = signals;
        this.config = config;
    }

    static String workerId(String workerId) {
        if (workerId == null || workerId.isBlank() || workerId.length() > 200) {
            throw ProblemException.validation("workerId is required (at most 200 characters)");
        }
        return workerId;
    }

    public Uni<List<Task>> claim(ClaimRequest req) {
        if (req == null) {
            throw ProblemException.validation("a JSON body is required");
        }
        String worker = workerId(req.workerId());
        List<String> caps = req.capabilities() == null ? List.of() : req.capabilities();
        if (caps.stream().anyMatch(java.util.Objects::isNull) || caps.size() > 50) {
            throw ProblemException.validation("capabilities must be at most 50 strings");
        }
        int max = req.max() == null ? 1 : req.max();
        if (max < 1 || max > MAX_CLAIM) {
            throw ProblemException.validation("max must be from 1 to " + MAX_CLAIM);
        }
        int wait = req.waitSeconds() == null ? 0 : req.waitSeconds();
        if (wait < 0 || wait > MAX_WAIT_SECONDS) {
            throw ProblemException.validation("waitSeconds must be from 0 to " + MAX_WAIT_SECONDS);
        }
        String[] runnable = types.runnableBy(caps, taskTypes(req.taskTypes()));
        Instant deadline = Instant.now().plusSeconds(wait);
        return pool.withConnection(c -> tasks.touchWorker(c, worker, caps.toArray(String[]::new), runnable))
                .chain(() -> claimUntil(worker, runnable, Set.of(runnable), max, deadline));
    }

    /**
     * The claim's {@code taskTypes}: null = no restriction. Names task-api does not configure are kept (they match no
     * task), so a worker fleet can roll out a handler before task-api learns its type.
     */
    static Set<String> taskTypes(List<String> requested) {
        if (requested == null) {
            return null;
        }
        if (requested.size() > MAX_CLAIM_TYPES) {
            throw ProblemException.validation("taskTypes must be at most " + MAX_CLAIM_TYPES + " names");
        }
        for (String t : requested) {
            if (t == null || t.isBlank() || t.length() > 200) {
                throw ProblemException.validation("taskTypes must be non-blank names of at most 200 characters");
            }
        }
        return Set.copyOf(requested);
    }

    private Uni<List<Task>> claimUntil(String worker, String[] runnable, Set<String> runnableSet, int max, Instant deadline) {
        long seen = signals.queuedSignals(runnableSet);
        return claimNow(worker, runnable, max).chain(claimed -> {
            Duration left = Duration.between(Instant.now(), deadline);
            if (!claimed.isEmpty() || left.isNegative() || left.isZero() || runnable.length == 0) {
                return Uni.createFrom().item(claimed);
            }
            Duration nap = left.compareTo(RECHECK) < 0 ? left : RECHECK;
            return signals.awaitQueued(runnableSet, nap, seen).chain(() -> claimUntil(worker, runnable, runnableSet, max, deadline));
        });
    }

    private Uni<List<Task>> claimNow(String worker, String[] runnable, int max) {
        if (runnable.length == 0) {
            return Uni.createFrom().item(List.of());
        }
        return pool.withTransaction(c -> tasks.claim(c, runnable, max, worker).chain(claimed -> {
            List<Record> events = new ArrayList<>(claimed.size());
            claimed.forEach(t -> events.add(Events.task(EventTypes.TASK_CLAIMED, t)));
            return outbox.insert(c, events).replaceWith(claimed.stream().map(Task::withLease).toList());
        }));
    }

    static UUID token(UUID leaseToken) {
        if (leaseToken == null) {
            throw ProblemException.validation("leaseToken is required");
        }
        return leaseToken;
    }

    /** Why a lease-guarded update touched no row: unknown task (404), or a lease that is not (any longer) the caller's (409). */
    private Uni<Task> refused(SqlClient c, UUID taskId, UUID token, String worker) {
        return tasks.find(c, taskId).map(t -> {
            if (t == null) {
                throw ProblemException.notFound("task " + taskId);
            }
            throw TaskProblems.leaseLost(leaseLostDetail(t, token, worker));
        });
    }

    /** Whether this token and worker are the task's (current or last) lease. The lease belongs to the worker that claimed it. */
    static boolean holds(Task t, UUID token, String worker) {
        return token.equals(t.storedLeaseToken()) && worker.equals(t.workerId());
    }

    static String leaseLostDetail(Task t, UUID token, String worker) {
        if (token.equals(t.storedLeaseToken()) && !worker.equals(t.workerId())) {
            return "task " + t.id() + ": this lease belongs to another worker";
        }
        if (TaskStatus.CANCELLED.equals(t.status()) && token.equals(t.storedLeaseToken())) {
            return "task " + t.id() + " was cancelled";
        }
        return "task " + t.id() + " is " + t.status() + " and this lease token is not its current lease";
    }

    public Uni<HeartbeatAnswer> heartbeat(UUID taskId, Heartbeat req) {
        if (req == null) {
            throw ProblemException.validation("a JSON body is required");
        }
        String worker = workerId(req.workerId());
        UUID token = token(req.leaseToken());
        if (req.progress() != null && (req.progress() < 0 || req.progress() > 100)) {
            throw ProblemException.validation("progress must be from 0 to 100");
        }
        if (req.message() != null && req.message().length() > 1000) {
            throw ProblemException.validation("message must be at most 1000 characters");
        }
        return pool.withTransaction(c -> tasks.heartbeat(c, taskId, token, worker, req.progress(), req.message()).chain(t -> {
            if (t != null) {
                Uni<Void> event = req.progress() == null && req.message() == null ? Uni.createFrom().voidItem()
                        : outbox.insert(c, List.of(Events.task(EventTypes.TASK_PROGRESS, t)));
                return event.replaceWith(new HeartbeatAnswer(t.storedLeaseExpiresAt(), false));
            }
            return tasks.find(c, taskId).chain(current -> {
                if (current != null && TaskStatus.CANCELLED.equals(current.status()) && holds(current, token, worker)) {
                    return Uni.createFrom().item(new HeartbeatAnswer(null, true));
                }
                return refused(c, taskId, token, worker).replaceWith((HeartbeatAnswer) null);
            });
        }));
    }

    private static void checkOutputLocation(String outputLocation, String field) {
        if (outputLocation != null && outputLocation.length() > 4096) {
            throw ProblemException.validation(field + " must be at most 4096 characters");
        }
    }

    /** The single-task complete: the batch path with one item, its refusal as 404 or 409. */
    public Uni<Task> complete(UUID taskId, Complete req) {
        if (req == null) {
            throw ProblemException.validation("a JSON body is required");
        }
        String worker = workerId(req.workerId());
        UUID token = token(req.leaseToken());
        checkOutputLocation(req.outputLocation(), "outputLocation");
        CompleteItem item = new CompleteItem(taskId, token, req.outputLocation(), req.metadata());
        return pool.withTransaction(c -> completeAll(c, worker, List.of(item))).map(results -> {
            CompleteResult r = results.get(0);
            return switch (r.outcome()) {
                case CompleteResult.COMPLETE -> r.task();
                case CompleteResult.TASK_NOT_FOUND -> throw ProblemException.notFound("task " + taskId);
                default -> throw TaskProblems.leaseLost(r.error().detail());
            };
        });
    }

    /**
     * Batch complete (group commit): 1..100 items in one transaction. Each item is fenced by its lease token and answered
     * on its own (complete, lease_lost, task_not_found); a refused item does not undo the others.
     */
    public Uni<CompleteResults> complete(CompleteBatch req) {
        if (req == null) {
            throw ProblemException.validation("a JSON body is required");
        }
        String worker = workerId(req.workerId());
        List<CompleteItem> items = req.tasks();
        if (items == null || items.isEmpty() || items.size() > MAX_COMPLETE) {
            throw ProblemException.validation("tasks must hold 1 to " + MAX_COMPLETE + " items");
        }
        Set<UUID> seen = new HashSet<>();
        for (int i = 0; i < items.size(); i++) {
            CompleteItem item = items.get(i);
            if (item == null || item.taskId() == null) {
                throw ProblemException.validation("tasks[" + i + "].taskId is required");
            }
            if (item.leaseToken() == null) {
                throw ProblemException.validation("tasks[" + i + "].leaseToken is required");
            }
            checkOutputLocation(item.outputLocation(), "tasks[" + i + "].outputLocation");
            if (!seen.add(item.taskId())) {
                throw ProblemException.validation("tasks[" + i + "].taskId " + item.taskId() + " appears more than once");
            }
        }
        return pool.withTransaction(c -> completeAll(c, worker, items)).map(CompleteResults::new);
    }

    /**
     * Completes validated items (distinct task ids) inside the caller's transaction: one fenced update for all, then for
     * the tasks it completed one credit capture per user, one ledger insert, one promotion of waiting dependents and one
     * outbox insert. Items it did not complete are answered from the task's current state: a repeat with the lease token
     * of an already completed task is {@code complete} with the stored task (nothing captured twice).
     */
    private Uni<List<CompleteResult>> completeAll(SqlClient c, String worker, List<CompleteItem> items) {
        int n = items.size();
        UUID[] ids = new UUID[n];
        UUID[] tokens = new UUID[n];
        String[] outputs = new String[n];
        JsonNode[] metadata = new JsonNode[n];
        for (int i = 0; i < n; i++) {
            CompleteItem item = items.get(i);
            ids[i] = item.taskId();
            tokens[i] = item.leaseToken();
            outputs[i] = item.outputLocation();
            metadata[i] = item.metadata();
        }
        return tasks.completeAll(c, worker, ids, tokens, outputs, metadata).chain(completed -> {
            Map<UUID, Task> done = new HashMap<>();
            completed.forEach(t -> done.put(t.id(), t));
            UUID[] others = items.stream().map(CompleteItem::taskId).filter(id -> !done.containsKey(id)).toArray(UUID[]::new);
            Uni<List<Task>> current = others.length == 0 ? Uni.createFrom().item(List.of()) : tasks.findAll(c, others);
            return current.chain(found -> {
                Map<UUID, Task> byId = new HashMap<>();
                found.forEach(t -> byId.put(t.id(), t));
                List<CompleteResult> results = new ArrayList<>(n);
                List<Task> newlyDone = new ArrayList<>(done.size());
                for (CompleteItem item : items) {
                    Task t = done.get(item.taskId());
                    if (t != null) {
                        newlyDone.add(t);
                        results.add(new CompleteResult(item.taskId(), CompleteResult.COMPLETE, t, null));
                    } else {
                        results.add(refusedOrRepeat(item, worker, byId.get(item.taskId())));
                    }
                }
                if (newlyDone.isEmpty()) {
                    return Uni.createFrom().item(results);
                }
                return credits.settle(c, newlyDone).chain(settled -> tasks.promoteWaiting(c,
                        newlyDone.stream().map(Task::id).toArray(UUID[]::new)).chain(promoted -> {
                            List<Record> events = new ArrayList<>(newlyDone.size() * 2 + promoted.size());
                            for (Task t : settled.tasks()) {
                                events.add(Events.task(EventTypes.TASK_COMPLETED, t));
                                events.addAll(settled.events().getOrDefault(t.id(), List.of()));
                            }
                            promoted.forEach(t -> events.add(Events.task(EventTypes.TASK_QUEUED, t)));
                            return outbox.insert(c, events);
                        }).map(ignored -> settledResults(results, settled.tasks())));
            });
        });
    }

    /** The answers with each completed task as settled (a pipeline's cost without its released, unspent budget). */
    private static List<CompleteResult> settledResults(List<CompleteResult> results, List<Task> settled) {
        Map<UUID, Task> byId = new HashMap<>();
        settled.forEach(t -> byId.put(t.id(), t));
        return results.stream().map(r -> byId.containsKey(r.taskId()) && CompleteResult.COMPLETE.equals(r.outcome())
                ? new CompleteResult(r.taskId(), r.outcome(), byId.get(r.taskId()), r.error()) : r).toList();
    }

    /** An item the fenced update did not complete: a repeat of a completed one, a stale lease, or an unknown task. */
    private static CompleteResult refusedOrRepeat(CompleteItem item, String worker, Task current) {
        UUID id = item.taskId();
        if (current == null) {
            return new CompleteResult(id, CompleteResult.TASK_NOT_FOUND, null, new ItemError("not_found", "task " + id + " not found"));
        }
        if (holds(current, item.leaseToken(), worker) && TaskStatus.COMPLETE.equals(current.status())) {
            return new CompleteResult(id, CompleteResult.COMPLETE, current, null); // a repeat: the first result stands
        }
        return new CompleteResult(id, CompleteResult.LEASE_LOST, null,
                new ItemError("lease_lost", leaseLostDetail(current, item.leaseToken(), worker)));
    }

    public Uni<Task> fail(UUID taskId, Fail req) {
        if (req == null) {
            throw ProblemException.validation("a JSON body is required");
        }
        String worker = workerId(req.workerId());
        UUID token = token(req.leaseToken());
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
            if (!TaskStatus.IN_PROGRESS.equals(current.status()) || !holds(current, token, worker)) {
                if (holds(current, token, worker)
                        && (TaskStatus.FAILED.equals(current.status()) || TaskStatus.QUEUED.equals(current.status()))) {
                    return Uni.createFrom().item(current); // a repeat with the same lease changes nothing
                }
                throw TaskProblems.leaseLost(leaseLostDetail(current, token, worker));
            }
            TaskType type = types.find(current.taskType());
            boolean retry = retryable && current.attempts() < current.maxAttempts();
            if (retry) {
                Duration backoff = type == null ? Duration.ofSeconds(2) : type.backoff(current.attempts());
                return tasks.requeue(c, taskId, token, backoff, message).chain(t -> orRefused(c, t, taskId, token, worker)).chain(t ->
                        outbox.insert(c, List.of(Events.task(EventTypes.TASK_REQUEUED, t))).replaceWith(t));
            }
            return tasks.failFinal(c, taskId, token, message).chain(t -> orRefused(c, t, taskId, token, worker)).chain(t -> {
                List<Record> events = new ArrayList<>();
                events.add(Events.task(EventTypes.TASK_FAILED, t));
                return credits.ended(c, List.of(t), events).chain(() -> outbox.insert(c, events)).replaceWith(t);
            });
        }));
    }

    private Uni<Task> orRefused(SqlClient c, Task t, UUID taskId, UUID token, String worker) {
        return t != null ? Uni.createFrom().item(t) : refused(c, taskId, token, worker);
    }

    /** Any task of the platform (a worker reads, for example, the tasks its task depends on). */
    public Uni<Task> get(UUID taskId) {
        return pool.withConnection(c -> tasks.find(c, taskId)).map(t -> {
            if (t == null) {
                throw ProblemException.notFound("task " + taskId);
            }
            return t;
        });
    }

    /** One reaper batch: expired leases back to queued (attempt already counted at claim) or failed; answers how many. */
    public Uni<Integer> reapOnce() {
        return pool.withTransaction(c -> tasks.reap(c, config.reaper().batchSize()).chain(reaped -> {
            List<Record> events = new ArrayList<>();
            List<Task> failed = new ArrayList<>();
            for (Task t : reaped) {
                if (TaskStatus.FAILED.equals(t.status())) {
                    failed.add(t);
                    events.add(Events.task(EventTypes.TASK_FAILED, t));
                } else {
                    events.add(Events.task(EventTypes.TASK_REQUEUED, t));
                }
            }
            return credits.ended(c, failed, events).chain(() -> outbox.insert(c, events)).replaceWith(reaped.size());
        }));
    }
}
