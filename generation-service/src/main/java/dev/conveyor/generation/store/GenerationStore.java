package dev.conveyor.generation.store;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.generation.domain.Generation;
import dev.conveyor.generation.domain.Page;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** SQL for generations. Reads for users are scoped by the project's owner: another user's rows do not exist. */
@ApplicationScoped
public class GenerationStore {
    /** Joins the caller's live projects; parameter $1 is the caller's user id. */
    private static final String OWNED =
            " from generations g join projects p on p.id = g.project_id and p.owner_id = $1 and not p.deleted"
                    + " where g.deleted_at is null";

    private final Pool pool;

    public GenerationStore(Pool pool) {
        this.pool = pool;
    }

    /** A generation just inserted. */
    public record Inserted(UUID id, Instant createdAt) {}

    /** Inserts the task's generation; empty when the task already has one (unique task_id). */
    public Uni<Optional<Inserted>> insertIfAbsent(
            SqlClient sql,
            UUID id,
            UUID projectId,
            UUID taskId,
            String type,
            String location,
            JsonNode metadata,
            JsonNode params) {
        return sql.preparedQuery("""
                        insert into generations (id, project_id, task_id, task_ids, type, location, metadata, params)
                        values ($1, $2, $3, $4, $5, $6, $7::text::jsonb, $8::text::jsonb)
                        on conflict (task_id) do nothing returning id, created_at""")
                .execute(Tuple.from(Arrays.asList(
                        id,
                        projectId,
                        taskId,
                        new UUID[] {taskId},
                        type,
                        location,
                        Rows.text(metadata),
                        Rows.text(params))))
                .map(rows -> {
                    if (rows.size() == 0) {
                        return Optional.<Inserted>empty();
                    }
                    Row row = rows.iterator().next();
                    return Optional.of(
                            new Inserted(row.getUUID("id"), Rows.instant(row.getOffsetDateTime("created_at"))));
                });
    }

    /** The generation made by {@code taskId}, deleted or not (for duplicate detection). */
    public Uni<Optional<UUID>> idByTask(SqlClient sql, UUID taskId) {
        return sql.preparedQuery("select id from generations where task_id = $1")
                .execute(Tuple.of(taskId))
                .map(rows -> rows.size() == 0
                        ? Optional.<UUID>empty()
                        : Optional.of(rows.iterator().next().getUUID("id")));
    }

    /** Any live generation by id, for event snapshots inside a transaction. */
    public Uni<Optional<Generation>> find(SqlClient sql, UUID id) {
        return sql.preparedQuery("select " + Rows.GENERATION_COLUMNS
                        + " from generations g where g.id = $1 and g.deleted_at is null")
                .execute(Tuple.of(id))
                .map(GenerationStore::first);
    }

    public Uni<Optional<Generation>> findOwned(SqlClient sql, UUID userId, UUID id) {
        return sql.preparedQuery("select " + Rows.GENERATION_COLUMNS + OWNED + " and g.id = $2")
                .execute(Tuple.of(userId, id))
                .map(GenerationStore::first);
    }

    /** Locks the live generation row for a change; empty when absent or not the caller's. */
    public Uni<Optional<UUID>> lockOwned(SqlClient sql, UUID userId, UUID id) {
        return sql.preparedQuery("select g.id" + OWNED + " and g.id = $2 for update of g")
                .execute(Tuple.of(userId, id))
                .map(rows -> rows.size() == 0
                        ? Optional.<UUID>empty()
                        : Optional.of(rows.iterator().next().getUUID("id")));
    }

    public Uni<List<Generation>> byTask(UUID userId, UUID taskId) {
        return pool.preparedQuery("select " + Rows.GENERATION_COLUMNS + OWNED
                        + " and g.task_ids @> array[$2]::uuid[] order by g.created_at desc")
                .execute(Tuple.of(userId, taskId))
                .map(GenerationStore::all);
    }

    /** Filters of the project gallery; null = not filtered. */
    public record Filter(UUID shotId, String type, Boolean unpositioned) {}

    public Uni<Page<Generation>> page(UUID userId, UUID projectId, Filter filter, int page, int limit) {
        List<Object> params = new ArrayList<>(List.of(userId, projectId));
        StringBuilder where = new StringBuilder(OWNED).append(" and g.project_id = $2");
        if (filter.type() != null) {
            params.add(filter.type());
            where.append(" and g.type = $").append(params.size());
        }
        boolean unpositioned = Boolean.TRUE.equals(filter.unpositioned());
        if (filter.shotId() != null) {
            params.add(filter.shotId());
            where.append(" and exists (select 1 from shot_generations f where f.generation_id = g.id and f.shot_id = $")
                    .append(params.size())
                    .append(unpositioned ? " and f.position is null)" : ")");
        } else if (unpositioned) {
            where.append(
                    " and not exists (select 1 from shot_generations f where f.generation_id = g.id and f.position is not null)");
        }
        Tuple countArgs = Tuple.from(params);
        List<Object> pageParams = new ArrayList<>(params);
        pageParams.add(limit);
        pageParams.add((long) (page - 1) * limit);
        String items = "select " + Rows.GENERATION_COLUMNS + where + " order by g.created_at desc, g.id desc limit $"
                + (pageParams.size() - 1) + " offset $" + pageParams.size();
        return pool.preparedQuery("select count(*) as total" + where)
                .execute(countArgs)
                .flatMap(count -> pool.preparedQuery(items)
                        .execute(Tuple.from(pageParams))
                        .map(rows -> new Page<>(
                                all(rows), page, limit, count.iterator().next().getLong("total"))));
    }

    /** Marks the generation deleted (the row stays so its task never makes it again) and removes its shot links. */
    public Uni<Void> softDelete(SqlClient sql, UUID id) {
        return sql.preparedQuery("update generations set deleted_at = now(), updated_at = now() where id = $1")
                .execute(Tuple.of(id))
                .flatMap(ignored -> sql.preparedQuery("delete from shot_generations where generation_id = $1")
                        .execute(Tuple.of(id)))
                .replaceWithVoid();
    }

    public Uni<Void> touch(SqlClient sql, UUID id) {
        return sql.preparedQuery("update generations set updated_at = now() where id = $1")
                .execute(Tuple.of(id))
                .replaceWithVoid();
    }

    static Optional<Generation> first(io.vertx.mutiny.sqlclient.RowSet<Row> rows) {
        return rows.size() == 0
                ? Optional.empty()
                : Optional.of(Rows.generation(rows.iterator().next()));
    }

    static List<Generation> all(io.vertx.mutiny.sqlclient.RowSet<Row> rows) {
        List<Generation> list = new ArrayList<>(rows.size());
        for (Row row : rows) {
            list.add(Rows.generation(row));
        }
        return list;
    }
}
