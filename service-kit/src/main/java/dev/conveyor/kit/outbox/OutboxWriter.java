package dev.conveyor.kit.outbox;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Appends rows to the {@code outbox} table inside the caller's transaction (reactive client), in list order, in one
 * statement, after the changes they describe (their ids, drawn here, order them: see {@link OutboxPass}). The row's
 * time comes from a column default; {@link OutboxRelay} publishes them after the commit, with the row's headers as
 * Kafka record headers.
 */
public final class OutboxWriter {

    /**
     * One outbox row: payload null = tombstone; {@code headers} become the record's Kafka headers (see
     * {@code EventHeaders}: what consumers filter on without parsing the payload), none when empty.
     */
    public record Row(String topic, String key, String payload, Map<String, String> headers) {
        public Row {
            headers = headers == null ? Map.of() : headers;
        }

        /** A row without headers. */
        public Row(String topic, String key, String payload) {
            this(topic, key, payload, Map.of());
        }
    }

    private OutboxWriter() {}

    public static Uni<Void> insert(SqlClient conn, List<Row> rows) {
        if (rows.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        String[] topics = new String[rows.size()];
        String[] keys = new String[rows.size()];
        String[] payloads = new String[rows.size()];
        String[] headers = new String[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            topics[i] = rows.get(i).topic();
            keys[i] = rows.get(i).key();
            payloads[i] = rows.get(i).payload();
            headers[i] = OutboxHeaders.toColumn(rows.get(i).headers());
        }
        return conn.preparedQuery("INSERT INTO outbox (topic, key, payload, headers) "
                        + "SELECT topic, key, payload, headers::jsonb FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) "
                        + "WITH ORDINALITY AS r(topic, key, payload, headers, n) ORDER BY n")
                .execute(Tuple.from(Arrays.asList((Object) topics, keys, payloads, headers)))
                .replaceWithVoid();
    }
}
