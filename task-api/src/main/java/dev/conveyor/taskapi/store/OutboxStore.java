package dev.conveyor.taskapi.store;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;

/** Writes events into the outbox, inside the caller's transaction. */
@ApplicationScoped
public class OutboxStore {

    /** One outbox row: payload null = tombstone. */
    public record Record(String topic, String key, String payload) {
    }

    public Uni<Void> insert(SqlClient conn, List<Record> records) {
        if (records.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        String[] topics = new String[records.size()];
        String[] keys = new String[records.size()];
        String[] payloads = new String[records.size()];
        for (int i = 0; i < records.size(); i++) {
            topics[i] = records.get(i).topic();
            keys[i] = records.get(i).key();
            payloads[i] = records.get(i).payload();
        }
        return conn.preparedQuery("INSERT INTO outbox (topic, key, payload) "
                        + "SELECT topic, key, payload FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS r(topic, key, payload, n) ORDER BY n")
                .execute(Sql.args(topics, keys, payloads)).replaceWithVoid();
    }
}
