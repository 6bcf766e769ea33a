package dev.conveyor.taskapi.domain;

import dev.conveyor.taskapi.domain.Dtos.Account;
import dev.conveyor.taskapi.store.AccountStore;
import dev.conveyor.taskapi.store.OutboxStore.Record;
import dev.conveyor.taskapi.store.TaskStore;
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
 * Credit movements and the consequences of a task ending badly, shared by the client and worker flows. Every method
 * runs inside the caller's transaction and appends the events it causes to {@code events}.
 */
@ApplicationScoped
public class Credits {
    private final AccountStore accounts;
    private final TaskStore tasks;

    public Credits(AccountStore accounts, TaskStore tasks) {
        this.accounts = accounts;
        this.tasks = tasks;
    }

    /** Holds a task's cost; 402 insufficient_credits when the available balance is short. */
    public Uni<Void> hold(SqlClient c, UUID userId, long cost, UUID taskId, List<Record> events) {
        if (cost == 0) {
            return Uni.createFrom().voidItem();
        }
        return accounts.hold(c, userId, cost).chain(account -> {
            if (account == null) {
                return accounts.find(c, userId).onItem().<Void>transform(current -> {
                    throw ApiException.insufficientCredits(cost, current == null ? 0 : current.available());
                });
            }
            events.add(Events.credits(account, "hold", cost, taskId));
            return accounts.ledger(c, userId, "hold", cost, taskId, null);
        });
    }

    /**
     * Captures the holds of several completed tasks: one account update per user (the sum of that user's costs) and one
     * ledger insert for all. Answers each task's credits.changed event by task id, with the balance as it stands after
     * that task's capture (the same events one capture per task would give, in the order of {@code done}).
     */
    public Uni<Map<UUID, Record>> captureAll(SqlClient c, List<Task> done) {
        List<Task> paid = done.stream().filter(t -> t.cost() > 0).toList();
        if (paid.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        Map<UUID, Long> sums = new TreeMap<>();
        paid.forEach(t -> sums.merge(t.userId(), t.cost(), Long::sum));
        UUID[] users = sums.keySet().toArray(UUID[]::new);
        Long[] amounts = sums.values().toArray(Long[]::new);
        return accounts.captureAll(c, users, amounts).chain(after -> {
            // Walk each user's tasks from the balance before the batch down to the one after it.
            Map<UUID, long[]> running = new HashMap<>();
            Map<UUID, Record> events = new HashMap<>();
            for (Task t : paid) {
                Account end = after.get(t.userId());
                if (end == null) {
                    throw new IllegalStateException("no account for user " + t.userId() + " of task " + t.id());
                }
                long[] state = running.computeIfAbsent(t.userId(),
                        u -> new long[] {end.balance() + sums.get(u), end.held() + sums.get(u)});
                state[0] -= t.cost();
                state[1] -= t.cost();
                Account now = new Account(t.userId(), state[0], state[1], state[0] - state[1]);
                events.put(t.id(), Events.credits(now, "capture", t.cost(), t.id()));
            }
            return accounts.ledgerAll(c, "capture", paid.stream().map(Task::userId).toArray(UUID[]::new),
                    paid.stream().map(Task::cost).toArray(Long[]::new), paid.stream().map(Task::id).toArray(UUID[]::new))
                    .replaceWith(events);
        });
    }

    /** Gives a task's hold back. */
    public Uni<Void> release(SqlClient c, Task task, List<Record> events) {
        if (task.cost() == 0) {
            return Uni.createFrom().voidItem();
        }
        return accounts.release(c, task.userId(), task.cost()).chain(account -> {
            events.add(Events.credits(account, "release", task.cost(), task.id()));
            return accounts.ledger(c, task.userId(), "release", task.cost(), task.id(), null);
        });
    }

    /**
     * A task failed finally or was cancelled: release its hold, then fail every waiting task that depends on it
     * (transitively), releasing theirs too.
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
        return chain.chain(() -> tasks.failDependents(c, ids)).chain(dependents -> {
            List<Task> failed = new ArrayList<>(dependents);
            failed.forEach(t -> events.add(Events.task(dev.conveyor.contracts.EventTypes.TASK_FAILED, t)));
            return ended(c, failed, events);
        });
    }
}
