package dev.conveyor.kit.sql;

import dev.conveyor.devstack.Devstack;
import dev.conveyor.devstack.Postgres;
import dev.conveyor.kit.sql.PipelinedTransaction.Ending;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.PoolOptions;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Benchmark, not a test (tag "bench", excluded from the build): a claim-shaped transaction — UPDATE ... RETURNING one
 * queued row, INSERT its event, COMMIT — run with Vert.x's {@code Pool.withTransaction} (4 round trips) and with
 * {@link PipelinedTransaction} (2), alternating in the same JVM against the same PostgreSQL with production durability
 * (fsync and synchronous_commit on), so both meet the same machine. Sequential transactions give the latency; 8
 * concurrent streams the rate and the CPU per transaction of this JVM and of every PostgreSQL process (/proc).
 *
 * <p>{@code ./mvnw -B -o verify -pl service-kit -am -Dtest=PipelinedTransactionBench -Dbench.excluded=none
 * -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=none}; the table goes to stdout and
 * {@code service-kit/target/bench-pipelined-transaction.md}.
 */
@Tag("bench")
class PipelinedTransactionBench {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int ROUNDS = 5;
    private static final int SEQUENTIAL = 1_000;
    private static final int STREAMS = 8;
    private static final int CONCURRENT = 4_000;

    record Mode(String name, Function<Pool, Uni<Long>> claim) {}

    private static final String PICK =
            "WITH picked AS (SELECT id FROM tasks WHERE status = 'queued' ORDER BY id LIMIT 1 "
                    + "FOR UPDATE SKIP LOCKED) UPDATE tasks t SET status = 'claimed', claimed_at = now() FROM picked "
                    + "WHERE t.id = picked.id RETURNING t.id, t.payload";
    private static final String EVENT = "INSERT INTO outbox (topic, payload) VALUES ('task-events', $1)";

    @Test
    void run() throws Exception {
        Path dir = Files.createTempDirectory("pipelined-tx-bench");
        try (Postgres postgres = Postgres.start(
                0, dir.resolve("data"), Devstack.pgBinariesDir(), false, Postgres.Durability.PRODUCTION)) {
            postgres.createDatabase("kit_bench");
            long postmaster =
                    Long.parseLong(Files.readAllLines(dir.resolve("data").resolve("postmaster.pid"))
                            .get(0)
                            .trim());
            Vertx vertx = Vertx.vertx();
            Pool pool = Pool.newInstance(PgBuilder.pool()
                    .connectingTo(PgConnectOptions.fromUri(postgres.reactiveUrl("kit_bench"))
                            .setUser(Postgres.USER)
                            .setPassword(Postgres.PASSWORD))
                    .with(new PoolOptions().setMaxSize(STREAMS))
                    .using(vertx)
                    .build());
            try {
                measure(pool, postmaster);
            } finally {
                pool.close().await().atMost(WAIT);
                vertx.close().toCompletionStage().toCompletableFuture().join();
            }
        }
    }

