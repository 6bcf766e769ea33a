package dev.conveyor.taskapi.domain;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.contracts.EventTypes;
import dev.conveyor.kit.http.ProblemException;
import dev.conveyor.kit.sql.Pipelined;
import dev.conveyor.kit.sql.PipelinedTransaction;
import dev.conveyor.kit.sql.PipelinedTransaction.Ending;
import dev.conveyor.taskapi.api.model.Complete;
import dev.conveyor.taskapi.api.model.CompleteBatch;
import dev.conveyor.taskapi.api.model.CompleteItem;
import dev.conveyor.taskapi.api.model.CompleteResult;
import dev.conveyor.taskapi.api.model.CompleteResults;
import dev.conveyor.taskapi.api.model.ItemError;
import dev.conveyor.taskapi.store.DependencyStore;
import dev.conveyor.taskapi.store.LeaseStore;
import dev.conveyor.taskapi.store.OutboxStore;
import dev.conveyor.taskapi.store.OutboxStore.Record;
import dev.conveyor.taskapi.store.TaskStore;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlClient;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The worker's complete, single ({@code POST /v1/worker/tasks/{id}/complete}) and batch ({@code POST /v1/worker/complete},
 * group commit). Both take one path: the single complete is a batch of one, so a repeat, a stale lease and the credit
 * capture behave the same either way.
 */
@ApplicationScoped
public class CompletionService {
    public static final int MAX_COMPLETE = 100;

    private final Pool pool;
    private final TaskStore tasks;
    private final DependencyStore dependents;
    private final LeaseStore leaseRows;
    private final OutboxStore outbox;
    private final Credits credits;

    public CompletionService(
            Pool pool,
            TaskStore tasks,
            DependencyStore dependents,
            LeaseStore leaseRows,
            OutboxStore outbox,
            Credits credits) {
        this.pool = pool;
        this.tasks = tasks;
        this.dependents = dependents;
        this.leaseRows = leaseRows;
        this.outbox = outbox;
        this.credits = credits;
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
        String worker = Leases.workerId(req.workerId());
        UUID token = Leases.token(req.leaseToken());
        checkOutputLocation(req.outputLocation(), "outputLocation");
        CompleteItem item = new CompleteItem(taskId, token, req.outputLocation(), req.metadata());
        return PipelinedTransaction.runEnding(pool, c -> completeAll(c, worker, List.of(item)))
                .map(results -> {
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
        String worker = Leases.workerId(req.workerId());
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
                throw ProblemException.validation(
                        "tasks[" + i + "].taskId " + item.taskId() + " appears more than once");
            }
        }
        boolean withTasks = req.wantsTasks();
        return PipelinedTransaction.runEnding(pool, c -> completeAll(c, worker, items))
                .map(results -> new CompleteResults(
                        withTasks
                                ? results
                                : results.stream()
                                        .map(CompleteResult::withoutTask)
                                        .toList()));
    }

    /**
     * Completes validated items (distinct task ids) inside the caller's transaction: one fenced update for all, then for
     * the tasks it completed one credit capture per user, one ledger insert, one promotion of waiting dependents and one
     * outbox insert. Items it did not complete are answered from the task's current state: a repeat with the lease token
     * of an already completed task is {@code complete} with the stored task (nothing captured twice).
     */
    private Uni<Ending<List<CompleteResult>>> completeAll(SqlClient c, String worker, List<CompleteItem> items) {
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
        // The waiting dependents' lock travels right behind the fenced update (Pipelined): taken before the promotion,
        // it makes two completions that share a dependent promote one after the other, whether or not an account row
        // orders them (free tasks capture nothing). Task rows before account rows, as a cancel takes them.
        Uni<List<Task>> completing = Pipelined.answerFirst(
                leaseRows.completeAll(c, worker, ids, tokens, outputs, metadata),
                dependents.lockWaitingDependents(c, ids));
        return completing.chain(completed -> {
            Map<UUID, Task> done = new HashMap<>();
            completed.forEach(t -> done.put(t.id(), t));
            UUID[] others = items.stream()
                    .map(CompleteItem::taskId)
                    .filter(id -> !done.containsKey(id))
                    .toArray(UUID[]::new);
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
                    return Uni.createFrom().item(Ending.of(results));
                }
                // The promotion is a statement after the dependents' lock, so it sees a completion that held the lock
                // before this one as committed: without that lock two siblings completed at once each saw the other
                // still in progress and their common dependent stayed waiting for ever (ChaosIT caught it once). It
                // needs nothing from the capture, so it travels right behind it (one round trip for both, sent in this
                // order, Pipelined): the account rows stay locked across one round trip fewer.
                UUID[] doneIds = newlyDone.stream().map(Task::id).toArray(UUID[]::new);
                return Pipelined.both(
                        credits.settle(c, newlyDone), dependents.promoteWaiting(c, doneIds), (settled, promoted) -> {
                            List<Record> events = new ArrayList<>(
                                    newlyDone.size() + settled.captures().size() + promoted.size());
                            for (Task t : settled.tasks()) {
                                events.add(Events.task(EventTypes.TASK_COMPLETED, t));
                                events.addAll(settled.releases().getOrDefault(t.id(), List.of()));
                            }
                            events.addAll(settled.captures());
                            promoted.forEach(t -> events.add(Events.task(EventTypes.TASK_QUEUED, t)));
                            // The events' INSERT travels with COMMIT (PipelinedTransaction).
                            return Ending.then(
                                    settledResults(results, settled.tasks()), last -> outbox.insert(last, events));
                        });
            });
        });
    }

    /** The answers with each completed task as settled (a pipeline's cost without its released, unspent budget). */
    private static List<CompleteResult> settledResults(List<CompleteResult> results, List<Task> settled) {
        Map<UUID, Task> byId = new HashMap<>();
        settled.forEach(t -> byId.put(t.id(), t));
        return results.stream()
                .map(r -> byId.containsKey(r.taskId()) && CompleteResult.COMPLETE.equals(r.outcome())
                        ? new CompleteResult(r.taskId(), r.outcome(), byId.get(r.taskId()), r.error())
                        : r)
                .toList();
    }

    /** An item the fenced update did not complete: a repeat of a completed one, a stale lease, or an unknown task. */
    private static CompleteResult refusedOrRepeat(CompleteItem item, String worker, Task current) {
        UUID id = item.taskId();
        if (current == null) {
            return new CompleteResult(
                    id, CompleteResult.TASK_NOT_FOUND, null, new ItemError("not_found", "task " + id + " not found"));
        }
        if (Leases.holds(current, item.leaseToken(), worker) && TaskStatus.COMPLETE.equals(current.status())) {
            return new CompleteResult(id, CompleteResult.COMPLETE, current, null); // a repeat: the first result stands
        }
        return new CompleteResult(
                id,
                CompleteResult.LEASE_LOST,
                null,
                new ItemError("lease_lost", Leases.leaseLostDetail(current, item.leaseToken(), worker)));
    }
}
