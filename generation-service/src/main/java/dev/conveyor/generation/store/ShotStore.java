package dev.conveyor.generation.store;

import dev.conveyor.generation.domain.Generation;
import dev.conveyor.generation.domain.Shot;
import dev.conveyor.generation.domain.ShotGeneration;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** SQL for shots and shot links. Reads for users are scoped by the project's owner. */
@ApplicationScoped
public class ShotStore {
    private static final String SHOT_COLUMNS = "s.id, s.project_id, s.name, s.created_at";
    /** Joins the caller's live projects; parameter $1 is the caller's user id. */
    private static final String OWNED =
            " from shots s join projects p on p.id = s.project_id and p.owner_id = $1 and not p.deleted";

    private final Pool pool;

    public ShotStore(Pool pool) {
        this.pool = pool;
    }

    /** The project a shot belongs to, empty when there is no such shot (used by the completion consumer). */
    public Uni<Optional<UUID>> projectOf(SqlClient sql, UUID shotId) {
        return sql.preparedQuery("select project_id from shots where id = $1")
                .execute(Tuple.of(shotId))
                .map(rows -> rows.size() == 0
                        ? Optional.<UUID>empty()
                        : Optional.of(rows.iterator().next().getUUID("project_id")));
    }

    public Uni<Shot> insert(SqlClient sql, UUID id, UUID projectId, String name) {
        return sql.preparedQuery(
                        "insert into shots (id, project_id, name) values ($1, $2, $3) returning id, project_id, name, created_at")
                .execute(Tuple.of(id, projectId, name))
                .map(rows -> Rows.shot(rows.iterator().next()));
    }

    public Uni<List<Shot>> list(UUID userId, UUID projectId) {
        return pool.preparedQuery(
                        "select " + SHOT_COLUMNS + OWNED + " where s.project_id = $2 order by s.created_at, s.id")
                .execute(Tuple.of(userId, projectId))
                .map(ShotStore::shots);
    }

    public Uni<Optional<Shot>> findOwned(SqlClient sql, UUID userId, UUID shotId) {
        return sql.preparedQuery("select " + SHOT_COLUMNS + OWNED + " where s.id = $2")
                .execute(Tuple.of(userId, shotId))
                .map(rows -> rows.size() == 0
                        ? Optional.<Shot>empty()
                        : Optional.of(Rows.shot(rows.iterator().next())));
    }

    /** Locks the caller's shot for a change (serializes concurrent link changes of one shot). */
    public Uni<Optional<Shot>> lockOwned(SqlClient sql, UUID userId, UUID shotId) {
        return sql.preparedQuery("select " + SHOT_COLUMNS + OWNED + " where s.id = $2 for update of s")
                .execute(Tuple.of(userId, shotId))
                .map(rows -> rows.size() == 0
                        ? Optional.<Shot>empty()
                        : Optional.of(Rows.shot(rows.iterator().next())));
    }

    public Uni<Shot> rename(SqlClient sql, UUID shotId, String name) {
        return sql.preparedQuery(
                        "update shots set name = $2, updated_at = now() where id = $1 returning id, project_id, name, created_at")
                .execute(Tuple.of(shotId, name))
                .map(rows -> Rows.shot(rows.iterator().next()));
    }

    /** Deletes the shot and its links; answers the generations that were linked. */
    public Uni<List<UUID>> delete(SqlClient sql, UUID shotId) {
        return sql.preparedQuery("delete from shot_generations where shot_id = $1 returning generation_id")
                .execute(Tuple.of(shotId))
                .flatMap(links -> sql.preparedQuery("delete from shots where id = $1")
                        .execute(Tuple.of(shotId))
                        .map(ignored -> {
                            List<UUID> ids = new ArrayList<>();
                            for (Row row : links) {
                                ids.add(row.getUUID("generation_id"));
                            }
                            return ids;
                        }));
    }

    /** Creates or moves the link; position null = unpositioned. */
    public Uni<Void> upsertLink(SqlClient sql, UUID shotId, UUID generationId, Integer position) {
        return sql.preparedQuery("""
                        insert into shot_generations (shot_id, generation_id, position) values ($1, $2, $3)
                        on conflict (shot_id, generation_id) do update set position = excluded.position""")
                .execute(Tuple.from(Arrays.asList(shotId, generationId, position)))
                .replaceWithVoid();
    }

    /** Removes the link; false when there was none. */
    public Uni<Boolean> deleteLink(SqlClient sql, UUID shotId, UUID generationId) {
        return sql.preparedQuery("delete from shot_generations where shot_id = $1 and generation_id = $2")
                .execute(Tuple.of(shotId, generationId))
                .map(rows -> rows.rowCount() > 0);
    }

    /** The shot's live generations by position, unpositioned last (oldest link first among them). */
    public Uni<List<ShotGeneration>> generations(UUID shotId) {
        return pool.preparedQuery("select " + Rows.GENERATION_COLUMNS + ", l.position as link_position"
                        + " from shot_generations l join generations g on g.id = l.generation_id and g.deleted_at is null"
                        + " where l.shot_id = $1 order by l.position asc nulls last, l.created_at, g.id")
                .execute(Tuple.of(shotId))
                .map(rows -> {
                    List<ShotGeneration> list = new ArrayList<>(rows.size());
                    for (Row row : rows) {
                        Generation generation = Rows.generation(row);
                        list.add(new ShotGeneration(row.getInteger("link_position"), generation));
                    }
                    return list;
                });
    }

    public Uni<Long> unpositionedCount(UUID shotId) {
        return pool.preparedQuery(
                        "select count(*) as n from shot_generations l join generations g on g.id = l.generation_id"
                                + " and g.deleted_at is null where l.shot_id = $1 and l.position is null")
                .execute(Tuple.of(shotId))
                .map(rows -> rows.iterator().next().getLong("n"));
    }

    private static List<Shot> shots(RowSet<Row> rows) {
        List<Shot> list = new ArrayList<>(rows.size());
        for (Row row : rows) {
            list.add(Rows.shot(row));
        }
        return list;
    }
}
