package dev.conveyor.taskapi.domain;

import dev.conveyor.contracts.EventTypes;
import dev.conveyor.kit.http.ProblemException;
import dev.conveyor.kit.sql.PipelinedTransaction;
import dev.conveyor.kit.sql.PipelinedTransaction.Ending;
import dev.conveyor.taskapi.api.model.ClaimRequest;
import dev.conveyor.taskapi.messaging.PgSignals;
import dev.conveyor.taskapi.store.LeaseStore;
import dev.conveyor.taskapi.store.OutboxStore;
import dev.conveyor.taskapi.store.OutboxStore.Record;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The worker's batch claim ({@code POST /v1/worker/claim}): up to {@code max} queued tasks of the types it can run, each
 * with a new lease and {@code task.claimed} in the same transaction; with {@code waitSeconds} a long-poll woken by the
 * {@code conveyor_task_queued} NOTIFY, which {@link PgSignals} hands to one waiting claim per task type (not to every
 * waiting worker); a full claim passes the wake-up on to the next one.
 */
@ApplicationScoped
public class ClaimService {
    public static final int MAX_CLAIM = 100;
    public static final int MAX_WAIT_SECONDS = 30;
    public static final int MAX_CLAIM_TYPES = 100;
    /** A long-poll re-checks at least this often (tasks whose backoff ran out are not notified). */
    static final Duration RECHECK = Duration.ofSeconds(1);

    private final Pool pool;
    private final LeaseStore leaseRows;
    private final OutboxStore outbox;
    private final TaskTypes types;
    private final PgSignals signals;
    private final WorkerSightings sightings;

    public ClaimService(
            Pool pool,
            LeaseStore leaseRows,
            OutboxStore outbox,
            TaskTypes types,
            PgSignals signals,
            WorkerSightings sightings) {
        this.pool = pool;
        this.leaseRows = leaseRows;
        this.outbox = outbox;
        this.types = types;
        this.signals = signals;
        this.sightings = sightings;
    }

    public Uni<List<Task>> claim(ClaimRequest req) {
        if (req == null) {
            throw ProblemException.validation("a JSON body is required");
        }
        String worker = Leases.workerId(req.workerId());
        List<String> caps = req.capabilities() == null ? List.of() : req.capabilities();
        if (caps.stream().anyMatch(Objects::isNull) || caps.size() > 50) {
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
        return recordWorker(worker, caps.toArray(String[]::new), runnable)
                .chain(() -> claimUntil(worker, runnable, Set.of(runnable), max, deadline));
    }

    /** Records the worker as seen (the stalled-task check), unless this replica did so moments ago. */
    private Uni<Void> recordWorker(String worker, String[] capabilities, String[] runnable) {
        long now = System.nanoTime();
        if (sightings.isFresh(worker, capabilities, runnable, now)) {
            return Uni.createFrom().voidItem();
        }
        return pool.withConnection(c -> leaseRows.touchWorker(c, worker, capabilities, runnable))
                .invoke(() -> sightings.recorded(worker, capabilities, runnable, now));
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

    private Uni<List<Task>> claimUntil(
            String worker, String[] runnable, Set<String> runnableSet, int max, Instant deadline) {
        long seen = signals.queuedSignals(runnableSet);
        return claimNow(worker, runnable, max).chain(claimed -> {
            if (claimed.size() == max) {
                // Full: more may be queued; the next waiting claim looks too (see PgSignals: one wake-up, one claim).
                signals.passOn(runnableSet);
            }
            Duration left = Duration.between(Instant.now(), deadline);
            if (!claimed.isEmpty() || left.isNegative() || left.isZero() || runnable.length == 0) {
                return Uni.createFrom().item(claimed);
            }
            Duration nap = left.compareTo(RECHECK) < 0 ? left : RECHECK;
            return signals.awaitQueued(runnableSet, nap, seen)
                    .chain(() -> claimUntil(worker, runnable, runnableSet, max, deadline));
        });
    }

    private Uni<List<Task>> claimNow(String worker, String[] runnable, int max) {
        if (runnable.length == 0) {
            return Uni.createFrom().item(List.of());
        }
        // Two round trips: BEGIN travels with the claim's UPDATE, the task.claimed INSERT with COMMIT.
        return PipelinedTransaction.runEnding(
                pool,
                c -> leaseRows.claim(c, runnable, max, worker).map(claimed -> {
                    if (claimed.isEmpty()) {
                        return Ending.of(List.<Task>of());
                    }
                    List<Record> events = new ArrayList<>(claimed.size());
                    claimed.forEach(t -> events.add(Events.task(EventTypes.TASK_CLAIMED, t)));
                    return Ending.then(
                            claimed.stream().map(Task::withLease).toList(), last -> outbox.insert(last, events));
                }));
    }
}
