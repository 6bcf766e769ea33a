package dev.conveyor.kit.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.conveyor.devstack.Devstack;
import dev.conveyor.devstack.Postgres;
import dev.conveyor.kit.sql.PipelinedTransaction.Ending;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.PoolOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link PipelinedTransaction} on a real PostgreSQL. Transactions run through a pool of ONE connection, read through
 * another: what the first shows is committed, and the transactions' connection must be back idle (not inside an open or
 * aborted transaction) when the answer comes.
 */
class PipelinedTransactionTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static Postgres postgres;
    private static Vertx vertx;
    private static Pool pool;
    private static Pool observer;

    @BeforeAll
    static void start() throws Exception {
        Path dir = Files.createTempDirectory("pipelined-tx");
        postgres = Postgres.start(0, dir.resolve("data"), Devstack.pgBinariesDir(), false);
        postgres.createDatabase("kit_tx");
        vertx = Vertx.vertx();
        pool = onePool("transactions");
        observer = onePool("observer");
        observer.query("CREATE TABLE items (id int PRIMARY KEY, tx xid8 NOT NULL DEFAULT pg_current_xact_id())")
                .execute()
                .await()
                .atMost(WAIT);
    }

    @AfterAll
    static void stop() throws Exception {
        pool.close().await().atMost(WAIT);
        observer.close().await().atMost(WAIT);
        vertx.close().toCompletionStage().toCompletableFuture().join();
        postgres.close();
    }

    @BeforeEach
    void empty() {
        observer.query("TRUNCATE items").execute().await().atMost(WAIT);
    }

    @AfterEach
    void theTransactionsConnectionIsIdle() {
        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(
                                text("SELECT state FROM pg_stat_activity WHERE application_name = " + "'transactions'"))
                        .isEqualTo("idle"));
    }

    @Test
    void theWorkAndItsLastStatementCommitInOneTransaction() {
        String answer = PipelinedTransaction.<String>runEnding(
                        pool,
                        c -> insert(c, 1)
                                .chain(() -> insert(c, 2))
                                .map(v -> Ending.then("done", last -> insert(last, 3))))
                .await()
                .atMost(WAIT);

        assertThat(answer).isEqualTo("done");
        assertThat(ids()).containsExactly(1, 2, 3);
        assertThat(count("SELECT count(DISTINCT tx) FROM items"))
                .as("one transaction")
                .isEqualTo(1);
    }

    @Test
    void aFailedLastStatementRollsBackEverythingAndLeavesTheConnectionClean() {
        Uni<String> tx = PipelinedTransaction.runEnding(
                pool, c -> insert(c, 1).map(v -> Ending.then("never", last -> insert(last, 1))));

        assertThatThrownBy(() -> tx.await().atMost(WAIT))
                .isInstanceOf(PgException.class)
                .satisfies(e -> assertThat(((PgException) e).getSqlState()).isEqualTo("23505"));
        assertThat(ids()).isEmpty();
        // The pool's one connection is usable at once: not left inside the aborted transaction.
        assertThat(PipelinedTransaction.run(pool, c -> insert(c, 2)).await().atMost(WAIT))
                .isNull();
        assertThat(ids()).containsExactly(2);
    }

    @Test
    void aFailingWorkIsRolledBackBeforeItsFailureIsAnswered() {
        Uni<Integer> tx = PipelinedTransaction.run(
                pool,
                c -> insert(c, 7).map(v -> {
                    throw new IllegalStateException("the work gave up");
                }));

        assertThatThrownBy(() -> tx.await().atMost(WAIT)).hasMessage("the work gave up");
        assertThat(ids()).isEmpty();
    }

    @Test
    void aFailedStatementInTheMiddleFailsTheTransaction() {
        Uni<Void> tx = PipelinedTransaction.run(
                pool,
                c -> insert(c, 1)
                        .chain(() -> c.query("SELECT no_such_column FROM items").execute())
                        .chain(() -> insert(c, 2)));

        assertThatThrownBy(() -> tx.await().atMost(WAIT))
                .isInstanceOf(PgException.class)
                .satisfies(e -> assertThat(((PgException) e).getSqlState()).isEqualTo("42703"));
        assertThat(ids()).isEmpty();
    }

    @Test
    void aWorkWithoutLastStatementCommitsAlone() {
        int answer = PipelinedTransaction.run(pool, c -> insert(c, 4).replaceWith(4))
                .await()
                .atMost(WAIT);

        assertThat(answer).isEqualTo(4);
        assertThat(ids()).containsExactly(4);
    }

    @Test
    void aCancelledCallerDoesNotStopTheTransactionHalfway() {
        Cancellable subscription = PipelinedTransaction.runEnding(
                        pool, c -> insert(c, 5).map(v -> Ending.then(5, last -> insert(last, 6))))
                .subscribe()
                .with(ignored -> {}, ignored -> {});
        subscription.cancel();

        // It runs to its commit all the same (and @AfterEach sees its connection idle).
        await().atMost(WAIT).untilAsserted(() -> assertThat(ids()).containsExactly(5, 6));
    }

    private static Uni<Void> insert(SqlConnection c, int id) {
        return c.preparedQuery("INSERT INTO items (id) VALUES ($1)")
                .execute(Tuple.of(id))
                .replaceWithVoid();
    }

    private static Pool onePool(String applicationName) {
        return Pool.newInstance(PgBuilder.pool()
                .connectingTo(PgConnectOptions.fromUri(postgres.reactiveUrl("kit_tx"))
                        .setUser(Postgres.USER)
                        .setPassword(Postgres.PASSWORD)
                        .addProperty("application_name", applicationName))
                .with(new PoolOptions().setMaxSize(1))
                .using(vertx)
                .build());
    }

    private static List<Integer> ids() {
        return observer.query("SELECT id FROM items ORDER BY id").execute().await().atMost(WAIT).stream()
                .map(r -> r.getInteger(0))
                .toList();
    }

    private static long count(String sql) {
        return observer.query(sql)
                .execute()
                .await()
                .atMost(WAIT)
                .iterator()
                .next()
                .getLong(0);
    }

    private static String text(String sql) {
        var rows = observer.query(sql).execute().await().atMost(WAIT);
        return rows.size() == 0 ? null : rows.iterator().next().getString(0);
    }
}
