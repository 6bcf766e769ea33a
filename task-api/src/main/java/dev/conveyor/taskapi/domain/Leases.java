package dev.conveyor.taskapi.domain;

import dev.conveyor.kit.http.ProblemException;
import dev.conveyor.taskapi.store.TaskStore;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import java.util.UUID;

/**
 * The lease fence every worker call shares (claim, heartbeat, complete, fail, release, children): who the caller is, and
 * why a lease-guarded update refused it. One place, so every verb answers a stale lease with the same 409 detail.
 */
final class Leases {
    private Leases() {}

    static String workerId(String workerId) {
        if (workerId == null || workerId.isBlank() || workerId.length() > 200) {
            throw ProblemException.validation("workerId is required (at most 200 characters)");
        }
        return workerId;
    }

    static UUID token(UUID leaseToken) {
        if (leaseToken == null) {
            throw ProblemException.validation("leaseToken is required");
        }
        return leaseToken;
    }

    /** Whether this token and worker are the task's (current or last) lease. The lease belongs to the worker that claimed it. */
    static boolean holds(Task t, UUID token, String worker) {
        return token.equals(t.storedLeaseToken()) && worker.equals(t.workerId());
    }

    static String leaseLostDetail(Task t, UUID token, String worker) {
        if (token.equals(t.storedLeaseToken()) && !worker.equals(t.workerId())) {
            return "task " + t.id() + ": this lease belongs to another worker";
        }
        if (TaskStatus.CANCELLED.equals(t.status()) && token.equals(t.storedLeaseToken())) {
            return "task " + t.id() + " was cancelled";
        }
        return "task " + t.id() + " is " + t.status() + " and this lease token is not its current lease";
    }

    /** Why a lease-guarded update touched no row: unknown task (404), or a lease that is not (any longer) the caller's (409). */
    static Uni<Task> refused(SqlClient c, TaskStore tasks, UUID taskId, UUID token, String worker) {
        return tasks.find(c, taskId).map(t -> {
            if (t == null) {
                throw ProblemException.notFound("task " + taskId);
            }
            throw TaskProblems.leaseLost(leaseLostDetail(t, token, worker));
        });
    }

    /** The updated task, or (no row updated) the refusal of {@link #refused}. */
    static Uni<Task> orRefused(SqlClient c, TaskStore tasks, Task t, UUID taskId, UUID token, String worker) {
        return t != null ? Uni.createFrom().item(t) : refused(c, tasks, taskId, token, worker);
    }
}
