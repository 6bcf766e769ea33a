package dev.conveyor.taskapi.store;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/** The per-user task-processing lease. */
@ApplicationScoped
public class LeadStore {

    /** The outcome of take_lead: who holds the lease now, until when, and who held it before (null = nobody). */
    public record Outcome(boolean leader, String holder, Instant expiresAt, String previousHolder) {}

    /** Ends the lease if {@code clientId} holds it (live or expired); true when it did. */
    public Uni<Boolean> release(SqlClient c, UUID userId, String clientId) {
        return c.preparedQuery("DELETE FROM task_leads WHERE user_id = $1 AND client_id = $2")
                .execute(Sql.args(userId, clientId))
                .map(rows -> rows.rowCount() > 0);
    }

    /**
     * One statement for the four cases: no row -> insert; same client -> extend; other client whose lease expired ->
     * take over; other client with a live lease -> unchanged (no row returned, then the holder is read).
     */
    public Uni<Outcome> takeLead(SqlClient c, UUID userId, String clientId, Duration lease) {
        return c.preparedQuery("WITH old AS (SELECT client_id FROM task_leads WHERE user_id = $1) "
                        + "INSERT INTO task_leads (user_id, client_id, expires_at) VALUES ($1, $2, now() + $3 * interval '1 millisecond') "
                        + "ON CONFLICT (user_id) DO UPDATE SET client_id = excluded.client_id, expires_at = excluded.expires_at "
                        + "WHERE task_leads.client_id = excluded.client_id OR task_leads.expires_at < now() "
                        + "RETURNING client_id, expires_at, (SELECT client_id FROM old) AS previous")
                .execute(Sql.args(userId, clientId, lease.toMillis()))
                .chain(rows -> {
                    if (rows.size() > 0) {
                        Row r = rows.iterator().next();
                        return Uni.createFrom()
                                .item(new Outcome(
                                        true,
                                        r.getString("client_id"),
                                        Sql.instant(r, "expires_at"),
                                        r.getString("previous")));
                    }
                    return c.preparedQuery("SELECT client_id, expires_at FROM task_leads WHERE user_id = $1")
                            .execute(Sql.args(userId))
                            .map(held -> {
                                Row r = held.iterator().next();
                                return new Outcome(
                                        false,
                                        r.getString("client_id"),
                                        Sql.instant(r, "expires_at"),
                                        r.getString("client_id"));
                            });
                });
    }
}
