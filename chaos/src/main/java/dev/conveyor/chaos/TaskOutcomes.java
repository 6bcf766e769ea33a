package dev.conveyor.chaos;

import dev.conveyor.chaos.History.TaskEvent;
import dev.conveyor.chaos.History.TaskRow;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Every task is in a final state its history explains; none lost, none stuck:
 * <ul>
 *   <li>every task a client created exists, and every other task is the child of one;
 *   <li>every task is complete, failed or cancelled, and its last event on {@code task-events} says so (the events are
 *       read back from the topic: a status no event announced means an event was lost);
 *   <li>complete: announced by {@code task.completed}, and not a task made to fail (permanently or on every attempt);
 *   <li>failed: its attempts spent, or {@code fail_permanently}, or a dependency failed;
 *   <li>cancelled: a client cancelled it or a task above it, or a task above it failed or was cancelled.
 * </ul>
 */
final class TaskOutcomes implements Invariant {
    private static final Set<String> FINAL = Set.of("complete", "failed", "cancelled");

    @Override
    public String name() {
        return "task outcomes: final, explained, none lost or stuck";
    }

    @Override
    public List<Violation> check(History h) {
        List<Violation> out = new ArrayList<>();
        Map<UUID, TaskRow> rows = h.tasks().stream().collect(Collectors.toMap(TaskRow::id, Function.identity()));
        Map<UUID, List<TaskEvent>> events = eventsByTask(h.taskEvents());
        for (UUID created : h.client().created.keySet()) {
            if (!rows.containsKey(created)) {
                out.add(v("lost: task " + created + " was created (answered "
                        + h.client().created.get(created).op() + ") but is not in task-api's database"));
            }
        }
        for (TaskRow t : h.tasks()) {
            ClientLog.Created c = h.client().created.get(t.id());
            if (c == null && (t.parentId() == null || !rows.containsKey(t.parentId()))) {
                out.add(v("task " + t.id() + " (" + t.taskType() + ") was created by no client and has no parent"));
            }
            if (!FINAL.contains(t.status())) {
                out.add(v("stuck: task " + t.id() + " (" + t.taskType() + ") is " + t.status() + " after attempt "
                        + t.attempts() + (t.lease() == null ? "" : ", lease held by " + t.lease()) + "; events "
                        + summary(events.get(t.id()))));
                continue;
            }
            List<TaskEvent> history = events.getOrDefault(t.id(), List.of());
            if (history.isEmpty() || !"task.created".equals(history.get(0).type())) {
                out.add(v("task " + t.id() + " has no task.created first; events " + summary(history)));
                continue;
            }
            TaskEvent last = history.get(history.size() - 1);
            if (!t.status().equals(last.status())) {
                out.add(v("task " + t.id() + " is " + t.status() + " but its last event " + last.type() + " says "
                        + last.status() + "; events " + summary(history)));
            }
            String why = unexplained(t, c, history, rows, events, h.client());
            if (why != null) {
                out.add(v("task " + t.id() + " (" + t.taskType() + (c == null ? "" : ", step " + c.op()) + ") " + why
                        + "; events " + summary(history)));
            }
        }
        return out;
    }

    private static String unexplained(
            TaskRow t,
            ClientLog.Created c,
            List<TaskEvent> history,
            Map<UUID, TaskRow> rows,
            Map<UUID, List<TaskEvent>> events,
            ClientLog client) {
        switch (t.status()) {
            case "complete" -> {
                if (history.stream().noneMatch(e -> e.type().equals("task.completed"))) {
                    return "is complete without a task.completed event";
                }
                if (t.params().path("fail_permanently").asBoolean(false)) {
                    return "completed although every attempt must fail permanently";
                }
                if (t.params().path("fail_attempts").asInt(0) >= t.maxAttempts()) {
                    return "completed although attempts 1.."
                            + t.params().path("fail_attempts").asInt() + " must fail";
                }
                return null;
            }
            case "failed" -> {
                boolean spent = t.attempts() >= t.maxAttempts();
                boolean permanent = t.params().path("fail_permanently").asBoolean(false);
                boolean dependency =
                        t.errorMessage() != null && t.errorMessage().startsWith("dependency");
                return spent || permanent || dependency
                        ? null
                        : "failed after " + t.attempts() + " of " + t.maxAttempts() + " attempts without a reason to ("
                                + t.errorMessage() + ")";
            }
            case "cancelled" -> {
                for (UUID up = t.id();
                        up != null;
                        up = rows.containsKey(up) ? rows.get(up).parentId() : null) {
                    if (client.cancelRequested.contains(up)) {
                        return null;
                    }
                    if (!up.equals(t.id())
                            && events.getOrDefault(up, List.of()).stream()
                                    .anyMatch(e -> e.type().equals("task.failed")
                                            || e.type().equals("task.cancelled"))) {
                        return null;
                    }
                }
                return "was cancelled, but no client cancelled it or a task above it, and nothing above it ended";
            }
            default -> {
                return "is " + t.status();
            }
        }
    }

    /** Each task's events in topic order, each event once (delivery is at least once: duplicates are allowed). */
    static Map<UUID, List<TaskEvent>> eventsByTask(List<TaskEvent> all) {
        Map<UUID, TaskEvent> unique = new LinkedHashMap<>();
        all.stream()
                .sorted(Comparator.comparingInt(TaskEvent::partition).thenComparingLong(TaskEvent::offset))
                .forEach(e -> unique.putIfAbsent(e.eventId(), e));
        return unique.values().stream()
                .collect(Collectors.groupingBy(TaskEvent::taskId, LinkedHashMap::new, Collectors.toList()));
    }

    static String summary(List<TaskEvent> events) {
        if (events == null || events.isEmpty()) {
            return "[none]";
        }
        return events.stream()
                .map(e -> e.type().substring(e.type().indexOf('.') + 1) + "(" + e.status() + ",a" + e.attempts()
                        + (e.workerId() == null ? "" : "," + e.workerId()) + ",@" + e.partition() + ":" + e.offset()
                        + ")")
                .collect(Collectors.joining(" "));
    }

    private Violation v(String detail) {
        return new Violation(name(), detail);
    }
}
