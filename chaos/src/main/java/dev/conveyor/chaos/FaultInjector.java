package dev.conveyor.chaos;

import dev.conveyor.devstack.ServiceProcess;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** Injects the scheduled faults one after another and brings every process back; reports what it did. */
final class FaultInjector {
    private static final Duration DOWN = Duration.ofSeconds(2);

    private final ChaosPlatform platform;
    private final Consumer<String> out;
    final List<String> injected = new CopyOnWriteArrayList<>();

    FaultInjector(ChaosPlatform platform, Consumer<String> out) {
        this.platform = platform;
        this.out = out;
    }

    /** Runs the schedule relative to {@code start}; returns when every fault was injected and recovered from. */
    void run(List<Fault> schedule, Instant start) {
        for (Fault f : schedule) {
            long wait = Duration.between(Instant.now(), start.plusMillis(f.atMillis()))
                    .toMillis();
            if (wait > 0) {
                Rest.sleep(wait);
            }
            long t0 = System.nanoTime();
            String what;
            try {
                what = inject(f);
            } catch (Exception e) {
                // a fault that could not be injected or recovered from is a failure of the run, not a skipped fault
                throw new IllegalStateException("fault " + f + " failed: " + e, e);
            }
            String line = String.format(
                    "fault at t+%.1f s: %s (%s; back after %.1f s)",
                    Duration.between(start, Instant.now()).toMillis() / 1000.0,
                    f.kind(),
                    what,
                    (System.nanoTime() - t0) / 1e9);
            injected.add(line);
            out.accept(line);
        }
    }

    private String inject(Fault f) throws Exception {
        switch (f.kind()) {
            case KILL_TASK_API -> {
                return killAndRestart(platform.taskApis.get(f.target()), "");
            }
            case KILL_GENERATION -> {
                return killAndRestart(platform.generation, "");
            }
            case KILL_GATEWAY -> {
                return killAndRestart(platform.gateways.get(f.target()), "");
            }
            case KILL_WORKER -> {
                ServiceProcess w = platform.workers.get(f.target());
                int held = awaitHolding(w, Duration.ofSeconds(10));
                return killAndRestart(w, "holding " + held + " task(s)");
            }
            case RESTART_KAFKA -> {
                platform.restartKafka();
                return "broker restarted";
            }
            case POSTGRES_OUTAGE -> {
                return platform.restartPostgres(Duration.ofSeconds(3));
            }
            case PAUSE_WORKER -> {
                ServiceProcess w = platform.workers.get(f.target());
                int held = awaitHolding(w, Duration.ofSeconds(10));
                long pid = w.jvm().pid();
                Duration pause = ChaosPlatform.LEASE.plusSeconds(4);
                Signals.pause(pid);
                try {
                    Rest.sleep(pause.toMillis());
                } finally {
                    Signals.resume(pid);
                }
                return w.name() + " SIGSTOP for " + pause.toSeconds() + " s holding " + held + " task(s), then SIGCONT";
            }
            default -> throw new IllegalArgumentException(f.kind().name());
        }
    }

    private String killAndRestart(ServiceProcess s, String note) {
        long pid = s.jvm().pid();
        s.kill();
        Rest.sleep(DOWN.toMillis());
        ChaosPlatform.startPatiently(s);
        return s.name() + " pid " + pid + " kill -9" + (note.isEmpty() ? "" : " " + note) + ", restarted";
    }

    /** Waits (up to {@code max}) until the worker holds a task, so the fault hits it mid-task; answers how many. */
    private int awaitHolding(ServiceProcess worker, Duration max) throws Exception {
        String workerId = "chaos-" + worker.name();
        Instant deadline = Instant.now().plus(max);
        try (Connection c = DriverManager.getConnection(
                        platform.jdbcUrl(ChaosPlatform.TASKS_DB),
                        dev.conveyor.devstack.Postgres.USER,
                        dev.conveyor.devstack.Postgres.PASSWORD);
                PreparedStatement s = c.prepareStatement(
                        "SELECT count(*) FROM tasks WHERE status = 'in_progress' AND worker_id = ?")) {
            s.setString(1, workerId);
            while (true) {
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    int n = rs.getInt(1);
                    if (n > 0 || Instant.now().isAfter(deadline)) {
                        return n;
                    }
                }
                Rest.sleep(100);
            }
        }
    }
}
