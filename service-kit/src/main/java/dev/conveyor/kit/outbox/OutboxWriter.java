package dev.conveyor.kit.outbox;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import java.util.Arrays;
import java.util.List;

/**
 * Appends rows to the {@code outbox} table inside the caller's transaction (reactive client), in list order, in one
 * statement. The row's transaction id ({@code tx_id}) and time come from column defaults; {@link OutboxRelay}
 * publishes them after the commit.
 */
public final class OutboxWriter {

    /** One outbox row: payload null = tombstone. */
    public record Row(String topic, String key, String payload) {}

    private OutboxWriter() {}

    public static Uni<Void> insert(SqlClient conn, List<Row> rows) {
        if (rows.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        String[] topics = new String[rows.size()];
        String[] keys = new String[rows.size()];
        String[] payloads = new String[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            topics[i] = rows.get(i).topic();
            keys[i] = rows.get(i).key();
            payloads[i] = rows.get(i).payload();
        }
        return conn.preparedQuery(
                        "INSERT INTO outbox (topic, key, payload) "
                                + "SELECT topic, key, payload FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS r(topic, key, payload, n) ORDER BY n")
                .execute(Tuple.from(Arrays.asList((Object) topics, keys, payloads)))
                .replaceWithVoid();
    }
}
