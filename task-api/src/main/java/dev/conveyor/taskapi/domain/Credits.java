package dev.conveyor.taskapi.domain;

import dev.conveyor.taskapi.domain.Dtos.Account;
import dev.conveyor.taskapi.store.AccountStore;
import dev.conveyor.taskapi.store.OutboxStore.Record;
import dev.conveyor.taskapi.store.TaskStore;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.List;
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

    public Uni<Void> capture(SqlClient c, Task task, List<Record> events) {
        return move(c, task, "capture", events);
    }

    public Uni<Void> release(SqlClient c, Task task, List<Record> events) {
        return move(c, task, "release", events);
    }

    private Uni<Void> move(SqlClient c, Task task, String kind, List<Record> events) {
        if (task.cost() == 0) {
            return Uni.createFrom().voidItem();
        }
        Uni<Account> changed = kind.equals("capture") ? accounts.capture(c, task.userId(), task.cost())
                : accounts.release(c, task.userId(), task.cost());
        return changed.chain(account -> {
            events.add(Events.credits(account, kind, task.cost(), task.id()));
            return accounts.ledger(c, task.userId(), kind, task.cost(), task.id(), null);
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
