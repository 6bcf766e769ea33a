package dev.conveyor.taskapi.domain;

import dev.conveyor.kit.http.ProblemException;
import dev.conveyor.taskapi.api.model.TaskPage;
import dev.conveyor.taskapi.store.TaskStore;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.UUID;

/** The user-wide task listing ({@code GET /v1/tasks}): the caller's own tasks across all their projects. */
@ApplicationScoped
public class TaskListing {
    private final Pool pool;
    private final TaskStore tasks;

    public TaskListing(Pool pool, TaskStore tasks) {
        this.pool = pool;
        this.tasks = tasks;
    }

    /** {@code status}: null/blank = every status, else a comma list of {@link TaskStatus#ALL}. Newest first. */
    public Uni<TaskPage> list(UUID userId, String status, int page, int limit) {
        String[] statuses = statuses(status);
        if (page < 1 || page > 100_000) {
            throw ProblemException.validation("page must be from 1 to 100000");
        }
        if (limit < 1 || limit > 100) {
            throw ProblemException.validation("limit must be from 1 to 100");
        }
        return pool.withConnection(c -> tasks.listByUser(c, userId, statuses, limit, (page - 1) * limit)
                .chain(items ->
                        tasks.countByUser(c, userId, statuses).map(total -> new TaskPage(items, page, limit, total))));
    }

    /** The comma list as an array, or null for every status; 422 on an unknown or empty item. */
    static String[] statuses(String status) {
        if (status == null || status.isBlank()) {
            return null;
        }
        if (status.length() > 200) {
            throw ProblemException.validation("status is a comma list of " + TaskStatus.ALL);
        }
        Set<String> wanted = new LinkedHashSet<>();
        for (String item : status.split(",", -1)) {
            String s = item.trim();
            if (!TaskStatus.ALL.contains(s)) {
                throw ProblemException.validation(
                        "status must be a comma list of " + TaskStatus.ALL + "; got '" + s + "'");
            }
            wanted.add(s);
        }
        return wanted.toArray(String[]::new);
    }
}
