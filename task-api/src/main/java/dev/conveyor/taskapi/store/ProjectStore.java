package dev.conveyor.taskapi.store;

import dev.conveyor.taskapi.domain.Project;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

@ApplicationScoped
public class ProjectStore {
    private static final String COLS = "id, name, owner_id, created_at";

    private static Project project(Row r) {
        return new Project(r.getUUID("id"), r.getString("name"), r.getUUID("owner_id"), Sql.instant(r, "created_at"));
    }

    public Uni<Project> insert(SqlClient c, UUID id, UUID ownerId, String name) {
        return c.preparedQuery("INSERT INTO projects (id, owner_id, name) VALUES ($1, $2, $3) RETURNING " + COLS)
                .execute(Sql.args(id, ownerId, name))
                .map(rows -> project(rows.iterator().next()));
    }

    public Uni<Project> findOwned(SqlClient c, UUID id, UUID ownerId) {
        return c.preparedQuery("SELECT " + COLS + " FROM projects WHERE id = $1 AND owner_id = $2")
                .execute(Sql.args(id, ownerId))
                .map(rows -> rows.size() == 0 ? null : project(rows.iterator().next()));
    }

    public Uni<List<Project>> listOwned(SqlClient c, UUID ownerId) {
        return c.preparedQuery("SELECT " + COLS + " FROM projects WHERE owner_id = $1 ORDER BY created_at, id")
                .execute(Sql.args(ownerId))
                .map(rows -> Sql.map(rows, ProjectStore::project));
    }

    public Uni<Project> rename(SqlClient c, UUID id, UUID ownerId, String name) {
        return c.preparedQuery("UPDATE projects SET name = $3 WHERE id = $1 AND owner_id = $2 RETURNING " + COLS)
                .execute(Sql.args(id, ownerId, name))
                .map(rows -> rows.size() == 0 ? null : project(rows.iterator().next()));
    }

    /** Number of unfinished tasks of the project (locks the project row first so no task is created meanwhile). */
    public Uni<Long> lockAndCountActive(SqlClient c, UUID id) {
        return c.preparedQuery(
                        "SELECT (SELECT count(*) FROM tasks WHERE project_id = p.id AND status IN ('waiting', 'queued', 'in_progress')) "
                                + "AS n FROM projects p WHERE p.id = $1 FOR UPDATE")
                .execute(Sql.args(id))
                .map(rows -> rows.iterator().next().getLong("n"));
    }

    /** Deletes the project and its (finished) tasks. */
    public Uni<Void> delete(SqlClient c, UUID id) {
        return c.preparedQuery("DELETE FROM tasks WHERE project_id = $1")
                .execute(Sql.args(id))
                .chain(() ->
                        c.preparedQuery("DELETE FROM projects WHERE id = $1").execute(Sql.args(id)))
                .replaceWithVoid();
    }

    /** Locks the project row (FOR KEY SHARE) so a concurrent delete waits for this transaction. */
    public Uni<Project> findOwnedForShare(SqlClient c, UUID id, UUID ownerId) {
        return c.preparedQuery("SELECT " + COLS + " FROM projects WHERE id = $1 AND owner_id = $2 FOR KEY SHARE")
                .execute(Sql.args(id, ownerId))
                .map(rows -> rows.size() == 0 ? null : project(rows.iterator().next()));
    }

    /**
     * Which of these projects the owner has, each row locked FOR KEY SHARE as {@link #findOwnedForShare} does (a batch's
     * distinct projects in one statement; locked in id order).
     */
    public Uni<Set<UUID>> ownedForShare(SqlClient c, UUID[] ids, UUID ownerId) {
        return c.preparedQuery("SELECT id FROM projects WHERE id = ANY($1) AND owner_id = $2 ORDER BY id FOR KEY SHARE")
                .execute(Sql.args(ids, ownerId))
                .map(rows -> {
                    Set<UUID> owned = new HashSet<>();
                    rows.forEach(r -> owned.add(r.getUUID("id")));
                    return owned;
                });
    }
}
