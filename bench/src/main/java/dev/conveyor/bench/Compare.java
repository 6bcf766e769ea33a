package dev.conveyor.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The driver of ./bench/compare: the packaged platform and Graphile Worker on one durable devstack, measured
 * alternately (run by the script, which passes the options below and the machine's description).
 * <ol>
 * <li>warm-up rounds of every Conveyor measure until the JIT has settled: each service JVM compiled at most
 * {@code --jit-settled} methods in the last round (sun.ci.totalCompiles), or {@code --warmup-max} rounds;</li>
 * <li>measured rounds, Conveyor and Graphile taking turns within each round;</li>
 * <li>optionally ({@code --profile}) one more drain (or {@code --profile-measure single-create|batch-create}) with
 * JFR on the four service JVMs and the Kafka broker;</li>
 * <li>optionally ({@code --long-minutes}) drains back to back with RSS sampled after each.</li>
 * </ol>
 *
 * <p>Over 300 lines because it is the run's script in one place: the order of the phases above and their options read
 * top to bottom; the measuring, the load and the report live in their own classes.
 */
public final class Compare {
    static final String CONVEYOR = "conveyor";
    static final String GRAPHILE = "graphile";
    private final CompareOptions o;
    private final StringBuilder log = new StringBuilder();
    private final Instant began = Instant.now();

    private Compare(CompareOptions o) {
        this.o = o;
    }

    public static void main(String[] args) throws Exception {
        new Compare(CompareOptions.parse(args)).run();
        System.exit(0); // the JDK WebSocket and HTTP clients keep non-daemon threads
    }

    /** Prints a line (with the seconds since the start after "bench:") and keeps it for the run log in the doc. */
    private void say(String s) {
        String line = s.replaceFirst(
                "^bench: ",
                String.format(
                        Locale.ROOT,
                        "bench: [%4ds] ",
                        Duration.between(began, Instant.now()).toSeconds()));
        System.out.println(line);
        log.append(line).append('\n');
    }

    private void run() throws Exception {
        String loadBefore = loadAverage();
        Files.createDirectories(o.dir());
        Report report = new Report();
        String profile = "";
        String memory;
        say(
                "bench: starting devstack (PostgreSQL fsync/synchronous_commit/full_page_writes on) and the packaged services ...");
        try (BenchPlatform platform = BenchPlatform.start(o.root(), o.dir(), o.workerProps())) {
            Map<String, Long> pids = platform.conveyorPids();
            // Ctrl-C skips try-with-resources: stop every process this run started from a shutdown hook as well.
            Thread stopOnSignal = new Thread(() -> closeQuietly(platform), "bench-stop");
            Runtime.getRuntime().addShutdownHook(stopOnSignal);
            Files.writeString(
                    o.dir().resolve("pids"),
                    String.join(" ", pids.values().stream().map(String::valueOf).toList()) + "\n");
            BenchUsers fleet = BenchUsers.create(platform);
            try (RealtimeClients tabs = fleet.openTabs(platform);
                    ConveyorLoad conveyor =
                            new ConveyorLoad(fleet.users(), fleet.projects(), platform.workerToken, pids, tabs);
                    GraphileProcess graphile = new GraphileProcess(
                            o.root().resolve("bench/graphile/bench.mjs"),
                            platform.graphileDatabaseUrl(),
                            platform.postmasterPid(),
                            o.dir().resolve("logs/graphile.log"))) {
                Files.writeString(
                        o.dir().resolve("pids"),
                        pids.values().stream()
                                        .map(String::valueOf)
                                        .reduce(Long.toString(graphile.pid()), (a, b) -> a + " " + b)
                                + "\n");
                conveyor.countPostgres(PgCounts.fromEnv(platform.devstack.postgres(), o.dir()));
                say("bench: platform up (" + pids + ", node " + graphile.pid() + "), " + tabs.size()
                        + " WebSocket clients subscribed (8 users, each its project and user channel)");
                warmUp(conveyor, graphile, platform);
                for (int r = 1; r <= o.rounds(); r++) {
                    Map<String, Long> compiles = compiles(platform);
                    if (o.measures().contains("drain")) {
                        report.add(logged(r, conveyor.drain(o.tasks())));
                        report.add(logged(r, graphile.drain("default", o.graphileJobs())));
                        report.add(logged(r, graphile.drain("batched", o.graphileJobs())));
                    }
                    if (o.measures().contains("single-create")) {
                        report.add(logged(r, conveyor.live("single-create", o.tasks(), 1)));
                        report.add(logged(r, graphile.live("single-add", o.tasks(), 1)));
                    }
                    if (o.measures().contains("batch-create")) {
                        report.add(logged(r, conveyor.live("batch-create", o.tasks(), 50)));
                        report.add(logged(r, graphile.live("batch-add", o.graphileJobs(), 50)));
                    }
                    if (o.measures().contains("dispatch")) {
                        report.add(logged(r, conveyor.dispatch(o.dispatchSamples())));
                        report.add(logged(r, graphile.dispatch(o.dispatchSamples())));
                    }
                    say("bench: round " + r + " JIT compiles during the round: " + delta(compiles, compiles(platform)));
                }
                if (o.profile()) {
                    Map<String, Long> jvms = new LinkedHashMap<>();
                    for (String jvm : List.of("task-api", "task-worker", "gateway", "generation", "kafka")) {
                        jvms.put(jvm, pids.get(jvm));
                    }
                    Profiler profiler = new Profiler(jvms, o.dir(), o.profileMeasure());
                    profiler.start();
                    Measure profiled = switch (o.profileMeasure()) {
                        case "single-create" -> conveyor.live("single-create", o.tasks(), 1);
                        case "batch-create" -> conveyor.live("batch-create", o.tasks(), 50);
                        default -> conveyor.drain(o.tasks());
                    };
                    profile = "#### Profile of " + o.profileMeasure() + " (" + profiled.tasks() + " tasks, "
                            + Report.fmt(profiled.tasksPerSecond()) + " tasks/s with JFR on)\n\n" + profiler.stop();
                    say(profile);
                }
                // The measures are written before the long run, so a failure there cannot lose them.
                Report.writeSection(
                        doc(),
                        o.mode(),
                        section(
                                report,
                                profile,
                                "(memory check still running)\n",
                                began,
                                "load average (1/5/15 min) before " + loadBefore + ", after the measures "
                                        + loadAverage()));
                memory = memory(conveyor, pids, graphile.pid());
            }
        }
        String load = "load average (1/5/15 min) before " + loadBefore + ", after " + loadAverage();
        say("bench: " + load);
        String body = section(report, profile, memory, began, load);
        Report.writeSection(doc(), o.mode(), body);
        say("bench: results written to " + doc() + " (section \"bench/compare " + o.mode() + "\")");
        System.out.println(report.summary());
    }

    /** Where the results go: the doc, unless only some measures ran (then a file of the run's own). */
    private Path doc() {
        return o.partial() ? o.dir().resolve("partial-run.md") : o.doc();
    }

    private Measure logged(int round, Measure m) {
        return logged("round " + round, m);
    }

    private Measure logged(String round, Measure m) {
        say(String.format(
                Locale.ROOT,
                "bench: %s %s %s: %s tasks/s, CPU %s µs/task %s%s %s",
                round,
                m.system(),
                m.name(),
                Report.fmt(m.tasksPerSecond()),
                Report.fmt(m.cpuMicrosPerTask()),
                m.cpuMicros().keySet().stream()
                        .map(p -> p + " " + Report.fmt(m.cpuMicrosPerTask(p)))
                        .toList(),
                m.latencyMicros().isEmpty()
                        ? ""
                        : ", p50 " + Report.fmt1(m.latencyMillis(50)) + " ms p99 " + Report.fmt1(m.latencyMillis(99))
                                + " ms",
                m.notes()));
        return m;
    }

    /**
     * Warm-up: every Conveyor measure at {@code --warmup-tasks}, plus Graphile's (node's JIT warms too), until no
     * service JVM compiled more than {@code --jit-settled} methods in the last round.
     */
    private void warmUp(ConveyorLoad conveyor, GraphileProcess graphile, BenchPlatform platform) throws Exception {
        for (int round = 1; round <= o.warmupMax(); round++) {
            Map<String, Long> before = compiles(platform);
            String label = "warm-up " + round;
            // Every measure warms, whatever --measures runs: the JIT's state is the whole platform's.
            logged(label, conveyor.drain(o.warmupTasks()));
            logged(label, conveyor.live("single-create", o.warmupTasks(), 1));
            logged(label, conveyor.live("batch-create", o.warmupTasks(), 50));
            logged(label, conveyor.dispatch(20));
            logged(label, graphile.drain("default", o.warmupTasks()));
            logged(label, graphile.drain("batched", o.warmupTasks()));
            logged(label, graphile.live("single-add", o.warmupTasks(), 1));
            Map<String, Long> d = delta(before, compiles(platform));
            boolean settled = d.values().stream().allMatch(v -> v <= o.jitSettled());
            say("bench: warm-up round " + round + " (" + o.warmupTasks() + " tasks per measure): methods compiled " + d
                    + (settled ? " -> JIT settled (every JVM <= " + o.jitSettled() + ")" : ""));
            if (settled) {
                return;
            }
        }
        say(
                "bench: JIT NOT settled after " + o.warmupMax() + " warm-up rounds (threshold " + o.jitSettled()
                        + " compiles per round per JVM); measuring anyway, the compiler threads' CPU share is in each row's notes");
    }

    private static Map<String, Long> compiles(BenchPlatform platform) {
        Map<String, Long> c = new LinkedHashMap<>();
        platform.services()
                .forEach(s -> c.put(s.name(), Jcmd.totalCompiles(s.jvm().pid())));
        return c;
    }

    private static Map<String, Long> delta(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> d = new LinkedHashMap<>();
        after.forEach((k, v) -> d.put(k, v - before.get(k)));
        return d;
    }

    /** RSS per process after the measures; with --long-minutes, sampled after each drain of a run that long. */
    private String memory(ConveyorLoad conveyor, Map<String, Long> pids, long nodePid) throws Exception {
        Map<String, Long> all = new LinkedHashMap<>(pids);
        all.put("node", nodePid);
        Map<String, List<Long>> samples = new LinkedHashMap<>();
        all.keySet().forEach(k -> samples.put(k, new ArrayList<>()));
        Runnable sample = () -> all.forEach((k, pid) -> samples.get(k).add(Proc.rssKiB(pid) / 1024));
        sample.run();
        Instant end = Instant.now().plus(Duration.ofMinutes(o.longMinutes()));
        int drains = 0;
        double tasksPerSecond = 0;
        String stopped = "";
        while (Instant.now().isBefore(end)) {
            try {
                Measure m = conveyor.drain(o.tasks());
                tasksPerSecond += m.tasksPerSecond();
                drains++;
                sample.run();
            } catch (Exception e) { // e.g. a request timing out on an overloaded machine: report what was sampled
                stopped = "The long run STOPPED early: " + e.getMessage() + "\n\n";
                say("bench: " + stopped.strip());
                break;
            }
        }
        StringBuilder s = new StringBuilder(stopped);
        if (drains == 0) {
            s.append("RSS after the measures (MiB; PostgreSQL = server + its backends' anonymous memory): ");
            s.append(String.join(
                            ", ",
                            samples.entrySet().stream()
                                    .map(e -> e.getKey() + " " + e.getValue().get(0))
                                    .toList()))
                    .append("\n");
        } else {
            s.append(String.format(
                    Locale.ROOT,
                    "RSS over %d min of back-to-back drains (%d drains of %d tasks, mean %.0f tasks/s), MiB: "
                            + "first sample / after 1/3 / after 2/3 / last / max:%n%n",
                    o.longMinutes(),
                    drains,
                    o.tasks(),
                    tasksPerSecond / drains));
            s.append("| process | first | 1/3 | 2/3 | last | max |\n|---|---|---|---|---|---|\n");
            samples.forEach((k, v) -> s.append(String.format(
                    "| %s | %d | %d | %d | %d | %d |%n",
                    k,
                    v.get(0),
                    v.get(v.size() / 3),
                    v.get(2 * v.size() / 3),
                    v.get(v.size() - 1),
                    v.stream().mapToLong(Long::longValue).max().orElse(0))));
        }
        say(s.toString());
        return s.toString();
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " / " + f[1] + " / " + f[2];
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            System.err.println("bench: while stopping: " + e);
        }
    }

    private String section(Report report, String profile, String memory, Instant began, String load) {
        return "### `./bench/compare" + (o.mode().equals("full") ? "" : " " + o.mode()) + "` — run " + began + "\n\n"
                + "Machine: " + o.machine().strip() + "; " + load + ".\n\n"
                + String.format(
                        Locale.ROOT,
                        "Rounds %d; Conveyor measures %d tasks (dispatch %d one at a time), Graphile drains and batch adds %d jobs; "
                                + "warm-up until the JIT settled (see the log lines below). Wall time %d s.%n%n",
                        o.rounds(),
                        o.tasks(),
                        o.dispatchSamples(),
                        o.graphileJobs(),
                        Duration.between(began, Instant.now()).toSeconds())
                + report.table() + "\n" + report.ratios() + "\n" + memory + "\n"
                + (profile.isEmpty() ? "" : profile + "\n")
                + "<details><summary>run log</summary>\n\n```\n"
                + log.toString().strip() + "\n```\n</details>\n";
    }
}
