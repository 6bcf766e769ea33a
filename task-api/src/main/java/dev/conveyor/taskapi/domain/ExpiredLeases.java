package dev.conveyor.taskapi.domain;

import dev.conveyor.contracts.EventTypes;
import dev.conveyor.taskapi.config.ConveyorConfig;
import dev.conveyor.taskapi.store.LeaseStore;
import dev.conveyor.taskapi.store.OutboxStore;
import dev.conveyor.taskapi.store.OutboxStore.Record;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;

/**
 * Leases nobody extended in time (the worker died or hung): the task goes back to queued (its attempt was counted at
 * claim) or, with its attempts spent, to failed with its held credits released. Run by the messaging {@code Reaper}.
 */
@ApplicationScoped
public class ExpiredLeases {
    private final Pool pool;
    private final LeaseStore leaseRows;
    private final OutboxStore outbox;
    private final Credits credits;
    private final ConveyorConfig config;

    public ExpiredLeases(Pool pool, LeaseStore leaseRows, OutboxStore outbox, Credits credits, ConveyorConfig config) {
        this.pool = pool;
        this.leaseRows = leaseRows;
        this.outbox = outbox;
        this.credits = credits;
        this.config = config;
    }

    /** One reaper batch: expired leases back to queued (attempt already counted at claim) or failed; answers how many. */
    public Uni<Integer> reapOnce() {
        return pool.withTransaction(c -> leaseRows
                .reap(c, config.reaper().batchSize())
                .chain(reaped -> {
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
                    return credits.ended(c, failed, events)
                            .chain(() -> outbox.insert(c, events))
                            .replaceWith(reaped.size());
                }));
    }
}
