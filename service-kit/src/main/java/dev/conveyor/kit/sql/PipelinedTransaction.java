package dev.conveyor.kit.sql;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import java.util.function.Function;

/**
 * A transaction on the reactive pool in two round trips where {@code Pool.withTransaction} takes four: {@code BEGIN}
 * goes out together with the work's first statement, and the work's last statement ({@link Ending#then}) together with
 * {@code COMMIT}.
 *
 * <p>Vert.x's own transaction sends each command only after the previous one answered (BEGIN, wait, first statement,
 * wait, ..., COMMIT, wait). PostgreSQL does not need that: statements on one connection run in the order sent, and the
 * pool's connections pipeline. Each round trip saved is a wake-up of the PostgreSQL backend and of the event loop, and
 * on the worker protocol's claim it is latency on the path from create to handler start.
 *
 * <p>Failure rules, as with {@code withTransaction}: a failed statement fails the transaction — the work must not
 * recover from a statement's failure inside it (PostgreSQL aborts the transaction at the first error; a later
 * {@code COMMIT} would quietly roll back). When the work fails, ROLLBACK is sent before the failure is answered. When
 * the last statement fails, PostgreSQL turns the {@code COMMIT} sent behind it into a rollback, and the last
 * statement's failure is answered. The connection goes back to the pool only after the transaction ended, whatever
 * happens to the caller's subscription (the sequence runs on Vert.x futures, which a cancelled {@link Uni} does not
 * stop halfway).
 */
public final class PipelinedTransaction {

    private PipelinedTransaction() {}

    /**
     * What the work answers: its result and, optionally, the statement sent together with {@code COMMIT}.
     *
     * @param lastStatement sends exactly one statement when subscribed (no chained statements: {@code COMMIT} is queued
     *     right behind it), or null
     */
    public record Ending<T>(T result, Function<SqlConnection, Uni<?>> lastStatement) {

        /** No statement left: COMMIT alone. */
        public static <T> Ending<T> of(T result) {
            return new Ending<>(result, null);
        }

        /** {@code lastStatement} goes out together with COMMIT; the transaction answers {@code result} once both did. */
        public static <T> Ending<T> then(T result, Function<SqlConnection, Uni<?>> lastStatement) {
            return new Ending<>(result, lastStatement);
        }
    }

    /** Runs {@code work} in a transaction whose BEGIN travels with the first statement; COMMIT after the work. */
    public static <T> Uni<T> run(Pool pool, Function<SqlConnection, Uni<T>> work) {
        return runEnding(pool, c -> work.apply(c).map(Ending::of));
    }

    /** Runs {@code work} in a transaction: BEGIN with the first statement, the ending's last statement with COMMIT. */
    public static <T> Uni<T> runEnding(Pool pool, Function<SqlConnection, Uni<Ending<T>>> work) {
        return Uni.createFrom()
                .emitter(emitter -> pool.getDelegate()
                        .getConnection()
                        .compose(conn -> inTransaction(conn, work).eventually(v -> conn.close()))
                        .onComplete(ar -> {
                            if (ar.succeeded()) {
                                emitter.complete(ar.result());
                            } else {
                                emitter.fail(ar.cause());
                            }
                        }));
    }

    private static <T> Future<T> inTransaction(
            io.vertx.sqlclient.SqlConnection conn, Function<SqlConnection, Uni<Ending<T>>> work) {
        SqlConnection connection = SqlConnection.newInstance(conn);
        // Queued now, ahead of whatever the work sends first; its answer is read with the work's.
        Future<RowSet<Row>> begin = conn.query("BEGIN").execute();
        Future<Ending<T>> body = start(work, connection);
        return Future.all(begin, body)
                .compose(
                        done -> finish(conn, connection, body.result()),
                        failure -> conn.query("ROLLBACK")
                                .execute()
                                .transform(rolledBack -> Future.<T>failedFuture(failure)));
    }

    private static <T> Future<T> finish(
            io.vertx.sqlclient.SqlConnection conn, SqlConnection connection, Ending<T> ending) {
        if (ending.lastStatement() == null) {
            return conn.query("COMMIT").execute().map(ending.result());
        }
        Future<Object> last = start(ending.lastStatement(), connection);
        // Queued right behind the last statement: if that one fails, PostgreSQL ends the transaction with a rollback.
        Future<RowSet<Row>> commit = conn.query("COMMIT").execute();
        return Future.all(last, commit).map(ending.result());
    }

    private static <T> Future<T> start(
            Function<SqlConnection, ? extends Uni<? extends T>> work, SqlConnection connection) {
        try {
            return future(work.apply(connection));
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
    }

    private static <T> Future<T> future(Uni<? extends T> uni) {
        Promise<T> promise = Promise.promise();
        uni.subscribe().with(promise::complete, promise::fail);
        return promise.future();
    }
}
