package dev.conveyor.worker.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.devstack.DevstackResource;
import dev.conveyor.worker.messaging.TaskEventWakeups;
import dev.conveyor.worker.output.OutputStore;
import dev.conveyor.worker.runtime.WorkerRuntime;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import javax.imageio.ImageIO;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The worker in this JVM against the real task-api process, PostgreSQL and Kafka. */
@QuarkusTest
@QuarkusTestResource(value = DevstackResource.class)
// Not restricted to this class: every @QuarkusTest of the module shares one app (a second app would start a second devstack).
@QuarkusTestResource(value = TaskApiResource.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WorkerEndToEndTest {
    private static final Map<UUID, Long> STARTED = new ConcurrentHashMap<>();

    @Inject
    WorkerRuntime runtime;
    @Inject
    TaskEventWakeups wakeups;
    @Inject
    OutputStore outputs;

    Api api;
    UUID project;

    @BeforeEach
    void setUp() {
        api = new Api(TaskApiProcess.url());
        project = api.newProject(1000);
        if (STARTED.isEmpty()) {
            runtime.onTaskStart(id -> STARTED.put(id, System.nanoTime()));
            STARTED.put(new UUID(0, 0), 0L);
        }
        await().atMost(Duration.ofSeconds(30)).until(wakeups::healthy);
    }

    private JsonNode awaitStatus(UUID id, String status, Duration within) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(within).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            last[0] = api.task(id);
            assertThat(last[0].path("status").asText()).as(last[0].toString()).isEqualTo(status);
        });
        return last[0];
    }

    @Test
    @Order(1)
    void aSingleImageTaskCompletesAndItsPngIsFetchableAtItsOutputLocation() throws Exception {
        UUID id = UUID.fromString(api.createTask(project, "single_image",
                Api.json("{\"prompt\":\"a lighthouse at dusk\",\"width\":96,\"height\":64,\"seed\":3}")).path("id").asText());

        JsonNode done = awaitStatus(id, "complete", Duration.ofSeconds(20));

        String location = done.path("outputLocation").asText();
        assertThat(location).isEqualTo(outputs.urlOf(id + "/image.png"));
        BufferedImage png = ImageIO.read(new ByteArrayInputStream(Api.download(location)));
        assertThat(png.getWidth()).isEqualTo(96);
        assertThat(png.getHeight()).isEqualTo(64);
        assertThat(done.path("metadata").path("format").asText()).isEqualTo("png");
        assertThat(done.path("progress").asInt()).isGreaterThanOrEqualTo(0);
        assertThat(done.path("workerId").asText()).isEqualTo(runtime.workerId());
    }

    @Test
    @Order(2)
    void anIdleWorkerClaimsANewTaskOnItsWakeUpNotAtItsPollInterval() {
        // Idle: nothing queued, the last claim answered empty, the next poll is 60 s away.
        await().atMost(Duration.ofSeconds(10)).until(() -> runtime.runningCount() == 0);
        int claimsBefore = runtime.claimRequests();
        long created = System.nanoTime();
        UUID id = UUID.fromString(api.createTask(project, "single_image",
                Api.json("{\"prompt\":\"wake\",\"width\":16,\"height\":16}")).path("id").asText());

        awaitStatus(id, "complete", Duration.ofSeconds(15));

        Duration createToStart = Duration.ofNanos(STARTED.get(id) - created);
        assertThat(createToStart).isLessThan(runtime.pollInterval().dividedBy(4));
        assertThat(runtime.claimRequests() - claimsBefore).isBetween(1, 5);
    }

    @Test
    @Order(3)
    void aCancelledTaskStopsItsHandlerAndLeavesNoResult() {
        UUID id = UUID.fromString(api.createTask(project, "single_image",
                Api.json("{\"prompt\":\"slow\",\"width\":32,\"height\":32,\"work_ms\":30000}")).path("id").asText());
        awaitStatus(id, "in_progress", Duration.ofSeconds(15));
        await().atMost(Duration.ofSeconds(5)).until(() -> runtime.runningCount() == 1);
        // progress reported by the handler reaches task-api with a heartbeat
        await().atMost(Duration.ofSeconds(5)).until(() -> "rendering".equals(api.task(id).path("progressMessage").asText()));

        api.cancel(id);

        // The next heartbeat (progress every few seconds, lease/3 at the latest) tells the worker; the handler stops.
        await().atMost(TaskApiProcess.LEASE).until(() -> runtime.runningCount() == 0);
        JsonNode after = api.task(id);
        assertThat(after.path("status").asText()).isEqualTo("cancelled");
        assertThat(after.path("outputLocation").isMissingNode() || after.path("outputLocation").isNull()).isTrue();
        assertThat(outputs.get(id + "/image.png")).isEmpty();
    }

    @Test
    @Order(4)
    void heartbeatsKeepATaskThatRunsLongerThanItsLease() {
        Duration work = TaskApiProcess.LEASE.plusSeconds(3);
        UUID id = UUID.fromString(api.createTask(project, "single_image", Api.json(
                "{\"prompt\":\"long\",\"width\":16,\"height\":16,\"work_ms\":" + work.toMillis() + "}")).path("id").asText());

        JsonNode done = awaitStatus(id, "complete", work.plusSeconds(20));

        assertThat(done.path("attempts").asInt()).as("never reaped and re-run").isEqualTo(1);
        assertThat(done.path("workerId").asText()).isEqualTo(runtime.workerId());
    }

    @Test
    @Order(5)
    void aFailingTaskIsRetriedAndThenFailsPermanentlyOnBadInput() {
        // width outside the handler's range: a PermanentTaskException, so no retry
        UUID id = UUID.fromString(api.createTask(project, "single_image",
                Api.json("{\"prompt\":\"bad\",\"width\":100000,\"height\":16}")).path("id").asText());
        JsonNode failed = awaitStatus(id, "failed", Duration.ofSeconds(15));
        assertThat(failed.path("attempts").asInt()).isEqualTo(1);
        assertThat(failed.path("errorMessage").asText()).contains("width");
    }

    @Test
    @Order(6)
    void aTravelSegmentRendersItsFramesIntoAnAnimatedGif() {
        UUID id = UUID.fromString(api.createTask(project, "travel_segment", Api.json(
                "{\"prompt\":\"valley\",\"frames\":4,\"width\":24,\"height\":16,\"fps\":8}")).path("id").asText());

        JsonNode done = awaitStatus(id, "complete", Duration.ofSeconds(20));

        byte[] gif = Api.download(done.path("outputLocation").asText());
        var frames = dev.conveyor.worker.handlers.Gif.read(gif);
        assertThat(frames).hasSize(4);
        assertThat(frames.get(0).getWidth()).isEqualTo(24);
        assertThat(done.path("metadata").path("frames").asInt()).isEqualTo(4);
    }

    @Test
    @Order(7)
    void theWorkerKeepsClaimingByLongPollWhileKafkaIsDown() throws Exception {
        DevstackResource.devstack().kafka().kill();
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> !wakeups.healthy());
            UUID id = UUID.fromString(api.createTask(project, "single_image",
                    Api.json("{\"prompt\":\"no kafka\",\"width\":16,\"height\":16}")).path("id").asText());
            awaitStatus(id, "complete", Duration.ofSeconds(20));
        } finally {
            DevstackResource.devstack().kafka().restart();
        }
        await().atMost(Duration.ofSeconds(60)).until(wakeups::healthy);
    }
}
