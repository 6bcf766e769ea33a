package dev.conveyor.chaos;

import dev.conveyor.chaos.History.AccountRow;
import dev.conveyor.chaos.History.LedgerEntry;
import dev.conveyor.chaos.History.TaskRow;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Credits exact, per user: held = 0; balance = grants − captures; captures = the costs of the completed tasks by the
 * documented price model (rest.md: no-op 1, single_image 1 per image, a travel pipeline 2 for the orchestrator + 3 per
 * segment + 1 for the stitch, each part captured when that task completes); holds = captures + releases; and no ledger
 * entry twice (at most one capture per task, of exactly its price, and none for a task that did not complete).
 */
final class CreditsExact implements Invariant {
    @Override
    public String name() {
        return "credits: exact per user, no ledger entry twice";
    }

    /** The documented price of a task's own part. */
    static long price(TaskRow t) {
        return switch (t.taskType()) {
            case "noop" -> 1;
            case "single_image" -> t.params().path("num_images").asLong(1);
            case "travel_orchestrator" -> 2;
            case "travel_segment" -> 3;
            case "travel_stitch" -> 1;
            default -> throw new IllegalArgumentException("no price for " + t.taskType());
        };
    }

    @Override
    public List<Violation> check(History h) {
        List<Violation> out = new ArrayList<>();
        Map<UUID, TaskRow> tasks = new HashMap<>();
        h.tasks().forEach(t -> tasks.put(t.id(), t));
        Map<UUID, long[]> sums = new HashMap<>(); // grant, hold, capture, release
        Map<UUID, List<LedgerEntry>> captures = new HashMap<>();
        for (LedgerEntry e : h.ledger()) {
            long[] s = sums.computeIfAbsent(e.userId(), u -> new long[4]);
            switch (e.kind()) {
                case "grant" -> s[0] += e.amount();
                case "hold" -> s[1] += e.amount();
                case "capture" -> {
                    s[2] += e.amount();
                    captures.computeIfAbsent(e.taskId(), t -> new ArrayList<>()).add(e);
                }
                case "release" -> s[3] += e.amount();
                default -> out.add(v("ledger entry " + e.id() + " has unknown kind " + e.kind()));
            }
        }
        Map<UUID, Long> owed = new HashMap<>();
        for (TaskRow t : h.tasks()) {
            List<LedgerEntry> caps = captures.getOrDefault(t.id(), List.of());
            if (t.status().equals("complete")) {
                owed.merge(t.userId(), price(t), Long::sum);
                if (caps.size() != 1 || caps.get(0).amount() != price(t)) {
                    out.add(v("completed task " + t.id() + " (" + t.taskType() + ", price " + price(t)
                            + ") has captures " + amounts(caps) + ", expected exactly [" + price(t) + "]"));
                }
            } else if (!caps.isEmpty()) {
                out.add(v(
                        "task " + t.id() + " (" + t.taskType() + ", " + t.status() + ") was charged " + amounts(caps)));
            }
        }
        captures.keySet().stream()
                .filter(id -> id == null || !tasks.containsKey(id))
                .forEach(id -> out.add(v("capture for unknown task " + id)));
        for (AccountRow a : h.accounts()) {
            long[] s = sums.getOrDefault(a.userId(), new long[4]);
            String ledger = "ledger grants " + s[0] + ", holds " + s[1] + ", captures " + s[2] + ", releases " + s[3];
            if (a.held() != 0) {
                out.add(v("user " + a.userId() + " still holds " + a.held() + " with every task final; " + ledger));
            }
            if (a.balance() != s[0] - s[2]) {
                out.add(v("user " + a.userId() + " balance " + a.balance() + " != grants − captures = " + (s[0] - s[2])
                        + "; " + ledger));
            }
            if (s[1] != s[2] + s[3] + a.held()) {
                out.add(v("user " + a.userId() + " holds " + s[1] + " != captures + releases + held "
                        + (s[2] + s[3] + a.held()) + "; " + ledger));
            }
            long expected = owed.getOrDefault(a.userId(), 0L);
            if (s[2] != expected) {
                out.add(v("user " + a.userId() + " was charged " + s[2] + " but completed tasks cost " + expected));
            }
        }
        return out;
    }

    private static String amounts(List<LedgerEntry> entries) {
        return entries.stream().map(e -> e.id() + ":" + e.amount()).toList().toString();
    }

    private Violation v(String detail) {
        return new Violation(name(), detail);
    }
}
