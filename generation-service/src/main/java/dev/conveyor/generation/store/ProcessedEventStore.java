package dev.conveyor.generation.store;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Arrays;
import java.util.UUID;

/** The processed-event log: one row per consumed event id, written in the transaction of its effect. */
@ApplicationScoped
public class ProcessedEventStore {

    /**
     * Claims the event id; false when it was processed before. A concurrent claim of the same id waits for the first
     * transaction and then answers false, so two consumers never both act on one event.
     */
    public Uni<Boolean> claim(
            SqlClient sql, UUID eventId, String topic, int partition, long offset, String eventType, UUID taskId) {
        return sql.preparedQuery("""
                        insert into processed_events (event_id, topic, kafka_partition, kafka_offset, event_type, task_id, outcome)
                        values ($1, $2, $3, $4, $5, $6, 'pending') on conflict (event_id) do nothing""")
                .execute(Tuple.from(Arrays.asList(eventId, topic, partition, offset, eventType, taskId)))
                .map(rows -> rows.rowCount() == 1);
    }

    public Uni<Void> record(SqlClient sql, UUID eventId, String outcome, UUID generationId, String detail) {
        return sql.preparedQuery(
                        "update processed_events set outcome = $2, generation_id = $3, detail = $4 where event_id = $1")
                .execute(Tuple.from(Arrays.asList(eventId, outcome, generationId, detail)))
                .replaceWithVoid();
    }
}
