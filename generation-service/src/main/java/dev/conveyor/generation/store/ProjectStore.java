package dev.conveyor.generation.store;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Arrays;
import java.util.UUID;

/** Project owners, as learned from the compacted {@code projects} topic. */
@ApplicationScoped
public class ProjectStore {
    private final Pool pool;

    public ProjectStore(Pool pool) {
        this.pool = pool;
    }

    public Uni<Void> upsert(UUID projectId, UUID ownerId, String name) {
        return pool.preparedQuery("""
                        insert into projects (id, owner_id, name) values ($1, $2, $3)
                        on conflict (id) do update set owner_id = excluded.owner_id, name = excluded.name, deleted = false, updated_at = now()""")
                .execute(Tuple.from(Arrays.asList(projectId, ownerId, name)))
                .replaceWithVoid();
    }

    /** A tombstone: the project is gone; its galleries answer 404 from now on. */
    public Uni<Void> markDeleted(UUID projectId) {
        return pool.preparedQuery("update projects set deleted = true, updated_at = now() where id = $1")
                .execute(Tuple.of(projectId))
                .replaceWithVoid();
    }

    /** True when {@code userId} owns the live project. */
    public Uni<Boolean> isOwner(SqlClient sql, UUID userId, UUID projectId) {
        return sql.preparedQuery("select 1 from projects where id = $1 and owner_id = $2 and not deleted")
                .execute(Tuple.of(projectId, userId))
                .map(rows -> rows.size() > 0);
    }
}
