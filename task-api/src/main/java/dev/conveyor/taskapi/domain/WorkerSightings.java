package dev.conveyor.taskapi.domain;

import dev.conveyor.taskapi.store.LeaseStore;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When this replica last recorded each worker in {@code workers} (the stalled-task check reads it), so a claim skips the
 * record while it is fresh. The record's own statement already leaves a row seen under {@link #FRESH_NANOS} ago
 * unchanged, but it still cost a round trip and a row lock (a WAL record) per claim: issue 15's count showed one per 12
 * drained tasks. A worker whose capabilities or task types change is recorded at once. A replica that has not seen the
 * worker records it on its first claim, so the row is at most about twice {@link #FRESH_NANOS} old for a worker that
 * claims at all — against the stalled check's minutes.
 */
@ApplicationScoped
public class WorkerSightings {
    /** As long as the record's statement itself leaves a row alone. */
    static final long FRESH_NANOS = LeaseStore.WORKER_ROW_REFRESH.toNanos();
    /** Worker ids come and go with worker processes: forget them all past this many (they are recorded again). */
    static final int MAX_WORKERS = 10_000;

    private record Sighting(long atNanos, String[] capabilities, String[] taskTypes) {}

    private final ConcurrentHashMap<String, Sighting> recorded = new ConcurrentHashMap<>();

    /** Whether this worker, with these capabilities and types, was recorded by this replica within {@link #FRESH_NANOS}. */
    public boolean isFresh(String workerId, String[] capabilities, String[] taskTypes, long nowNanos) {
        Sighting s = recorded.get(workerId);
        return s != null
                && nowNanos - s.atNanos() < FRESH_NANOS
                && Arrays.equals(s.capabilities(), capabilities)
                && Arrays.equals(s.taskTypes(), taskTypes);
    }

    /** The record's statement committed at (or after) {@code atNanos}. */
    public void recorded(String workerId, String[] capabilities, String[] taskTypes, long atNanos) {
        if (recorded.size() >= MAX_WORKERS) {
            recorded.clear();
        }
        recorded.put(workerId, new Sighting(atNanos, capabilities.clone(), taskTypes.clone()));
    }
}
