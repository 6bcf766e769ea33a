package dev.conveyor.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * The driver of ./bench/soak: the platform compare runs, a short probe of its maximum live throughput, then a steady
 * live load at half that rate for {@code --minutes}, with every process' memory sampled each minute; a verdict per
 * process (flat or growing, see {@link SoakReport}) and the section "Soak" of docs/reliability.md.
 */
public final class Soak {
    static final String BEGIN = "<!-- bench/soak: begin (written by ./bench/soak; edits inside are replaced) -->";
    static final String END = "<!-- bench/soak: end -->";
    /** The JVMs whose heap is sampled (kafka too: devstack's broker is a JVM), then the other processes. */
    private static final List<String> JVMS = List.of("task-api", "task-worker", "generation", "gateway", "kafka");

    private final SoakOptions o;
    private final StringBuilder log = new StringBuilder();
    private final Instant began = Instant.now();
    private final String loadBefore = Compare.loadAverage();

    private Soak(SoakOptions o) {
        this.o = o;
    }

    public static void main(String[] args) throws Exception {
        new Soak(SoakOptions.parse(args)).run();
        System.exit(0); // the JDK WebSocket and HTTP clients keep non-daemon threads
    }

    private void say(String s) {
        String line = String.format(
                Locale.ROOT,
                "soak: [%4ds] %s",
                Duration.between(began, Instant.now()).toSeconds(),
                s);
        System.out.println(line);
        log.append(line).append('\n');
    }

