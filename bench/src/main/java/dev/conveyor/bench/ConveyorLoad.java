package dev.conveyor.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The load on the running platform (moved here from task-worker's WorkerBenchmark): no-op tasks through REST, the
 * worker protocol and every event consumer. Rates come from the tasks' own timestamps (createdAt, completedAt, the
 * handler's startedAt), which task-api and the worker write; CPU from /proc over the window the driver watched.
 */
final class ConveyorLoad implements AutoCloseable {
    /** The client threads that create tasks in the live measures (as 8 users' browsers would). */
    static final int CLIENT_THREADS = 8;

    private final ExecutorService pool = Executors.newFixedThreadPool(CLIENT_THREADS);
    private final List<TaskApiClient> users;
    private final List<UUID> projects;
    private final String workerToken;
    private final Map<String, Long> pids;
    private final RealtimeClients tabs;
    /** With {@code DEVSTACK_PG_STATS} set: PostgreSQL's counts over each drain (null otherwise). */
    private PgCounts pgCounts;

    ConveyorLoad(
            List<TaskApiClient> users,
            List<UUID> projects,
            String workerToken,
            Map<String, Long> pids,
            RealtimeClients tabs) {
        this.users = users;
        this.projects = projects;
        this.workerToken = workerToken;
        this.pids = pids;
        this.tabs = tabs;
    }

    void countPostgres(PgCounts counts) {
        this.pgCounts = counts;
    }

    /**
     * Drain: {@code n} tasks wait on a gate task that no worker runs; completing the gate queues all of them in one
     * transaction. tasks/s = n / (last completedAt - the gate's completedAt): claim, handler and complete only.
     */
    Measure drain(int n) throws Exception {
        TaskApiClient user = users.get(0);
        UUID project = projects.get(0);
        UUID gate = user.create(project, "bench_gate", null);
        // One request at a time: concurrent creates of one user queue on its account row (FOR UPDATE), and on the
        // loaded machine eight queued batches of 50 ran past the client's 30 s timeout. The backlog's creation is not
        // measured, only its drain.
        int perRequest = 50;
        for (int i = 0; i < n / perRequest; i++) {
            user.createBatch(project, perRequest, gate);
        }
        int before = user.completed(project);
        if (pgCounts != null) {
            pgCounts.begin();
        }
        Window w = new Window();
        Instant released =
                Instant.parse(user.completeGate(workerToken).path("completedAt").asText());
        awaitCompleted(user, project, before + 1 + n);
        Window.Closed closed = w.close();
        if (pgCounts != null) {
            System.out.println("bench: PostgreSQL counts of this drain: " + pgCounts.end("drain", n));
        }
        Instant last = lastCompleted(user, project, n);
        return closed.measure("drain", n, Duration.between(released, last));
    }

    /**
     * Live create -> complete: {@code n} tasks created by {@link #CLIENT_THREADS} client threads ({@code perRequest}
     * per request: 1 = POST /v1/tasks, more = POST /v1/tasks/batch), spread over the users, while the worker runs.
     * tasks/s = n / (last completedAt - first createdAt).
     */
    Measure live(String name, int n, int perRequest) throws Exception {
        int[] before = new int[users.size()];
        for (int u = 0; u < users.size(); u++) {
            before[u] = users.get(u).completed(projects.get(u));
        }
        if (pgCounts != null) {
            pgCounts.begin();
        }
        AtomicInteger next = new AtomicInteger();
        Window w = new Window();
        Instant start = Instant.now();
        submitAll(n / perRequest, () -> {
            int u = next.getAndIncrement() % users.size();
            if (perRequest == 1) {
                users.get(u).create(projects.get(u), "noop", null);
            } else {
                users.get(u).createBatch(projects.get(u), perRequest, null);
            }
            return null;
        });
        int requests = n / perRequest;
        Instant lastComplete = Instant.MIN;
        for (int u = 0; u < users.size(); u++) {
            int mine = (requests / users.size() + (u < requests % users.size() ? 1 : 0)) * perRequest;
            awaitCompleted(users.get(u), projects.get(u), before[u] + mine);
        }
        Window.Closed closed = w.close();
        if (pgCounts != null) {
            System.out.println("bench: PostgreSQL counts of this " + name + ": " + pgCounts.end(name, n));
        }
        for (int u = 0; u < users.size(); u++) {
            int mine = (requests / users.size() + (u < requests % users.size() ? 1 : 0)) * perRequest;
            Instant l = lastCompleted(users.get(u), projects.get(u), mine);
            lastComplete = l.isAfter(lastComplete) ? l : lastComplete;
        }
        return closed.measure(name, n, Duration.between(start, lastComplete));
    }

    /**
     * Dispatch: one task at a time on the idle worker, from just before POST /v1/tasks to the handler's start (its
     * startedAt; same machine clock). The users take turns.
     */
    Measure dispatch(int n) {
        List<Long> micros = new ArrayList<>();
        // Where the time goes (same machine clock): request -> create transaction's start (createdAt), -> the claim
        // transaction's start (claimedAt: the create's commit, the wake-up, the claim request), -> handler start.
        List<Long> toCreate = new ArrayList<>();
        List<Long> toAnswer = new ArrayList<>();
        List<Long> answerToClaim = new ArrayList<>();
        List<Long> toClaim = new ArrayList<>();
        List<Long> toHandler = new ArrayList<>();
        Window w = new Window();
        for (int i = 0; i < n; i++) {
            TaskApiClient user = users.get(i % users.size());
            Instant before = Instant.now();
            UUID id = user.create(projects.get(i % users.size()), "noop", null);
            Instant answered = Instant.now();
            JsonNode done = awaitComplete(user, id);
            Instant started =
                    Instant.parse(done.path("metadata").path("startedAt").asText());
            micros.add(Duration.between(before, started).toNanos() / 1000);
            Instant created = Instant.parse(done.path("createdAt").asText());
            Instant claimed = Instant.parse(done.path("claimedAt").asText());
            toCreate.add(Duration.between(before, created).toNanos() / 1000);
            toClaim.add(Duration.between(created, claimed).toNanos() / 1000);
            toAnswer.add(Duration.between(created, answered).toNanos() / 1000);
            answerToClaim.add(Duration.between(answered, claimed).toNanos() / 1000);
            toHandler.add(Duration.between(claimed, started).toNanos() / 1000);
        }
        Window.Closed closed = w.close();
        List<String> notes = new ArrayList<>(closed.notes(n));
        notes.add(String.format(
                java.util.Locale.ROOT,
                "p50 ms: request->create tx %.1f, create tx->claim tx %.1f (create tx->create answered %.1f,"
                        + " create answered->claim tx %.1f), claim tx->handler %.1f",
                p50(toCreate) / 1000.0,
                p50(toClaim) / 1000.0,
                p50(toAnswer) / 1000.0,
                p50(answerToClaim) / 1000.0,
                p50(toHandler) / 1000.0));
        return new Measure("dispatch", "conveyor", n, 0, closed.used().cpuMicros(), micros, notes);
    }

    /**
     * Reads the task once the frames naming it have paused (every change of the task invalidates its key), or after
     * 250 ms without one. The figures come from the task's own timestamps, so how the driver learns of the completion
     * does not enter them, but its reads would: a read on every frame (as before) landed while the claim ran — the
     * task.created frames reach the tabs as the claim starts — and took task-api's and PostgreSQL's CPU from the very
     * path measured (polling every millisecond, before that, did so all the time). Graphile's side learns in-process
     * and counts its table only after the handler started.
     */
    private JsonNode awaitComplete(TaskApiClient user, UUID id) {
        try (RealtimeClients.Watch frames = tabs.watch(id.toString())) {
            while (true) {
                long seen = frames.hits();
                if (frames.awaitMore(seen, Duration.ofMillis(250))) {
                    frames.awaitQuiet(Duration.ofMillis(10), Duration.ofMillis(250));
                }
                JsonNode task = user.task(id);
                if ("complete".equals(task.path("status").asText())) {
                    return task;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for task " + id, e);
        }
    }

    private static long p50(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        sorted.sort(null);
        return sorted.isEmpty() ? 0 : sorted.get(sorted.size() / 2);
    }

    /** A CPU window plus the WebSocket frames the tabs received in it. */
    private final class Window {
        private final CpuWindow cpu = CpuWindow.open(pids);
        private final long frames = tabs.frames();

        Closed close() {
            return new Closed(cpu.close(), tabs.frames() - frames);
        }

        record Closed(CpuWindow.Used used, long frames) {
            Measure measure(String name, int n, Duration span) {
                return new Measure(name, "conveyor", n, span.toNanos() / 1e9, used.cpuMicros(), List.of(), notes(n));
            }

            List<String> notes(int n) {
                return List.of(
                        String.format(java.util.Locale.ROOT, "WebSocket frames/task %.1f", frames / (double) n),
                        used.compilerShare("task-api", "task-worker"),
                        used.withoutCompilers(n));
            }
        }
    }

    private void submitAll(int count, Callable<Void> request) throws Exception {
        List<Future<Void>> futures = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            futures.add(pool.submit(request));
        }
        for (Future<Void> f : futures) {
            f.get();
        }
    }

    /**
     * Waits until the project has {@code count} complete tasks. Each read counts the project's whole history in
     * PostgreSQL (milliseconds once a few rounds ran), so it reads rarely while much is left: it naps half the time the
     * rate so far says the rest needs (20 ms to 1 s), a dozen reads per drain instead of one every 20 ms (those
     * were half of the drain's PostgreSQL CPU, counted in issue 15's pgcost table). The rates come from the tasks'
     * timestamps, so the reads' timing does not enter them; the CPU window ends within 20 ms of the last completion.
     */
    private static void awaitCompleted(TaskApiClient user, UUID project, int count) {
        long start = System.nanoTime();
        long deadline = start + TimeUnit.MINUTES.toNanos(10);
        int first = user.completed(project);
        int done = first;
        while (done < count) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("tasks not complete within 10 min: " + done + " of " + count);
            }
            long elapsed = System.nanoTime() - start;
            long nap = done > first
                    ? (long) (0.5 * elapsed * (count - done) / (done - first))
                    : TimeUnit.MILLISECONDS.toNanos(100);
            LockSupport.parkNanos(
                    Math.max(TimeUnit.MILLISECONDS.toNanos(20), Math.min(TimeUnit.SECONDS.toNanos(1), nap)));
            done = user.completed(project);
        }
    }

    /** The latest completedAt among the newest {@code n} tasks of a project (pages are newest first). */
    private static Instant lastCompleted(TaskApiClient user, UUID project, int n) {
        Instant last = Instant.MIN;
        for (int page = 1; page <= (n + 99) / 100; page++) {
            for (JsonNode t : user.tasksPage(project, page)) {
                Instant c = Instant.parse(t.path("completedAt").asText());
                last = c.isAfter(last) ? c : last;
            }
        }
        return last;
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