    private void measure(Pool pool, long postmaster) throws Exception {
        int total = (ROUNDS + 1) * 2 * (SEQUENTIAL + CONCURRENT);
        pool.query("CREATE TABLE tasks (id bigserial PRIMARY KEY, status text NOT NULL, claimed_at timestamptz, "
                        + "payload text NOT NULL)")
                .execute()
                .await()
                .atMost(WAIT);
        pool.query("CREATE INDEX tasks_queued ON tasks (id) WHERE status = 'queued'")
                .execute()
                .await()
                .atMost(WAIT);
        pool.query("CREATE TABLE outbox (id bigserial PRIMARY KEY, tx_id xid8 NOT NULL DEFAULT pg_current_xact_id(), "
                        + "topic text NOT NULL, payload text NOT NULL)")
                .execute()
                .await()
                .atMost(WAIT);
        pool.query("INSERT INTO tasks (status, payload) SELECT 'queued', repeat('x', 600) FROM generate_series(1, "
                        + total + ")")
                .execute()
                .await()
                .atMost(WAIT);

        List<Mode> modes = List.of(
                new Mode(
                        "Pool.withTransaction (BEGIN, UPDATE, INSERT, COMMIT: 4 round trips)",
                        p -> p.withTransaction(
                                c -> pick(c).chain(task -> event(c, task).replaceWith(task)))),
                new Mode(
                        "PipelinedTransaction (BEGIN+UPDATE, INSERT+COMMIT: 2 round trips)",
                        p -> PipelinedTransaction.runEnding(
                                p, c -> pick(c).map(task -> Ending.then(task, last -> event(last, task))))));
        List<List<Long>> latencies = List.of(new ArrayList<>(), new ArrayList<>());
        List<double[]> concurrent = List.of(new double[ROUNDS], new double[ROUNDS]);
        List<double[]> jvmCpu = List.of(new double[ROUNDS], new double[ROUNDS]);
        List<double[]> pgCpu = List.of(new double[ROUNDS], new double[ROUNDS]);
        for (int round = -1; round < ROUNDS; round++) {
            for (int k = 0; k < 2; k++) {
                int m = (round + k + 2) % 2; // alternate which mode goes first
                Mode mode = modes.get(m);
                List<Long> lat = sequential(pool, mode);
                long jvm0 = jvmCpuNanos();
                long pg0 = postgresCpuTicks(postmaster);
                long t0 = System.nanoTime();
                concurrently(pool, mode);
                long wall = System.nanoTime() - t0;
                long jvm = jvmCpuNanos() - jvm0;
                long pg = postgresCpuTicks(postmaster) - pg0;
                if (round >= 0) { // round -1 is the warm-up
                    latencies.get(m).addAll(lat);
                    concurrent.get(m)[round] = CONCURRENT / (wall / 1e9);
                    jvmCpu.get(m)[round] = jvm / 1e3 / CONCURRENT;
                    pgCpu.get(m)[round] = pg * (1e6 / 100) / CONCURRENT; // USER_HZ = 100
                }
            }
        }
        StringBuilder out = new StringBuilder(String.format(
                Locale.ROOT,
                "load average %s; %d rounds, each mode alternately: %d sequential transactions, then %d over %d"
                        + " streams%n%n| transaction | sequential p50 / p99 ms | %d streams: tx/s (median) |"
                        + " CPU µs per tx: this JVM / PostgreSQL (median) |%n|---|---|---|---|%n",
                Files.readString(Path.of("/proc/loadavg")).trim(),
                ROUNDS,
                SEQUENTIAL,
                CONCURRENT,
                STREAMS,
                STREAMS));
        for (int m = 0; m < 2; m++) {
            List<Long> sorted = new ArrayList<>(latencies.get(m));
            Collections.sort(sorted);
            out.append(String.format(
                    Locale.ROOT,
                    "| %s | %.2f / %.2f | %.0f | %.0f / %.0f |%n",
                    modes.get(m).name(),
                    sorted.get(sorted.size() / 2) / 1e6,
                    sorted.get((int) (sorted.size() * 0.99)) / 1e6,
                    median(concurrent.get(m)),
                    median(jvmCpu.get(m)),
                    median(pgCpu.get(m))));
        }
        System.out.println(out);
        Files.writeString(Path.of("target", "bench-pipelined-transaction.md"), out);
    }

    private static Uni<Long> pick(SqlClient c) {
        return c.query(PICK).execute().map(rows -> rows.iterator().next().getLong(0));
    }

    private static Uni<Void> event(SqlClient c, long task) {
        return c.preparedQuery(EVENT)
                .execute(Tuple.of("{\"type\":\"task.claimed\",\"taskId\":" + task + "}"))
                .replaceWithVoid();
    }

    private static List<Long> sequential(Pool pool, Mode mode) {
        List<Long> nanos = new ArrayList<>(SEQUENTIAL);
        for (int i = 0; i < SEQUENTIAL; i++) {
            long t0 = System.nanoTime();
            mode.claim().apply(pool).await().atMost(WAIT);
            nanos.add(System.nanoTime() - t0);
        }
        return nanos;
    }

    private static void concurrently(Pool pool, Mode mode) throws Exception {
        ExecutorService streams = Executors.newFixedThreadPool(STREAMS);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int s = 0; s < STREAMS; s++) {
                done.add(streams.submit(() -> {
                    for (int i = 0; i < CONCURRENT / STREAMS; i++) {
                        mode.claim().apply(pool).await().atMost(WAIT);
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            streams.shutdown();
        }
    }

    private static long jvmCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** utime + stime (clock ticks) of the postmaster and its children: backends, WAL writer, checkpointer. */
    private static long postgresCpuTicks(long postmaster) throws IOException {
        long ticks = 0;
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+"))
                    .toList()) {
                try {
                    String stat = Files.readString(p.resolve("stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    long pid = Long.parseLong(p.getFileName().toString());
                    if (pid == postmaster || Long.parseLong(f[1]) == postmaster) {
                        ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
                    }
                } catch (IOException | RuntimeException gone) {
                    // the process ended between the listing and the read
                }
            }
        }
        return ticks;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
