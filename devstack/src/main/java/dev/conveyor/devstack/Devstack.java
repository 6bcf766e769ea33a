package dev.conveyor.devstack;

import dev.conveyor.contracts.Topics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;

/** A PostgreSQL server and a Kafka broker with the platform's topics, started and stopped together. */
public final class Devstack implements AutoCloseable {
    private final Postgres postgres;
    private final KafkaBroker kafka;
    private final Path dir;
    private final boolean keepData;

    private Devstack(Postgres postgres, KafkaBroker kafka, Path dir, boolean keepData) {
        this.postgres = postgres;
        this.kafka = kafka;
        this.dir = dir;
        this.keepData = keepData;
    }

    /**
     * Starts both servers (in parallel: each takes seconds), creates the databases and every topic of {@link Topics#ALL}.
     *
     * @param pgPort    0 = random
     * @param kafkaPort 0 = random
     * @param dir       data and logs; removed on close unless keepData
     */
    public static Devstack start(int pgPort, int kafkaPort, Path dir, boolean keepData, List<String> databases)
            throws IOException, SQLException {
        return start(pgPort, kafkaPort, dir, keepData, databases, Postgres.Durability.FAST);
    }

    /**
     * As {@link #start(int, int, Path, boolean, List)}; benchmarks pass {@link Postgres.Durability#PRODUCTION}, which
     * also runs the broker's JVM as deployed brokers run ({@link KafkaBroker.Jvm#PRODUCTION}).
     */
    public static Devstack start(
            int pgPort,
            int kafkaPort,
            Path dir,
            boolean keepData,
            List<String> databases,
            Postgres.Durability durability)
            throws IOException, SQLException {
        Files.createDirectories(dir);
        var kafkaStart = new java.util.concurrent.CompletableFuture<KafkaBroker>();
        Thread kafkaThread = new Thread(
                () -> {
                    try {
                        KafkaBroker.Jvm jvm = durability == Postgres.Durability.PRODUCTION
                                ? KafkaBroker.Jvm.PRODUCTION
                                : KafkaBroker.Jvm.DEV;
                        kafkaStart.complete(KafkaBroker.start(kafkaPort, dir.resolve("kafka"), keepData, jvm));
                    } catch (Throwable t) {
                        kafkaStart.completeExceptionally(t);
                    }
                },
                "devstack-kafka-start");
        kafkaThread.start();
        Postgres postgres;
        try {
            postgres = Postgres.start(pgPort, dir.resolve("postgres"), pgBinariesDir(), keepData, durability);
        } catch (IOException | RuntimeException e) {
            kafkaStart.thenAccept(Devstack::closeQuietly);
            throw e;
        }
        KafkaBroker kafka;
        try {
            kafka = kafkaStart.join();
        } catch (java.util.concurrent.CompletionException e) {
            closeQuietly(postgres);
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
        }
        Devstack stack = new Devstack(postgres, kafka, dir, keepData);
        try {
            for (String db : databases) {
                postgres.createDatabase(db);
            }
            kafka.createTopics(Topics.ALL);
        } catch (RuntimeException | SQLException e) {
            stack.close();
            throw e;
        }
        return stack;
    }

    /** Unpacked PostgreSQL binaries are shared by every run on the machine: unpacking costs seconds, they never change. */
    public static Path pgBinariesDir() {
        String override = System.getProperty("devstack.pg.binaries");
        if (override != null) {
            return Path.of(override);
        }
        return Path.of(System.getProperty("user.home"), ".cache", "conveyor", "embedded-postgres");
    }

    /** The last {@code lines} lines of a log file, headed by its path, for failure messages; says so when it is missing. */
    public static String logTail(Path log, int lines) {
        try {
            List<String> all = Files.readAllLines(log, java.nio.charset.StandardCharsets.UTF_8);
            return "--- last lines of " + log + " ---\n"
                    + String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | java.io.UncheckedIOException e) {
            return "--- " + log + " could not be read: " + e + " ---";
        }
    }

    public Postgres postgres() {
        return postgres;
    }

    public KafkaBroker kafka() {
        return kafka;
    }

    public Path dir() {
        return dir;
    }

    @Override
    public void close() throws IOException {
        closeQuietly(kafka);
        closeQuietly(postgres);
        if (!keepData) {
            KafkaBroker.deleteRecursively(dir);
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            if (c != null) {
                c.close();
            }
        } catch (Exception e) {
            System.err.println("devstack: " + e);
        }
    }
}
