package dev.conveyor.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.contracts.Json;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * One chaos run: the platform, the tenants, the followers, the seeded workload and fault schedule side by side, the
 * drain, and every invariant checked. Prints the seed, the schedule, the faults injected and each invariant's result.
 */
final class ChaosRun {
    /** What to run. */
    record Settings(long seed, int tasks, int faults, Duration workload, int users, int projectsPerUser, int shots) {
        static Settings of(long seed, int tasks, int faults) {
            // about 15 creates a second: the rate two loaded cores sustain with every fault going on
            Duration workload = Duration.ofSeconds(Math.max(30, tasks / 15));
            return new Settings(seed, tasks, faults, workload, 3, 2, 2);
        }
    }

    /** What came out: the violations per invariant (in {@link Invariant#all()} order). */
    record Outcome(Map<String, List<Violation>> byInvariant, int tasksInDatabase, List<String> faults) {
        int violations() {
            return byInvariant.values().stream().mapToInt(List::size).sum();
        }
    }

    private static final Duration DRAIN = Duration.ofMinutes(5);

    private final Settings settings;
    private final Path root;
    private final Path dir;
    private final PrintStream out;

    ChaosRun(Settings settings, Path root, Path dir, PrintStream out) {
        this.settings = settings;
        this.root = root;
        this.dir = dir;
        this.out = out;
    }

    Outcome run() throws Exception {
        long t0 = System.nanoTime();
        out.printf(
                "chaos: seed %d, %d tasks over %d s, %d faults%n",
                settings.seed(), settings.tasks(), settings.workload().toSeconds(), settings.faults());
        List<Op> ops = Workload.plan(
                settings.seed(), settings.tasks(), settings.users() * settings.projectsPerUser(), settings.shots());
        List<Fault> schedule = Fault.schedule(
                settings.seed(), settings.faults(), settings.workload().toMillis());
        out.println("chaos: workload " + counts(ops));
        out.println("chaos: schedule");
        schedule.forEach(f -> out.println("  " + f));
        try (ChaosPlatform platform = ChaosPlatform.start(root, dir)) {
            out.printf(
                    "chaos: platform up in %.0f s (logs in %s)%n", (System.nanoTime() - t0) / 1e9, dir.resolve("logs"));
            Rest taskApi = new Rest(platform.taskApiUrls(), Duration.ofMinutes(2));
            Rest generations = new Rest(List.of(platform.generation.url()), Duration.ofMinutes(2));
            Tenants tenants = tenants(platform, taskApi, generations);
            List<Follower> followers = new ArrayList<>();
            Rest followerTaskApi = new Rest(platform.taskApiUrls(), Duration.ofSeconds(10));
            Rest followerGenerations = new Rest(List.of(platform.generation.url()), Duration.ofSeconds(10));
            int i = 0;
            for (Tenants.Project p : tenants.projects()) {
                Follower f = new Follower(
                        p, tenants.owner(p).token(), platform.gatewayUrls(), i++, followerTaskApi, followerGenerations);
                followers.add(f);
                f.start();
            }
            try {
                return runWith(platform, tenants, taskApi, generations, followers, ops, schedule, t0);
            } finally {
                followers.forEach(Follower::close);
            }
        }
    }

