package dev.conveyor.generation.store;

import dev.conveyor.contracts.EventEnvelope;
import dev.conveyor.contracts.Topics;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The transactional outbox: events are appended in the transaction of their change and relayed to Kafka later. */
@ApplicationScoped
public class OutboxStore {

    /** One unpublished row. */
    public record Pending(long id, String topic, String key, String payload) {
    }

    /** Appends events to {@code generation-events}, keyed by their project id, in the caller's transaction. */
    public Uni<Void> append(SqlClient sql, List<EventEnvelope> events) {
        if (events.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Tuple> batch = new ArrayList<>(events.size());
        for (EventEnvelope event : events) {
            batch.add(Tuple.of(Topics.GENERATION_EVENTS, String.valueOf(event.projectId()), event.id(), event.type(), event.toJson()));
        }
        return sql.preparedQuery("insert into outbox (topic, record_key, event_id, event_type, payload) values ($1, $2, $3, $4, $5)")
                .executeBatch(batch).replaceWithVoid();
    }

    /** Takes the relay lock for the current transaction; false when another relay (replica) holds it. */
    public Uni<Boolean> tryRelayLock(SqlClient sql, long lockKey) {
        return sql.preparedQuery("select pg_try_advisory_xact_lock($1) as locked").execute(Tuple.of(lockKey))
                .map(rows -> rows.iterator().next().getBoolean("locked"));
    }

    public Uni<List<Pending>> unpublished(SqlClient sql, int limit) {
        return sql.preparedQuery("select id, topic, record_key, payload from outbox where published_at is null order by id limit $1")
                .execute(Tuple.of(limit))
                .map(rows -> {
                    List<Pending> list = new ArrayList<>(rows.size());
                    for (Row row : rows) {
                        list.add(new Pending(row.getLong("id"), row.getString("topic"), row.getString("record_key"), row.getString("payload")));
                    }
                    return list;
                });
    }

    public Uni<Void> markPublished(SqlClient sql, List<Long> ids) {
        return sql.preparedQuery("update outbox set published_at = now() where id = any($1)")
                .execute(Tuple.of(ids.toArray(new Long[0]))).replaceWithVoid();
    }

    public Uni<Integer> deletePublishedBefore(SqlClient sql, Duration age) {
        return sql.preparedQuery("delete from outbox where published_at < now() - make_interval(secs => $1)")
                .execute(Tuple.of((double) age.toSeconds())).map(rows -> rows.rowCount());
    }
}
