package dev.conveyor.generation.store;

import dev.conveyor.contracts.EventEnvelope;
import dev.conveyor.contracts.EventHeaders;
import dev.conveyor.contracts.Topics;
import dev.conveyor.kit.outbox.OutboxWriter;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;

/** The transactional outbox: events are appended in the transaction of their change (service-kit's writer); its relay publishes them. */
@ApplicationScoped
public class OutboxStore {

    /**
     * Appends events to {@code generation-events}, keyed by their project id, with their type as a header
     * ({@link EventHeaders#TYPE}), in the caller's transaction.
     */
    public Uni<Void> append(SqlClient sql, List<EventEnvelope> events) {
        if (events.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<OutboxWriter.Row> rows = new ArrayList<>(events.size());
        for (EventEnvelope event : events) {
            rows.add(new OutboxWriter.Row(
                    Topics.GENERATION_EVENTS,
                    String.valueOf(event.projectId()),
                    event.toJson(),
                    EventHeaders.of(event.type())));
        }
        return OutboxWriter.insert(sql, rows);
    }
}
