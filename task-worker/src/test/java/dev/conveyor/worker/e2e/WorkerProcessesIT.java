package dev.conveyor.worker.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.devstack.DevstackResource;
import dev.conveyor.devstack.Ports;
import dev.conveyor.devstack.ServiceProcess;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Packaged task-worker processes (this module's quarkus-run.jar) against the packaged task-api: what happens to a task
 * when its worker dies (SIGKILL) or is stopped (SIGTERM).
 */
class WorkerProcessesIT {
    private static Api api;
    private static UUID project;

    @BeforeAll
    static void up() {
        ServiceProcess.jarFromProperty("worker.jar");
        api = new Api(TaskApiProcess.url());
        project = api.newProject(1000);
    }

    private static ServiceProcess worker(String name, Map<String, String> extra) {
        int port = Ports.free();
        Map<String, String> props = new HashMap<>();
        props.put("task-api.url", TaskApiProcess.url());
        props.put("task-api.token", TaskApiProcess.workerToken());
        props.put("kafka.bootstrap.servers", DevstackResource.devstack().kafka().bootstrapServers());
        props.put("conveyor.worker.id", name);
        props.put("conveyor.worker.slots", "1");
        props.put("conveyor.worker.public-url", "http://127.0.0.1:" + port);
        props.put(
                "conveyor.worker.output-dir",
                Path.of("target", "processes", name + "-outputs")
                        .toAbsolutePath()
                        .toString());
        props.putAll(extra);
        return new ServiceProcess(
                        name,
                        ServiceProcess.jarFromProperty("worker.jar"),
                        port,
                        props,
                        Map.of(),
                        Path.of("target", "processes"))
                .start();
    }

    private static JsonNode awaitTask(UUID id, Duration within, java.util.function.Predicate<JsonNode> condition) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(within).pollInterval(Duration.ofMillis(100)).until(() -> {
            last[0] = api.task(id);
            return condition.test(last[0]);
        });
        return last[0];
    }

    @Test
    void aTaskWhoseWorkerWasKilledIsCompletedOnceByAnotherWorkerAfterTheLeaseExpires() throws Exception {
        UUID id;
        try (ServiceProcess a =
                worker("worker-a-" + UUID.randomUUID().toString().substring(0, 4), Map.of())) {
            id = UUID.fromString(api.createTask(
                            project,
                            "single_image",
                            Api.json("{\"prompt\":\"crash\",\"width\":40,\"height\":30,\"work_ms\":6000}"))
                    .path("id")
                    .asText());
            awaitTask(
                    id,
                    Duration.ofSeconds(20),
                    t -> "in_progress".equals(t.path("status").asText()));
            a.kill();
        }
        try (ServiceProcess b =
                worker("worker-b-" + UUID.randomUUID().toString().substring(0, 4), Map.of())) {
            JsonNode done = awaitTask(
                    id,
                    TaskApiProcess.LEASE.plusSeconds(40),
                    t -> "complete".equals(t.path("status").asText()));

            assertThat(done.path("attempts").asInt()).isEqualTo(2);
            assertThat(done.path("workerId").asText()).startsWith("worker-b");
            assertThat(done.path("outputLocation").asText()).startsWith(b.url() + "/v1/outputs/" + id);
            BufferedImage png = ImageIO.read(new ByteArrayInputStream(
                    Api.download(done.path("outputLocation").asText())));
            assertThat(png.getWidth()).isEqualTo(40);
            // Once: it stays complete with the same attempt count (the dead worker never reports anything).
            JsonNode later = api.task(id);
            assertThat(later.path("status").asText()).isEqualTo("complete");
            assertThat(later.path("attempts").asInt()).isEqualTo(2);
            assertThat(later.path("completedAt").asText())
                    .isEqualTo(done.path("completedAt").asText());
        }
    }

    @Test
    void aGracefullyStoppedWorkerHandsItsRunningTaskBackForAnotherWorkerAtOnce() throws Exception {
        UUID id;
        try (ServiceProcess c = worker(
                "worker-c-" + UUID.randomUUID().toString().substring(0, 4),
                Map.of("conveyor.worker.shutdown-grace", "1s"))) {
            id = UUID.fromString(api.createTask(
                            project,
                            "single_image",
                            Api.json("{\"prompt\":\"drain\",\"width\":32,\"height\":32,\"work_ms\":8000}"))
                    .path("id")
                    .asText());
            awaitTask(
                    id,
                    Duration.ofSeconds(20),
                    t -> "in_progress".equals(t.path("status").asText()));

            assertThat(c.terminate(Duration.ofSeconds(30)))
                    .as("worker exited after SIGTERM")
                    .isTrue();
        }
        // Released by the worker (not failed, not left to the reaper after the lease): queued, due at once, the attempt
        // given back, no error recorded.
        JsonNode released = api.task(id);
        assertThat(released.path("status").asText()).isEqualTo("queued");
        assertThat(released.path("attempts").asInt())
                .as("the attempt was given back")
                .isZero();
        assertThat(released.path("errorMessage").isMissingNode()
                        || released.path("errorMessage").isNull())
                .isTrue();
        assertThat(java.time.Instant.parse(released.path("runAfter").asText()))
                .isBeforeOrEqualTo(
                        java.time.Instant.parse(released.path("updatedAt").asText()));

        try (ServiceProcess d =
                worker("worker-d-" + UUID.randomUUID().toString().substring(0, 4), Map.of())) {
            JsonNode done = awaitTask(
                    id,
                    Duration.ofSeconds(40),
                    t -> "complete".equals(t.path("status").asText()));
            assertThat(done.path("workerId").asText()).startsWith("worker-d");
            assertThat(done.path("attempts").asInt())
                    .as("the stopped worker's attempt was not counted")
                    .isEqualTo(1);
        }
    }
}
