package dev.conveyor.taskapi.store;

import dev.conveyor.taskapi.domain.Dtos.Account;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.UUID;

/** Accounts and the credit ledger. The table's CHECK constraints keep balance and held from going negative. */
@ApplicationScoped
public class AccountStore {

    private static Account first(UUID userId, RowSet<Row> rows) {
        var it = rows.iterator();
        if (!it.hasNext()) {
            return null;
        }
        Row r = it.next();
        long balance = r.getLong("balance");
        long held = r.getLong("held");
        return new Account(userId, balance, held, balance - held);
    }

    public Uni<Account> find(SqlClient c, UUID userId) {
        return c.preparedQuery("SELECT balance, held FROM accounts WHERE user_id = $1").execute(Sql.args(userId))
                .map(rows -> first(userId, rows));
    }

    /** Adds credits, creating the account when missing. */
    public Uni<Account> grant(SqlClient c, UUID userId, long amount) {
        return c.preparedQuery("INSERT INTO accounts (user_id, balance) VALUES ($1, $2) ON CONFLICT (user_id) "
                        + "DO UPDATE SET balance = accounts.balance + excluded.balance, updated_at = now() RETURNING balance, held")
                .execute(Sql.args(userId, amount)).map(rows -> first(userId, rows));
    }

    /** Holds {@code amount} if available; null when the account lacks it. */
    public Uni<Account> hold(SqlClient c, UUID userId, long amount) {
        return c.preparedQuery("UPDATE accounts SET held = held + $2, updated_at = now() WHERE user_id = $1 AND balance - held >= $2 "
                        + "RETURNING balance, held")
                .execute(Sql.args(userId, amount)).map(rows -> first(userId, rows));
    }

    /** Spends a held amount: balance and held both drop. */
    public Uni<Account> capture(SqlClient c, UUID userId, long amount) {
        return c.preparedQuery("UPDATE accounts SET balance = balance - $2, held = held - $2, updated_at = now() WHERE user_id = $1 "
                        + "RETURNING balance, held")
                .execute(Sql.args(userId, amount)).map(rows -> first(userId, rows));
    }

    /** Gives a held amount back. */
    public Uni<Account> release(SqlClient c, UUID userId, long amount) {
        return c.preparedQuery("UPDATE accounts SET held = held - $2, updated_at = now() WHERE user_id = $1 RETURNING balance, held")
                .execute(Sql.args(userId, amount)).map(rows -> first(userId, rows));
    }

    public Uni<Void> ledger(SqlClient c, UUID userId, String kind, long amount, UUID taskId, String reason) {
        return c.preparedQuery("INSERT INTO credit_ledger (user_id, kind, amount, task_id, reason) VALUES ($1, $2, $3, $4, $5)")
                .execute(Sql.args(userId, kind, amount, taskId, reason)).replaceWithVoid();
    }
}
