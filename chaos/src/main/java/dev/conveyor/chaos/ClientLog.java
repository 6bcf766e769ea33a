package dev.conveyor.chaos;

import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/** What the workload's clients did and were answered: the history the invariants explain final states with. */
final class ClientLog {
    /** A task the client created (answered 201, or 200 on a replay after a lost answer). */
    record Created(UUID taskId, Op op, UUID userId, UUID projectId, UUID shotId) {}

    final Map<UUID, Created> created = new ConcurrentHashMap<>();
    final Map<Integer, UUID> byStep = new ConcurrentHashMap<>();
    /** Tasks the client asked to cancel (whatever the answer: a 409 task_final means it was too late). */
    final Set<UUID> cancelRequested = ConcurrentHashMap.newKeySet();

    final Set<UUID> retryRequested = ConcurrentHashMap.newKeySet();
    /** Steps whose target did not exist yet when they ran (the create still in flight): nothing was sent. */
    final Set<Integer> skipped = ConcurrentHashMap.newKeySet();

    void created(Created c) {
        created.put(c.taskId(), c);
        byStep.put(c.op().index(), c.taskId());
    }
}
