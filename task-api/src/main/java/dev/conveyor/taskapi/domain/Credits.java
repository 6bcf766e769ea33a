package dev.conveyor.taskapi.domain;

import dev.conveyor.contracts.EventTypes;
import dev.conveyor.kit.http.ProblemException;
import dev.conveyor.kit.sql.Pipelined;
import dev.conveyor.taskapi.store.AccountStore;
import dev.conveyor.taskapi.store.DependencyStore;
import dev.conveyor.taskapi.store.OutboxStore.Record;
import dev.conveyor.taskapi.store.PipelineStore;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Credit movements and the consequences of a task ending (its pipeline settled or cancelled, its dependents failed),
 * shared by the client and worker flows. Every method runs inside the caller's transaction and appends the events it
 * causes to {@code events}.
 */
@ApplicationScoped
public class Credits {
    private final AccountStore accounts;
    private final DependencyStore dependents;
    private final PipelineStore pipelines;
    private final TaskTypes types;

    public Credits(AccountStore accounts, DependencyStore dependents, PipelineStore pipelines, TaskTypes types) {
        this.accounts = accounts;
        this.dependents = dependents;
        this.pipelines = pipelines;
        this.types = types;
    }

    /**
     * Completed tasks settled: each as it now stands (cost = what was captured); the credits.changed of the spawn budget
     * a task gave back, by task; then one capture credits.changed per account ({@link #captureAll}), which follow them.
     */
    public record Settled(List<Task> tasks, Map<UUID, List<Record>> releases, List<Record> captures) {}

    /**
     * Settles just completed tasks: a pipeline's spawn budget that no child drew is released (the task's cost goes down
     * by it), then every task's cost is captured ({@link #captureAll}).
     */
    public Uni<Settled> settle(SqlClient c, List<Task> done) {
        // Only a pipeline type's create holds a spawn budget (and only its children can be drawn again on a retry).
        UUID[] pipelineIds = done.stream()
                .filter(t -> {
                    TaskType type = types.find(t.taskType());
                    return type == null || type.isPipeline();
                })
                .map(Task::id)
                .toArray(UUID[]::new);
        Uni<Map<UUID, Long>> taken =
                pipelineIds.length == 0 ? Uni.createFrom().item(Map.of()) : pipelines.takeUnspent(c, pipelineIds);
        return taken.chain(unspent -> {
            Map<UUID, List<Record>> events = new HashMap<>();
            List<Task> settled = new ArrayList<>(done.size());
            Uni<Void> releases = Uni.createFrom().voidItem();
            for (Task t : done) {
                Long amount = unspent.get(t.id());
                if (amount == null) {
                    settled.add(t);
                    continue;
                }
                settled.add(t.withCost(t.cost() - amount));
                List<Record> own = events.computeIfAbsent(t.id(), id -> new ArrayList<>());
                releases = releases.chain(() -> releaseAmount(c, t.userId(), amount, t.id(), own));
            }
            return releases.chain(() -> captureAll(c, settled)).map(captures -> new Settled(settled, events, captures));
        });
    }

    /** Holds a task's cost; 402 insufficient_credits when the available balance is short. */
    public Uni<Void> hold(SqlClient c, UUID userId, long cost, UUID taskId, List<Record> events) {
        if (cost == 0) {
            return Uni.createFrom().voidItem();
        }
        return accounts.holdForTask(c, userId, cost, taskId).chain(account -> {
            if (account == null) {
                return accounts.find(c, userId).onItem().<Void>transform(current -> {
                    throw TaskProblems.insufficientCredits(cost, current == null ? 0 : current.available());
                });
            }
            events.add(Events.credits(account, "hold", cost, taskId));
            return Uni.createFrom().voidItem();
        });
    }

    /**
     * A batch's holds: the one credits.changed of the user's account after them (null when no task costs anything),
     * or, when the account cannot cover the batch, the index of the first task it cannot cover ({@code shortAt}, -1 when
     * covered) and that task's 402.
     */
    public record BatchHold(Record event, int shortAt, ProblemException shortage) {}

    /**
     * Holds the costs of a user's new tasks (in create order) with one account update for their sum and one ledger row
     * per paid task, and one credits.changed for them all: the account after the batch, the amount held, the number of
     * entries (the task's id when only one task costs anything). When the sum is not available nothing is held and the
     * answer names the first task whose running total exceeds the available balance, with the problem that task's own
     * {@link #hold} would answer.
     */
    public Uni<BatchHold> holdAll(SqlClient c, UUID userId, List<UUID> taskIds, List<Long> costs) {
        return holdAll(c, userId, taskIds, costs, true);
    }

