package dev.conveyor.taskapi;

import static dev.conveyor.taskapi.Fixtures.claim;
import static dev.conveyor.taskapi.Fixtures.worker;
import static org.awaitility.Awaitility.await;

import dev.conveyor.devstack.DevstackResource;
import dev.conveyor.taskapi.messaging.PgSignals;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Benchmark, not a test: excluded from the normal build (tag "bench"). Run on demand:
 * {@code ./mvnw -B -o -pl task-api verify -Dtest=TaskApiBench -Dbench.excluded=none -Dsurefire.failIfNoSpecifiedTests=false}.
 * Prints a markdown table and writes it to target/bench-task-api.md. Everything goes through REST on real PostgreSQL
 * (and the outbox relay to real Kafka), in one JVM with the load generator, on the same cores.
 */
@Tag("bench")
@QuarkusTest
@QuarkusTestResource(
        value = DevstackResource.class,
        initArgs = @ResourceArg(name = "database", value = "conveyor_tasks"))
class TaskApiBench {
    @Inject
    PgSignals signals;

    static final int THREADS = 8;

    @Test
    void run() throws Exception {
        Fixtures.isolateQueue();
        Fixtures.User user = Fixtures.user(1_000_000);
        StringBuilder out = new StringBuilder("| what | figure |\n|---|---|\n");
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        createTasks(pool, user, 300); // warm-up
        drain(pool, 4, 100);

        int n = 2000;
        long t0 = System.nanoTime();
        createTasks(pool, user, n);
        double createRate = n / ((System.nanoTime() - t0) / 1e9);
        out.append(String.format(
                "| create (REST, %d client threads, %d tasks) | %.0f tasks/s |%n", THREADS, n, createRate));

        for (int batch : new int[] {1, 10, 100}) {
            drain(pool, 4, 100);
            createTasks(pool, user, n);
            long t1 = System.nanoTime();
            int done = drain(pool, 4, batch);
            double rate = done / ((System.nanoTime() - t1) / 1e9);
            out.append(String.format(
                    "| claim + complete, 4 workers, batch %d (%d tasks) | %.0f tasks/s |%n", batch, done, rate));
        }

        List<Double> latencies = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            CompletableFuture<Long> claimedAt = CompletableFuture.supplyAsync(() -> {
                claim("lat", List.of(), 1, 10).then().statusCode(200);
                return System.nanoTime();
            });
            // create only once the claim is waiting, so the figure is the wake-up path
            await().atMost(Duration.ofSeconds(10)).until(() -> signals.waiting() > 0);
            long created = System.nanoTime();
            String id = user.createTask("single_image", Map.of("prompt", "lat"));
            long got = claimedAt.get();
            latencies.add((got - created) / 1e6);
            Fixtures.execute("UPDATE tasks SET status = 'complete' WHERE id = '" + id + "'");
        }
        Collections.sort(latencies);
        out.append(String.format(
                "| create -> claim answered, idle long-polling worker (60 samples; includes the create's own round trip) "
                        + "| p50 %.1f ms, p99 %.1f ms |%n",
                latencies.get(latencies.size() / 2), latencies.get((int) (latencies.size() * 0.99))));
        pool.shutdown();
        System.out.println(out);
        Files.writeString(Path.of("target", "bench-task-api.md"), out.toString());
    }

    private static void createTasks(ExecutorService pool, Fixtures.User user, int n) throws Exception {
        List<Future<?>> fs = new ArrayList<>();
        AtomicInteger left = new AtomicInteger(n);
        for (int t = 0; t < THREADS; t++) {
            fs.add(pool.submit(() -> {
                while (left.getAndDecrement() > 0) {
                    user.api()
                            .body(Map.of(
                                    "projectId",
                                    user.projectId(),
                                    "taskType",
                                    "single_image",
                                    "params",
                                    Map.of("prompt", "b")))
                            .post("/v1/tasks")
                            .then()
                            .statusCode(201);
                }
            }));
        }
        for (Future<?> f : fs) {
            f.get();
        }
    }

    /** Workers claim in batches and complete each task until nothing is left; answers how many were completed. */
    private static int drain(ExecutorService pool, int workers, int batch) throws Exception {
        AtomicInteger done = new AtomicInteger();
        List<Future<?>> fs = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            String id = "bench-" + w;
            fs.add(pool.submit(() -> {
                while (true) {
                    List<Map<String, Object>> tasks = claim(id, List.of(), batch, 0)
                            .then()
                            .statusCode(200)
                            .extract()
                            .jsonPath()
                            .getList("tasks");
                    if (tasks.isEmpty()) {
                        return;
                    }
                    for (Map<String, Object> t : tasks) {
                        worker().body(Map.of(
                                        "workerId",
                                        id,
                                        "leaseToken",
                                        t.get("leaseToken"),
                                        "outputLocation",
                                        "o",
                                        "metadata",
                                        Map.of()))
                                .post("/v1/worker/tasks/" + t.get("id") + "/complete")
                                .then()
                                .statusCode(200);
                        done.incrementAndGet();
                    }
                }
            }));
        }
        for (Future<?> f : fs) {
            f.get();
        }
        return done.get();
    }
}