    private void run() throws Exception {
        Files.createDirectories(o.dir());
        say(
                "starting devstack (PostgreSQL fsync/synchronous_commit/full_page_writes on) and the packaged services ...");
        // the worker runs no-op tasks and small single_image renders (which complete into generations)
        Map<String, String> workerProps = Map.of("conveyor.worker.task-types", "noop,single_image");
        try (BenchPlatform platform = BenchPlatform.start(o.root(), o.dir(), workerProps)) {
            Map<String, Long> pids = platform.conveyorPids();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> Compare.closeQuietly(platform), "soak-stop"));
            Files.writeString(
                    o.dir().resolve("pids"),
                    String.join(" ", pids.values().stream().map(String::valueOf).toList()) + "\n");
            BenchUsers fleet = BenchUsers.create(platform);
            try (RealtimeClients tabs = fleet.openTabs(platform);
                    ConveyorLoad conveyor =
                            new ConveyorLoad(fleet.users(), fleet.projects(), platform.workerToken, pids, tabs);
                    KafkaLag lag = new KafkaLag(platform.devstack.kafka().bootstrapServers())) {
                say("platform up " + pids + ", " + tabs.size() + " WebSocket clients subscribed");
                double rate = o.rate();
                String probe;
                if (rate > 0) {
                    probe = "rate given (--rate), no probe";
                } else {
                    for (int i = 1; i <= 2; i++) {
                        Measure w = conveyor.live("batch-create", o.warmupTasks(), 50);
                        say("warm-up " + i + ": batch-create " + Report.fmt(w.tasksPerSecond()) + " tasks/s");
                    }
                    Measure max = conveyor.live("batch-create", o.probeTasks(), 50);
                    rate = max.tasksPerSecond() / 2;
                    probe = String.format(
                            Locale.ROOT,
                            "maximum live throughput %.0f tasks/s (batch-create of %d no-op tasks after two warm-ups of"
                                    + " %d, load %s) -> target rate %.0f tasks/s",
                            max.tasksPerSecond(),
                            o.probeTasks(),
                            o.warmupTasks(),
                            Compare.loadAverage(),
                            rate);
                }
                say(probe);
                Result r = steady(platform, fleet, lag, pids, rate, tabs, probe);
                String load = "load average (1/5/15 min) before " + loadBefore + ", after " + Compare.loadAverage();
                say(load);
                say("writing the results to " + o.doc() + " (section \"Soak\")");
                write(r, probe, rate, load);
                System.out.println("\n" + SoakReport.verdicts(r.verdicts()) + "\n"
                        + SoakReport.table(
                                r.samples(),
                                new ArrayList<>(r.samples().get(0).memory().keySet())));
            }
        }
    }

    private record Result(
            List<SoakSample> samples,
            List<SoakReport.Verdict> verdicts,
            long created,
            long images,
            long shed,
            long errors,
            String drained,
            List<String> histograms) {}

    private Result steady(
            BenchPlatform platform,
            BenchUsers fleet,
            KafkaLag lag,
            Map<String, Long> pids,
            double rate,
            RealtimeClients tabs,
            String probe)
            throws Exception {
        List<String> processes = new ArrayList<>(JVMS);
        processes.add("postgres");
        Map<String, Map<String, Long>> histogramsBefore = new LinkedHashMap<>();
        for (String jvm : JVMS) {
            histogramsBefore.put(jvm, histogram(pids.get(jvm)));
        }
        List<SoakSample> samples = new ArrayList<>();
        SoakLoad load = new SoakLoad(fleet.users(), fleet.projects(), rate, o.imageEvery());
        Totals t0 = totals(fleet);
        samples.add(sample(0, 0, 0, t0.backlog(), lag.total(), pids, processes));
        say("minute 0: " + describe(samples.get(0)));
        Instant start = Instant.now();
        load.start();
        say(String.format(
                Locale.ROOT,
                "steady load: %.0f tasks/s in batches of %d, one task in %d a single_image, for %d min",
                rate,
                load.batchSize(),
                o.imageEvery(),
                o.minutes()));
        long createdBefore = 0;
        long completedBefore = t0.done();
        Instant previous = start;
        for (int minute = 1; minute <= o.minutes(); minute++) {
            Instant at = start.plus(Duration.ofMinutes(minute));
            while (Instant.now().isBefore(at)) {
                LockSupport.parkNanos(Duration.between(Instant.now(), at).toNanos());
            }
            Instant now = Instant.now();
            double seconds = Duration.between(previous, now).toMillis() / 1000.0;
            long created = load.created();
            Totals t = totals(fleet);
            SoakSample s = sample(
                    minute,
                    (created - createdBefore) / seconds,
                    (t.done() - completedBefore) / seconds,
                    t.backlog(),
                    lag.total(),
                    pids,
                    processes);
            samples.add(s);
            say("minute " + minute + ": " + describe(s)
                    + (load.errors() > 0
                            ? ", create errors " + load.errors() + " (last: " + load.lastError() + ")"
                            : "")
                    + (load.shed() > 0 ? ", shed " + load.shed() : ""));
            // the section is rewritten every minute: a run cut short still leaves its minutes in the doc
            try {
                write(
                        new Result(
                                List.copyOf(samples),
                                verdicts(samples, processes),
                                load.created(),
                                load.images(),
                                load.shed(),
                                load.errors(),
                                "RUN STILL IN PROGRESS (minute " + minute + " of " + o.minutes() + " written)",
                                List.of()),
                        probe,
                        rate,
                        "load average (1/5/15 min) before " + loadBefore + ", at minute " + minute + " "
                                + Compare.loadAverage());
            } catch (java.io.IOException e) {
                say("could not write the doc: " + e);
            }
            createdBefore = created;
            completedBefore = t.done();
            previous = now;
        }
        load.close();
        String drained = drain(fleet, lag);
        say(drained);
        List<SoakReport.Verdict> verdicts = verdicts(samples, processes);
        List<String> histograms = new ArrayList<>();
        for (String jvm : JVMS) {
            List<String> top = SoakReport.histogramGrowth(histogramsBefore.get(jvm), histogram(pids.get(jvm)), 8);
            histograms.add(jvm + ": " + (top.isEmpty() ? "no class grew" : String.join(", ", top)));
        }
        histograms.forEach(h -> say("live bytes grown since the steady load began, top classes: " + h));
        say("frames received by the tabs: " + tabs.frames());
        return new Result(
                samples, verdicts, load.created(), load.images(), load.shed(), load.errors(), drained, histograms);
    }

    /** The verdict reads the minutes under load (minute 0 is the baseline before it). */
    private static List<SoakReport.Verdict> verdicts(List<SoakSample> samples, List<String> processes) {
        List<SoakSample> underLoad = samples.subList(1, samples.size());
        return processes.stream().map(p -> SoakReport.verdict(p, underLoad)).toList();
    }

    /** After the load stopped: how long the backlog and the consumers' lag took to reach zero (at most 5 min). */
    private static String drain(BenchUsers fleet, KafkaLag lag) {
        Instant stop = Instant.now();
        Instant deadline = stop.plus(Duration.ofMinutes(5));
        long backlog;
        long l;
        do {
            backlog = totals(fleet).backlog();
            l = lag.total();
            if (backlog == 0 && l == 0) {
                return "after the load stopped, backlog and Kafka lag reached 0 in "
                        + Duration.between(stop, Instant.now()).toSeconds() + " s";
            }
            LockSupport.parkNanos(1_000_000_000L);
        } while (Instant.now().isBefore(deadline));
        return "after the load stopped, backlog " + backlog + " and Kafka lag " + l + " still left after 5 min";
    }

    /** Final (complete + failed + cancelled) and not-yet-final tasks over the users' projects. */
    private record Totals(long done, long backlog) {}

    private static Totals totals(BenchUsers fleet) {
        long done = 0;
        long backlog = 0;
        for (int u = 0; u < fleet.users().size(); u++) {
            JsonNode c = fleet.users().get(u).statusCounts(fleet.projects().get(u));
            done += c.path("complete").asLong()
                    + c.path("failed").asLong()
                    + c.path("cancelled").asLong();
            backlog += c.path("waiting").asLong()
                    + c.path("queued").asLong()
                    + c.path("inProgress").asLong();
        }
        return new Totals(done, backlog);
    }

    /** RSS of every process first (before the full GCs the heap reading forces), then each JVM's heap after GC. */
    private static SoakSample sample(
            int minute,
            double created,
            double completed,
            long backlog,
            long lag,
            Map<String, Long> pids,
            List<String> processes) {
        Map<String, Long> rss = new LinkedHashMap<>();
        processes.forEach(p -> rss.put(p, Proc.rssKiB(pids.get(p)) / 1024));
        Map<String, SoakSample.Memory> memory = new LinkedHashMap<>();
        for (String p : processes) {
            if (JVMS.contains(p)) {
                long used = -1;
                long committed = -1;
                try {
                    Jcmd.Heap h = Jcmd.heapAfterFullGc(pids.get(p));
                    used = h.usedMiB();
                    committed = h.committedMiB();
                } catch (RuntimeException e) {
                    System.err.println("soak: no heap from " + p + ": " + e.getMessage());
                }
                memory.put(p, new SoakSample.Memory(rss.get(p), used, committed));
            } else {
                memory.put(p, SoakSample.Memory.rssOnly(rss.get(p)));
            }
        }
        return new SoakSample(minute, load1(), created, completed, backlog, lag, memory);
    }

    private static Map<String, Long> histogram(long pid) {
        try {
            return Jcmd.classHistogram(pid);
        } catch (RuntimeException e) {
            return Map.of();
        }
    }

    private static String describe(SoakSample s) {
        StringBuilder b = new StringBuilder(String.format(
                Locale.ROOT,
                "load %.1f, created %.0f/s, completed %.0f/s, backlog %d, lag %d;",
                s.load1(),
                s.createdPerSecond(),
                s.completedPerSecond(),
                s.backlog(),
                s.lag()));
        s.memory()
                .forEach((p, m) -> b.append(' ')
                        .append(p)
                        .append(' ')
                        .append(m.rssMiB())
                        .append(m.hasHeap() ? "/" + m.heapAfterGcMiB() + "/" + m.heapCommittedMiB() : ""));
        return b.toString();
    }

    private static double load1() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (java.io.IOException e) {
            return Double.NaN;
        }
    }

    private void write(Result r, String probe, double rate, String load) throws java.io.IOException {
        List<SoakSample> s = r.samples();
        List<String> processes = new ArrayList<>(s.get(0).memory().keySet());
        double created = s.subList(1, s.size()).stream()
                .mapToDouble(SoakSample::createdPerSecond)
                .average()
                .orElse(0);
        double completed = s.subList(1, s.size()).stream()
                .mapToDouble(SoakSample::completedPerSecond)
                .average()
                .orElse(0);
        double meanLoad = s.stream().mapToDouble(SoakSample::load1).average().orElse(0);
        String table = SoakReport.table(s, processes);
        String verdicts = SoakReport.verdicts(r.verdicts());
        String body = "## Soak\n\n"
                + "### `./bench/soak --minutes " + o.minutes() + "` — run " + began + "\n\n"
                + "Machine: " + o.machine().strip() + "; " + load
                + String.format(Locale.ROOT, " (mean 1-min load over the samples %.1f).%n%n", meanLoad)
                + "Platform: as `./bench/compare` runs it (devstack with production durability, the four packaged services, "
                + "100 WebSocket clients subscribed to 8 users' project and user channels). Probe: " + probe + ".\n\n"
                + String.format(
                        Locale.ROOT,
                        "Steady load for %d min: target %.0f tasks/s, achieved %.0f created/s and %.0f completed/s "
                                + "(means of the minutes); %,d tasks created, %,d of them `single_image` (each a generation), "
                                + "%,d shed by the driver (more than %d requests waiting), %,d create errors; %s.%n%n",
                        o.minutes(),
                        rate,
                        created,
                        completed,
                        r.created(),
                        r.images(),
                        r.shed(),
                        SoakLoad.MAX_IN_FLIGHT,
                        r.errors(),
                        r.drained())
                + "**Verdict: "
                + SoakReport.headline(r.verdicts())
                + "** (heap: least-squares slope of the heap after a full GC over the "
                + "second half, growing above " + SoakReport.HEAP_SLOPE_MIB_PER_MIN + " MiB/min and "
                + SoakReport.HEAP_SLOPE_SHARE_PER_MIN * 100 + "% of its mean per minute; RSS: mean of the last third "
                + "minus the first, growing above " + SoakReport.RSS_GROWTH_MIB + " MiB and "
                + (int) (SoakReport.RSS_GROWTH_SHARE * 100)
                + "% of the first; minute 0, before the load, is not counted).\n\n"
                + verdicts + "\n"
                + "Live bytes grown per class between the start and the end of the load (`jcmd GC.class_histogram`), "
                + "top 8 per JVM:\n\n"
                + (r.histograms().isEmpty()
                        ? "(taken at the end of the run)"
                        : String.join(
                                "\n", r.histograms().stream().map(h -> "- " + h).toList()))
                + "\n\n"
                + "Per minute: rates over the minute that ended, backlog = tasks waiting, queued or in progress, Kafka lag "
                + "= records not yet consumed over every consumer group; JVM cells are RSS / heap after a full GC "
                + "(`jcmd GC.run`, then `GC.heap_info`) / heap committed, in MiB; PostgreSQL is the server's RSS plus its "
                + "backends' anonymous memory. RSS is read before the forced GC.\n\n"
                + table + "\n"
                + "<details><summary>run log</summary>\n\n```\n"
                + log.toString().strip() + "\n```\n</details>\n";
        String text = Files.exists(o.doc()) ? Files.readString(o.doc()) : "# Reliability\n";
        Files.writeString(o.doc(), Report.replaceBetween(text, BEGIN, END, body));
        Files.writeString(o.dir().resolve("soak.md"), body);
    }
}
