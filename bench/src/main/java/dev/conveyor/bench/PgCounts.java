package dev.conveyor.bench;

import dev.conveyor.devstack.Postgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What PostgreSQL does per task of a measure (a drain, a live create -> complete), when devstack runs with {@link
 * Postgres#STATS_ENV} set: statements (pg_stat_statements, nested trigger statements included, their planning apart
 * from their execution), commits, WAL, rows written per table and the functions (triggers) called.
 * pg_stat_statements and the WAL position are exact; the cumulative statistics
 * (pg_stat_database, _user_tables, _user_functions, _wal) reach the shared counters only when a backend flushes them
 * (at most 10 s late), so those are read after an 11 s quiet wait and an idle window of the same length, measured just
 * before (itself after an 11 s wait, so the backlog's creation is not in it), is subtracted. The table goes to {@code
 * pg-counts-<measure>-<k>.md} in the run directory.
 */
final class PgCounts {
    private static final long FLUSH_WAIT_MS = 11_000;
    private static final String DB = "conveyor_tasks";

    private final String url;
    private final Path dir;
    private final AtomicInteger runs = new AtomicInteger();
    private Map<String, Double> idle;
    private Map<String, Double> start;
    private long lsnStart;

    private PgCounts(String url, Path dir) {
        this.url = url;
        this.dir = dir;
    }

    /** Null unless the environment asks for the counts. */
    static PgCounts fromEnv(Postgres postgres, Path dir) throws SQLException {
        if (System.getenv(Postgres.STATS_ENV) == null) {
            return null;
        }
        PgCounts counts = new PgCounts(postgres.jdbcUrl(DB), dir);
        try (Connection c = counts.connect();
                Statement s = c.createStatement()) {
            s.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
        }
        return counts;
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(url, Postgres.USER, Postgres.PASSWORD);
    }

    /** Before the measure (a drain's release): an idle window, then the counters' start and pg_stat_statements reset. */
    void begin() throws Exception {
        Thread.sleep(FLUSH_WAIT_MS); // the backlog's creation reaches the counters before the idle window opens
        Map<String, Double> a = cumulative();
        Thread.sleep(FLUSH_WAIT_MS);
        start = cumulative();
        idle = minus(start, a);
        try (Connection c = connect();
                Statement s = c.createStatement()) {
            s.execute("SELECT pg_stat_statements_reset()");
            lsnStart = lsn(s);
        }
    }

    /** After the measure's last task completed: writes the counts per task of {@code n}. */
    String end(String measure, int n) throws Exception {
        List<String[]> statements = new ArrayList<>();
        long wal;
        try (Connection c = connect();
                Statement s = c.createStatement()) {
            wal = lsn(s) - lsnStart;
            try (ResultSet rs = s.executeQuery(
                    "SELECT s.calls, s.rows, s.total_exec_time, s.wal_bytes, s.toplevel, s.max_exec_time, s.total_plan_time, "
                            + "regexp_replace(s.query, '\\s+', ' ', 'g') FROM pg_stat_statements s "
                            + "JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = '" + DB + "' "
                            + "AND s.query NOT LIKE '%pg_stat_statements%' ORDER BY s.total_exec_time DESC")) {
                while (rs.next()) {
                    statements.add(new String[] {
                        fmt(rs.getLong(1) / (double) n),
                        fmt(rs.getLong(2) / (double) n),
                        fmt(rs.getDouble(3) * 1000 / n),
                        fmt(rs.getDouble(7) * 1000 / n),
                        fmt(rs.getLong(4) / (double) n),
                        rs.getBoolean(5) ? "" : "nested",
                        fmt(rs.getDouble(6)),
                        rs.getString(8).replace("|", "\\|")
                    });
                }
            }
        }
        Thread.sleep(FLUSH_WAIT_MS);
        Map<String, Double> drained = minus(minus(cumulative(), start), idle);
        StringBuilder md = new StringBuilder();
        md.append(String.format(
                Locale.ROOT,
                "PostgreSQL per task of %s (n=%d; statements and WAL position exact, cumulative counters minus an "
                        + "equal idle window):%n%n| counter | per task |%n|---|---|%n| WAL bytes (pg_current_wal_lsn) | %s |%n",
                measure,
                n,
                fmt(wal / (double) n)));
        drained.forEach((k, v) -> {
            if (Math.abs(v) / n >= 0.005) {
                md.append("| ").append(k).append(" | ").append(fmt(v / n)).append(" |\n");
            }
        });
        md.append(
                "\n| calls/task | rows/task | exec µs/task | plan µs/task | WAL B/task | level | longest call ms | statement |\n"
                        + "|---|---|---|---|---|---|---|---|\n");
        for (String[] st : statements) {
            if (Double.parseDouble(st[0]) >= 0.005) {
                md.append("| ").append(String.join(" | ", st)).append(" |\n");
            }
        }
        Path file = dir.resolve("pg-counts-" + measure + "-" + runs.incrementAndGet() + ".md");
        Files.writeString(file, md.toString());
        return file.toString();
    }

    private static long lsn(Statement s) throws SQLException {
        try (ResultSet rs = s.executeQuery("SELECT pg_current_wal_lsn() - '0/0'::pg_lsn")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The cumulative counters, by name. */
    private Map<String, Double> cumulative() throws SQLException {
        Map<String, Double> m = new LinkedHashMap<>();
        try (Connection c = connect();
                Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT datname, xact_commit, xact_rollback FROM pg_stat_database "
                    + "WHERE datname IS NOT NULL ORDER BY datname")) {
                while (rs.next()) {
                    m.put("commits " + rs.getString(1), rs.getDouble(2));
                    m.put("rollbacks " + rs.getString(1), rs.getDouble(3));
                }
            }
            try (ResultSet rs =
                    s.executeQuery("SELECT wal_records, wal_fpi, wal_bytes, wal_write, wal_sync FROM pg_stat_wal")) {
                rs.next();
                m.put("pg_stat_wal records", rs.getDouble(1));
                m.put("pg_stat_wal full-page images", rs.getDouble(2));
                m.put("pg_stat_wal bytes", rs.getDouble(3));
                m.put("pg_stat_wal writes", rs.getDouble(4));
                m.put("pg_stat_wal syncs (fsync)", rs.getDouble(5));
            }
            try (ResultSet rs = s.executeQuery("SELECT relname, n_tup_ins, n_tup_upd, n_tup_hot_upd, n_tup_del "
                    + "FROM pg_stat_user_tables ORDER BY relname")) {
                while (rs.next()) {
                    String t = rs.getString(1);
                    m.put(t + " inserted", rs.getDouble(2));
                    m.put(t + " updated", rs.getDouble(3));
                    m.put(t + " updated HOT", rs.getDouble(4));
                    m.put(t + " deleted", rs.getDouble(5));
                }
            }
            try (ResultSet rs =
                    s.executeQuery("SELECT funcname, calls, self_time FROM pg_stat_user_functions ORDER BY funcname")) {
                while (rs.next()) {
                    m.put("function " + rs.getString(1) + " calls", rs.getDouble(2));
                    m.put("function " + rs.getString(1) + " self µs", rs.getDouble(3) * 1000);
                }
            }
        }
        return m;
    }

    private static Map<String, Double> minus(Map<String, Double> a, Map<String, Double> b) {
        Map<String, Double> d = new LinkedHashMap<>();
        a.forEach((k, v) -> d.put(k, v - b.getOrDefault(k, 0.0)));
        return d;
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, Math.abs(v) >= 100 ? "%.0f" : "%.2f", v);
    }
}
