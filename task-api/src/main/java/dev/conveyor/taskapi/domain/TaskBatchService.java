package dev.conveyor.taskapi.domain;

import dev.conveyor.kit.http.ProblemException;
import dev.conveyor.taskapi.api.model.CreateTask;
import dev.conveyor.taskapi.api.model.CreateTasks;
import dev.conveyor.taskapi.api.model.CreatedTasks;
import dev.conveyor.taskapi.domain.TaskInput.Validated;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlClient;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Batch create: up to {@value #MAX_BATCH} tasks of one user in one request and one transaction, all or none. Each item
 * goes through exactly the checks and writes of a single create (validation, project, dependencies, credit hold,
 * task.created in the outbox); a failing item rolls the whole batch back and the problem names it ({@code tasks[i]: ...}).
 * An item whose idempotencyKey was used before answers the earlier task (replayed) and holds nothing again.
 */
@ApplicationScoped
public class TaskBatchService {
    public static final int MAX_BATCH = 100;

    private final Pool pool;
    private final TaskService taskService;
    private final TaskInput input;

    public TaskBatchService(Pool pool, TaskService taskService, TaskInput input) {
        this.pool = pool;
        this.taskService = taskService;
        this.input = input;
    }

    public Uni<CreatedTasks> create(UUID userId, CreateTasks req) {
        if (req == null
                || req.tasks() == null
                || req.tasks().isEmpty()
                || req.tasks().size() > MAX_BATCH) {
            throw ProblemException.validation("tasks must hold 1 to " + MAX_BATCH + " items");
        }
        List<CreateTask> items = req.tasks();
        List<Validated> validated = new ArrayList<>(items.size());
        Set<String> keys = new HashSet<>();
        for (int i = 0; i < items.size(); i++) {
            CreateTask t = items.get(i);
            String at = "tasks[" + i + "]";
            if (t == null) {
                throw ProblemException.validation(at + " is required");
            }
            if (t.projectId() == null) {
                throw ProblemException.validation(at + ".projectId is required");
            }
            Validated v;
            try {
                v = input.validate(t.taskType(), t.params(), t.priority(), t.dependsOn(), t.idempotencyKey());
            } catch (ProblemException e) {
                throw e.at(at);
            }
            if (v.key() != null && !keys.add(v.key())) {
                throw ProblemException.validation(at + ".idempotencyKey appears more than once in the batch");
            }
            validated.add(v);
        }
        Uni<CreatedTasks> attempt = inTransaction(userId, items, validated);
        if (keys.isEmpty()) {
            return attempt;
        }
        // A concurrent create won the race for one of the keys: run the batch again, that key now answers its task.
        return attempt.onFailure(TaskService::uniqueViolation)
                .recoverWithUni(() -> inTransaction(userId, items, validated));
    }

    private Uni<CreatedTasks> inTransaction(UUID userId, List<CreateTask> items, List<Validated> validated) {
        return pool.withTransaction(c -> createFrom(c, userId, items, validated, 0, new ArrayList<>()))
                .map(CreatedTasks::new);
    }

    /** Creates items[i..] one after the other (one connection, so no parallel statements), appending to {@code out}. */
    private Uni<List<TaskService.Created>> createFrom(
            SqlClient c,
            UUID userId,
            List<CreateTask> items,
            List<Validated> validated,
            int i,
            List<TaskService.Created> out) {
        if (i == items.size()) {
            return Uni.createFrom().item(out);
        }
        String at = "tasks[" + i + "]";
        // The item's failure (project, dependencies, credits) is named by its index; later items add their own.
        return taskService
                .createIn(c, userId, items.get(i), validated.get(i))
                .onFailure(ProblemException.class)
                .transform(e -> ((ProblemException) e).at(at))
                .chain(created -> {
                    out.add(created);
                    return createFrom(c, userId, items, validated, i + 1, out);
                });
    }
}
