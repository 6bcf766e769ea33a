package dev.conveyor.generation.store;

import dev.conveyor.contracts.EventEnvelope;
import dev.conveyor.contracts.Topics;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.List;

/** The transactional outbox: events are appended in the transaction of their change; service-kit's relay publishes them. */
@ApplicationScoped
public class OutboxStore {

    /** Appends events to {@code generation-events}, keyed by their project id, in the caller's transaction. */
    public Uni<Void> append(SqlClient sql, List<EventEnvelope> events) {
        if (events.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Tuple> batch = new ArrayList<>(events.size());
        for (EventEnvelope event : events) {
            batch.add(Tuple.of(Topics.GENERATION_EVENTS, String.valueOf(event.projectId()), event.toJson()));
        }
        return sql.preparedQuery("insert into outbox (topic, key, payload) values ($1, $2, $3)").executeBatch(batch).replaceWithVoid();
    }
}