    private Uni<BatchHold> holdAll(SqlClient c, UUID userId, List<UUID> taskIds, List<Long> costs, boolean again) {
        List<UUID> paidIds = new ArrayList<>();
        List<Long> paidCosts = new ArrayList<>();
        long total = 0;
        for (int i = 0; i < taskIds.size(); i++) {
            if (costs.get(i) > 0) {
                paidIds.add(taskIds.get(i));
                paidCosts.add(costs.get(i));
                total = Math.addExact(total, costs.get(i));
            }
        }
        if (paidIds.isEmpty()) {
            return Uni.createFrom().item(new BatchHold(null, -1, null));
        }
        long sum = total;
        return accounts.holdForTasks(c, userId, sum, paidCosts.toArray(Long[]::new), paidIds.toArray(UUID[]::new))
                .chain(after -> {
                    if (after != null) {
                        Record event = Events.credits(after, "hold", sum, paidIds.get(0), paidIds.size());
                        return Uni.createFrom().item(new BatchHold(event, -1, null));
                    }
                    return accounts.find(c, userId).chain(current -> {
                        long available = current == null ? 0 : current.available();
                        long running = 0;
                        for (int i = 0; i < taskIds.size(); i++) {
                            long cost = costs.get(i);
                            if (cost > 0 && running + cost > available) {
                                return Uni.createFrom()
                                        .item(new BatchHold(
                                                null, i, TaskProblems.insufficientCredits(cost, available - running)));
                            }
                            running += cost;
                        }
                        // The account covers the batch after all: credits arrived between the hold and the read.
                        if (again) {
                            return holdAll(c, userId, taskIds, costs, false);
                        }
                        int last = taskIds.size() - 1;
                        while (costs.get(last) == 0) {
                            last--;
                        }
                        return Uni.createFrom()
                                .item(new BatchHold(
                                        null,
                                        last,
                                        TaskProblems.insufficientCredits(
                                                costs.get(last), available - running + costs.get(last))));
                    });
                });
    }

    /**
     * Captures the holds of several completed tasks: one account update per user (the sum of that user's costs), one
     * ledger insert for all (a row per task), and one credits.changed per user: the account after the batch, the amount
     * captured, the number of tasks (the task's id when it is one), in user id order.
     */
    public Uni<List<Record>> captureAll(SqlClient c, List<Task> done) {
        List<Task> paid = done.stream().filter(t -> t.cost() > 0).toList();
        if (paid.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        Map<UUID, Long> sums = new TreeMap<>();
        Map<UUID, List<UUID>> tasksOf = new HashMap<>();
        for (Task t : paid) {
            sums.merge(t.userId(), t.cost(), Long::sum);
            tasksOf.computeIfAbsent(t.userId(), u -> new ArrayList<>()).add(t.id());
        }
        UUID[] users = sums.keySet().toArray(UUID[]::new);
        Long[] amounts = sums.values().toArray(Long[]::new);
        // The ledger rows need nothing the update answers: they go out right behind it (one round trip for both, so the
        // accounts stay locked that much shorter).
        Uni<Void> ledger = accounts.ledgerAll(
                c,
                "capture",
                paid.stream().map(Task::userId).toArray(UUID[]::new),
                paid.stream().map(Task::cost).toArray(Long[]::new),
                paid.stream().map(Task::id).toArray(UUID[]::new));
        return Pipelined.answerFirst(accounts.captureAll(c, users, amounts), ledger)
                .map(after -> {
                    List<Record> events = new ArrayList<>(users.length);
                    for (UUID user : users) {
                        Account end = after.get(user);
                        if (end == null) {
                            throw new IllegalStateException(
                                    "no account for user " + user + " of tasks " + tasksOf.get(user));
                        }
                        List<UUID> ids = tasksOf.get(user);
                        events.add(Events.credits(end, "capture", sums.get(user), ids.get(0), ids.size()));
                    }
                    return events;
                });
    }

    /** Gives a task's hold back. */
    public Uni<Void> release(SqlClient c, Task task, List<Record> events) {
        return releaseAmount(c, task.userId(), task.cost(), task.id(), events);
    }

    private Uni<Void> releaseAmount(SqlClient c, UUID userId, long amount, UUID taskId, List<Record> events) {
        if (amount == 0) {
            return Uni.createFrom().voidItem();
        }
        return accounts.release(c, userId, amount).chain(account -> {
            events.add(Events.credits(account, "release", amount, taskId));
            return accounts.ledger(c, userId, "release", amount, taskId, null);
        });
    }

    /**
     * Tasks failed finally or were cancelled: release their holds, fail every waiting task that depends on them and
     * cancel every unfinished descendant (their pipeline ends with them), transitively, releasing theirs too.
     */
    public Uni<Void> ended(SqlClient c, List<Task> ended, List<Record> events) {
        if (ended.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (Task t : ended) {
            chain = chain.chain(() -> release(c, t, events));
        }
        UUID[] ids = ended.stream().map(Task::id).toArray(UUID[]::new);
        return chain.chain(() -> dependents.failDependents(c, ids)).chain(failed -> {
            failed.forEach(t -> events.add(Events.task(EventTypes.TASK_FAILED, t)));
            return cancelDescendants(c, ids, events).chain(cancelled -> {
                List<Task> next = new ArrayList<>(failed);
                next.addAll(cancelled);
                return ended(c, next, events);
            });
        });
    }

    /**
     * Cancels the unfinished descendants of these tasks (task.cancelled each) and answers them; the caller ends them
     * ({@link #ended}) or {@link #cancelPipeline} does.
     */
    private Uni<List<Task>> cancelDescendants(SqlClient c, UUID[] ids, List<Record> events) {
        return pipelines.cancelDescendants(c, ids).map(cancelled -> {
            cancelled.forEach(t -> events.add(Events.task(EventTypes.TASK_CANCELLED, t)));
            return cancelled;
        });
    }

    /**
     * Cancels what still runs below a finished task (a completed orchestrator whose children run): its unfinished
     * descendants are cancelled and ended. Answers how many were cancelled.
     */
    public Uni<Integer> cancelPipeline(SqlClient c, UUID taskId, List<Record> events) {
        return cancelDescendants(c, new UUID[] {taskId}, events)
                .chain(cancelled -> ended(c, cancelled, events).replaceWith(cancelled.size()));
    }
}