    private Outcome runWith(
            ChaosPlatform platform,
            Tenants tenants,
            Rest taskApi,
            Rest generations,
            List<Follower> followers,
            List<Op> ops,
            List<Fault> schedule,
            long t0)
            throws Exception {
        ClientLog log = new ClientLog();
        Workload workload = new Workload(tenants, taskApi, log, settings.seed());
        FaultInjector faults = new FaultInjector(platform, line -> out.println("chaos: " + line));
        Instant start = Instant.now();
        CompletableFuture<Void> injecting = CompletableFuture.runAsync(() -> faults.run(schedule, start));
        try {
            workload.run(ops, settings.workload(), 6);
        } finally {
            injecting.join();
        }
        out.printf(
                "chaos: workload sent in %.0f s: %d tasks created, %d cancels, %d retries, %d steps skipped%n",
                Duration.between(start, Instant.now()).toMillis() / 1000.0,
                log.created.size(),
                log.cancelRequested.size(),
                log.retryRequested.size(),
                log.skipped.size());
        HistoryReader reader = new HistoryReader(platform);
        Instant drainStart = Instant.now();
        long[] pending = reader.pending();
        while ((pending[0] > 0 || pending[1] > 0) && Instant.now().isBefore(drainStart.plus(DRAIN))) {
            Rest.sleep(1000);
            pending = reader.pending();
        }
        out.printf(
                "chaos: drained in %.0f s (%d tasks open, %d outbox rows unpublished)%n",
                Duration.between(drainStart, Instant.now()).toMillis() / 1000.0, pending[0], pending[1]);
        List<History.Lag> lags = reader.lags();
        Instant lagDeadline = Instant.now().plusSeconds(60);
        while (lags.stream().anyMatch(l -> l.lag() != 0) && Instant.now().isBefore(lagDeadline)) {
            Rest.sleep(1000);
            lags = reader.lags();
        }
        Map<UUID, ProjectView> truth = new LinkedHashMap<>();
        Map<UUID, ProjectView> cached = new LinkedHashMap<>();
        Instant cacheDeadline = Instant.now().plusSeconds(60);
        while (true) {
            truth.clear();
            cached.clear();
            boolean settled = true;
            for (Follower f : followers) {
                settled &= f.settled();
            }
            for (int k = 0; k < followers.size(); k++) {
                Tenants.Project p = tenants.projects().get(k);
                cached.put(p.id(), followers.get(k).cached());
                truth.put(p.id(), Follower.read(p, tenants.owner(p).token(), taskApi, generations));
            }
            if ((settled && cached.equals(truth)) || Instant.now().isAfter(cacheDeadline)) {
                break;
            }
            Rest.sleep(1000);
        }
        out.printf(
                "chaos: followers: %d connects, %d resumes, %d resets, %d invalidations%n",
                followers.stream().mapToInt(f -> f.connects.get()).sum(),
                followers.stream().mapToInt(f -> f.resumes.get()).sum(),
                followers.stream().mapToInt(f -> f.resets.get()).sum(),
                followers.stream().mapToInt(f -> f.invalidations.get()).sum());
        History history = reader.read(log, cached, truth, lags);
        Map<String, List<Violation>> results = new LinkedHashMap<>();
        for (Invariant inv : Invariant.all()) {
            List<Violation> v = inv.check(history);
            results.put(inv.name(), v);
            out.printf("chaos: %s %s%n", v.isEmpty() ? "OK  " : "FAIL", inv.name());
            v.stream().limit(20).forEach(x -> out.println("        " + x.detail()));
            if (v.size() > 20) {
                out.println("        … and " + (v.size() - 20) + " more");
            }
        }
        Map<String, Long> byStatus = new HashMap<>();
        history.tasks().forEach(t -> byStatus.merge(t.taskType() + ":" + t.status(), 1L, Long::sum));
        out.println("chaos: tasks by type and status " + new java.util.TreeMap<>(byStatus));
        Outcome outcome = new Outcome(results, history.tasks().size(), List.copyOf(faults.injected));
        out.printf(
                "chaos: seed %d: %d tasks in the database (%d created by clients), %d faults injected, %d invariants"
                        + " checked, %d violations, %.0f s in all%n",
                settings.seed(),
                history.tasks().size(),
                log.created.size(),
                faults.injected.size(),
                results.size(),
                outcome.violations(),
                (System.nanoTime() - t0) / 1e9);
        return outcome;
    }

    private Tenants tenants(ChaosPlatform platform, Rest taskApi, Rest generations) {
        java.util.Random r = new java.util.Random(settings.seed() * 31 + 7);
        List<Tenants.User> users = new ArrayList<>();
        for (int u = 0; u < settings.users(); u++) {
            UUID userId = new UUID(r.nextLong(), r.nextLong());
            String token = platform.keys.token(userId, List.of("user"), Duration.ofHours(12));
            taskApi.send(
                    "POST",
                    "/v1/admin/accounts/" + userId + "/credits",
                    platform.adminToken,
                    Map.of("amount", 1_000_000_000, "reason", "chaos"),
                    Set.of(200));
            List<Tenants.Project> projects = new ArrayList<>();
            for (int p = 0; p < settings.projectsPerUser(); p++) {
                JsonNode project = taskApi.send(
                                "POST", "/v1/projects", token, Map.of("name", "chaos " + u + "." + p), Set.of(201))
                        .body();
                UUID projectId = UUID.fromString(project.get("id").asText());
                List<UUID> shots = new ArrayList<>();
                for (int s = 0; s < settings.shots(); s++) {
                    shots.add(createShot(generations, token, projectId, "shot " + s));
                }
                projects.add(new Tenants.Project(projectId, userId, shots));
            }
            users.add(new Tenants.User(userId, token, projects));
        }
        return new Tenants(users);
    }

    /** generation-service learns projects from the topic: a shot of a project it has not seen yet is a 404 for now. */
    private static UUID createShot(Rest generations, String token, UUID projectId, String name) {
        Instant deadline = Instant.now().plusSeconds(60);
        while (true) {
            try {
                JsonNode shot = generations
                        .send("POST", "/v1/projects/" + projectId + "/shots", token, Map.of("name", name), Set.of(201))
                        .body();
                return UUID.fromString(shot.get("id").asText());
            } catch (IllegalStateException e) {
                if (Instant.now().isAfter(deadline)) {
                    throw e;
                }
                Rest.sleep(200);
            }
        }
    }

    private static String counts(List<Op> ops) {
        Map<Op.Kind, Long> n = new java.util.EnumMap<>(Op.Kind.class);
        ops.forEach(o -> n.merge(o.kind(), 1L, Long::sum));
        return n.toString();
    }

    static String json(Object o) throws Exception {
        return Json.MAPPER.writeValueAsString(o);
    }
}
