package dev.conveyor.taskapi.store;

import dev.conveyor.kit.outbox.OutboxWriter;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Map;

/** Writes events into the outbox, inside the caller's transaction (service-kit's {@link OutboxWriter}). */
@ApplicationScoped
public class OutboxStore {

    /** One outbox row: payload null = tombstone; {@code headers} become the Kafka record's (EventHeaders). */
    public record Record(String topic, String key, String payload, Map<String, String> headers) {
        /** A row without headers (a tombstone). */
        public Record(String topic, String key, String payload) {
            this(topic, key, payload, Map.of());
        }
    }

    public Uni<Void> insert(SqlClient conn, List<Record> records) {
        return OutboxWriter.insert(
                conn,
                records.stream()
                        .map(r -> new OutboxWriter.Row(r.topic(), r.key(), r.payload(), r.headers()))
                        .toList());
    }
}
