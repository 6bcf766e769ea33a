package dev.conveyor.taskapi.store;

import dev.conveyor.kit.sql.Pipelined;
import dev.conveyor.taskapi.domain.Account;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.HashMap;
import java.util.Map;
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
        return c.preparedQuery("SELECT balance, held FROM accounts WHERE user_id = $1")
                .execute(Sql.args(userId))
                .map(rows -> first(userId, rows));
    }

    /** Adds credits, creating the account when missing. */
    public Uni<Account> grant(SqlClient c, UUID userId, long amount) {
        return c.preparedQuery(
                        "INSERT INTO accounts (user_id, balance) VALUES ($1, $2) ON CONFLICT (user_id) "
                                + "DO UPDATE SET balance = accounts.balance + excluded.balance, updated_at = now() RETURNING balance, held")
                .execute(Sql.args(userId, amount))
                .map(rows -> first(userId, rows));
    }

    /**
     * Holds {@code amount} for a task if available and writes its ledger row, in one statement (one round trip of the
     * create path instead of two); null when the account lacks it (then no ledger row is written either).
     */
    public Uni<Account> holdForTask(SqlClient c, UUID userId, long amount, UUID taskId) {
        return c.preparedQuery("WITH held AS (UPDATE accounts SET held = held + $2, updated_at = now() "
                        + "WHERE user_id = $1 AND balance - held >= $2 RETURNING balance, held), "
                        + "entry AS (INSERT INTO credit_ledger (user_id, kind, amount, task_id) "
                        + "SELECT $1, 'hold', $2, $3 FROM held) "
                        + "SELECT balance, held FROM held")
                .execute(Sql.args(userId, amount, taskId))
                .map(rows -> first(userId, rows));
    }

    /**
     * Holds the sum of several tasks' costs if available, with one ledger row per task in the order given, in one
     * statement (a batch create's credit check on its total); null when the account lacks the total (then no ledger row
     * is written either). Every amount must be positive (the ledger's CHECK).
     */
    public Uni<Account> holdForTasks(SqlClient c, UUID userId, long total, Long[] amounts, UUID[] taskIds) {
        return c.preparedQuery("WITH held AS (UPDATE accounts SET held = held + $2, updated_at = now() "
                        + "WHERE user_id = $1 AND balance - held >= $2 RETURNING balance, held), "
                        + "entry AS (INSERT INTO credit_ledger (user_id, kind, amount, task_id) "
                        + "SELECT $1, 'hold', r.amount, r.task_id FROM held, unnest($3::bigint[], $4::uuid[]) "
                        + "WITH ORDINALITY AS r(amount, task_id, n) ORDER BY r.n) "
                        + "SELECT balance, held FROM held")
                .execute(Sql.args(userId, total, amounts, taskIds))
                .map(rows -> first(userId, rows));
    }

    /** Gives a held amount back. */
    public Uni<Account> release(SqlClient c, UUID userId, long amount) {
        return c.preparedQuery(
                        "UPDATE accounts SET held = held - $2, updated_at = now() WHERE user_id = $1 RETURNING balance, held")
                .execute(Sql.args(userId, amount))
                .map(rows -> first(userId, rows));
    }

    public Uni<Void> ledger(SqlClient c, UUID userId, String kind, long amount, UUID taskId, String reason) {
        return c.preparedQuery(
                        "INSERT INTO credit_ledger (user_id, kind, amount, task_id, reason) VALUES ($1, $2, $3, $4, $5)")
                .execute(Sql.args(userId, kind, amount, taskId, reason))
                .replaceWithVoid();
    }

    /**
     * Spends held amounts of several users in one statement (one row update per user); answers each user's account
     * after it. With more than one user the rows are locked in user id order first, so two batches cannot deadlock.
     * Subscribe once: both statements are sent at subscription.
     */
    public Uni<Map<UUID, Account>> captureAll(SqlClient c, UUID[] userIds, Long[] amounts) {
        Uni<Map<UUID, Account>> captured = c.preparedQuery(
                        "UPDATE accounts a SET balance = a.balance - b.amount, held = a.held - b.amount, "
                                + "updated_at = now() FROM unnest($1::uuid[], $2::bigint[]) AS b(user_id, amount) WHERE a.user_id = b.user_id "
                                + "RETURNING a.user_id, a.balance, a.held")
                .execute(Sql.args(userIds, amounts))
                .map(rows -> {
                    Map<UUID, Account> after = new HashMap<>();
                    for (Row r : rows) {
                        long balance = r.getLong("balance");
                        long held = r.getLong("held");
                        after.put(
                                r.getUUID("user_id"), new Account(r.getUUID("user_id"), balance, held, balance - held));
                    }
                    return after;
                });
        if (userIds.length < 2) {
            return captured;
        }
        // The update goes out right behind the lock (Pipelined): the rows are locked in id order before the update
        // touches any, in one round trip.
        Uni<RowSet<Row>> locked = c.preparedQuery(
                        "SELECT user_id FROM accounts WHERE user_id = ANY($1) ORDER BY user_id FOR UPDATE")
                .execute(Sql.args((Object) userIds));
        return Pipelined.answerSecond(locked, captured);
    }

    /** Several ledger rows of one kind in one insert, in the order given. */
    public Uni<Void> ledgerAll(SqlClient c, String kind, UUID[] userIds, Long[] amounts, UUID[] taskIds) {
        return c.preparedQuery(
                        "INSERT INTO credit_ledger (user_id, kind, amount, task_id) SELECT user_id, $1, amount, task_id "
                                + "FROM unnest($2::uuid[], $3::bigint[], $4::uuid[]) WITH ORDINALITY AS r(user_id, amount, task_id, n) ORDER BY n")
                .execute(Sql.args(kind, userIds, amounts, taskIds))
                .replaceWithVoid();
    }
}
