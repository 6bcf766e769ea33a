package dev.conveyor.devstack;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.regex.Pattern;

/** A real PostgreSQL 17 server from zonky's embedded binaries (no Docker, no system packages), user postgres. */
public final class Postgres implements AutoCloseable {
    public static final String USER = "postgres";
    public static final String PASSWORD = "postgres";
    private static final Pattern DB_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    /** Set (to anything) to load pg_stat_statements and track functions: what the benchmark's PostgreSQL counts read. */
    public static final String STATS_ENV = "DEVSTACK_PG_STATS";

    private final EmbeddedPostgres server;

    private Postgres(EmbeddedPostgres server) {
        this.server = server;
    }

    /**
     * Starts a server.
     *
     * @param port     0 for a random free port
     * @param dataDir  where the cluster lives; reused when keepData and it already holds a cluster
     * @param workDir  where the binaries are unpacked (kept between runs: unpacking costs seconds)
     * @param keepData false deletes the data directory on close
     */
    public static Postgres start(int port, Path dataDir, Path workDir, boolean keepData) throws IOException {
        return start(port, dataDir, workDir, keepData, Durability.FAST);
    }

    /** How the server treats commits: fast for tests and the local run, or as a production server does. */
    public enum Durability {
        /** fsync, synchronous_commit and full_page_writes off: a crash may lose data, which a test database can afford. */
        FAST,
        /** PostgreSQL's defaults (fsync, synchronous_commit and full_page_writes on), for benchmarks that must pay for durability. */
        PRODUCTION
    }

    /** As {@link #start(int, Path, Path, boolean)}, with the given durability. */
    public static Postgres start(int port, Path dataDir, Path workDir, boolean keepData, Durability durability)
            throws IOException {
        Files.createDirectories(workDir);
        Files.createDirectories(dataDir.getParent());
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setPort(port == 0 ? Ports.free() : port)
                .setDataDirectory(dataDir)
                .setCleanDataDirectory(!keepData)
                .setOverrideWorkingDirectory(workDir.toFile())
                .setPGStartupWait(Duration.ofSeconds(60))
                // Enough connections for four services' pools plus tests.
                .setServerConfig("max_connections", "300");
        String off = durability == Durability.FAST ? "off" : "on";
        builder.setServerConfig("fsync", off)
                .setServerConfig("synchronous_commit", off)
                .setServerConfig("full_page_writes", off);
        if (System.getenv(STATS_ENV) != null) {
            // Counting what PostgreSQL does per task (bench/compare's drain; docs/benchmarks.md "PostgreSQL per drained
            // task"): every statement, nested ones in trigger functions included, and every function call.
            builder.setServerConfig("shared_preload_libraries", "pg_stat_statements")
                    .setServerConfig("pg_stat_statements.track", "all")
                    // Planning time apart from execution: what a prepared statement saves.
                    .setServerConfig("pg_stat_statements.track_planning", "on")
                    .setServerConfig("track_functions", "all");
        }
        return new Postgres(builder.start());
    }

    public int port() {
        return server.getPort();
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://localhost:" + port() + "/" + database;
    }

    /** The URL form Quarkus' reactive pg client takes. */
    public String reactiveUrl(String database) {
        return "postgresql://localhost:" + port() + "/" + database;
    }

    /** Creates the database unless it exists. */
    public void createDatabase(String name) throws SQLException {
        if (!DB_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("not a plain database name: " + name);
        }
        try (Connection c = server.getPostgresDatabase().getConnection();
                Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + name + "'")) {
                if (rs.next()) {
                    return;
                }
            }
            s.execute("CREATE DATABASE " + name);
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
