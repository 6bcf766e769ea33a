package dev.conveyor.taskapi.domain;

import dev.conveyor.kit.http.ProblemException;
import java.util.UUID;

/** The failures only task-api has, as the shared {@link ProblemException} (docs/rest.md "Errors"). */
public final class TaskProblems {
    private TaskProblems() {}

    public static ProblemException leaseLost(String detail) {
        return new ProblemException(409, "lease_lost", "Lease lost", detail);
    }

    public static ProblemException insufficientCredits(long cost, long available) {
        return new ProblemException(
                402,
                "insufficient_credits",
                "Insufficient credits",
                "the task costs " + cost + " credits, " + available + " available");
    }

    public static ProblemException budgetExceeded(UUID parentId, long cost, long left) {
        return new ProblemException(
                402,
                "pipeline_budget_exceeded",
                "Pipeline budget exceeded",
                "the child costs " + cost + " credits and parent task " + parentId + " has " + left
                        + " left of what its create held for its children");
    }
}
