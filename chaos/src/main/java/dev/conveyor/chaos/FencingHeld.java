package dev.conveyor.chaos;

import dev.conveyor.chaos.History.TaskEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * Fencing held: every accepted completion ({@code task.completed}) belongs to the lease in force — the task's last
 * {@code task.claimed} before it was by the same worker for the same attempt, and nothing took the lease away in
 * between (no requeue by an expired lease or a retryable fail, no final fail, no cancel, no other claim). A worker
 * paused past its lease that completes after waking, and is accepted, shows up here as a completion by a worker whose
 * claim was followed by a requeue or by another worker's claim.
 */
final class FencingHeld implements Invariant {
    @Override
    public String name() {
        return "fencing: no completion accepted from a worker whose lease was taken over";
    }

    @Override
    public List<Violation> check(History h) {
        List<Violation> out = new ArrayList<>();
        Map<UUID, List<TaskEvent>> byTask = TaskOutcomes.eventsByTask(h.taskEvents());
        byTask.forEach((taskId, events) -> {
            TaskEvent lease = null;
            for (TaskEvent e : events) {
                switch (e.type()) {
                    case "task.claimed" -> lease = e;
                    case "task.requeued", "task.failed", "task.cancelled" -> lease = null;
                    case "task.completed" -> {
                        if (lease == null
                                || !Objects.equals(lease.workerId(), e.workerId())
                                || lease.attempts() != e.attempts()) {
                            out.add(new Violation(
                                    name(),
                                    "task " + taskId + " completed by " + e.workerId() + " (attempt " + e.attempts()
                                            + ") without holding the lease in force ("
                                            + (lease == null
                                                    ? "none"
                                                    : lease.workerId() + ", attempt " + lease.attempts())
                                            + "); events " + TaskOutcomes.summary(events)));
                        }
                        lease = null;
                    }
                    default -> {}
                }
            }
        });
        return out;
    }
}
