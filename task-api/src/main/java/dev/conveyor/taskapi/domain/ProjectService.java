package dev.conveyor.taskapi.domain;

import dev.conveyor.kit.http.ProblemException;
import dev.conveyor.taskapi.store.OutboxStore;
import dev.conveyor.taskapi.store.ProjectStore;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.UUID;

/** Projects: each change publishes the project (or a tombstone) on the compacted projects topic. */
@ApplicationScoped
public class ProjectService {
    private final Pool pool;
    private final ProjectStore projects;
    private final OutboxStore outbox;

    public ProjectService(Pool pool, ProjectStore projects, OutboxStore outbox) {
        this.pool = pool;
        this.projects = projects;
        this.outbox = outbox;
    }

    private static String name(String name) {
        if (name == null || name.isBlank() || name.length() > 200) {
            throw ProblemException.validation("name is required (1 to 200 characters)");
        }
        return name.strip();
    }

    public Uni<Project> create(UUID ownerId, String name) {
        String n = name(name);
        return pool.withTransaction(c -> projects.insert(c, UUID.randomUUID(), ownerId, n)
                .chain(p -> outbox.insert(c, List.of(Events.project(p))).replaceWith(p)));
    }

    public Uni<List<Project>> list(UUID ownerId) {
        return pool.withConnection(c -> projects.listOwned(c, ownerId));
    }

    public Uni<Project> get(UUID ownerId, UUID id) {
        return pool.withConnection(c -> projects.findOwned(c, id, ownerId)).map(p -> {
            if (p == null) {
                throw ProblemException.notFound("project " + id);
            }
            return p;
        });
    }

    public Uni<Project> rename(UUID ownerId, UUID id, String name) {
        String n = name(name);
        return pool.withTransaction(c -> projects.rename(c, id, ownerId, n).chain(p -> {
            if (p == null) {
                throw ProblemException.notFound("project " + id);
            }
            return outbox.insert(c, List.of(Events.project(p))).replaceWith(p);
        }));
    }

    /** Deletes a project whose tasks are all finished (409 project_has_active_tasks otherwise); a tombstone follows. */
    public Uni<Void> delete(UUID ownerId, UUID id) {
        return pool.withTransaction(c -> projects.findOwned(c, id, ownerId)
                .chain(p -> {
                    if (p == null) {
                        throw ProblemException.notFound("project " + id);
                    }
                    return projects.lockAndCountActive(c, id);
                })
                .chain(active -> {
                    if (active > 0) {
                        throw ProblemException.conflict(
                                "project_has_active_tasks",
                                "the project has " + active + " unfinished tasks; cancel them first");
                    }
                    return projects.delete(c, id).chain(() -> outbox.insert(c, List.of(Events.projectDeleted(id))));
                }));
    }
}
