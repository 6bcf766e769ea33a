package dev.conveyor.worker.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.devstack.DevstackResource;
import dev.conveyor.devstack.Postgres;
import dev.conveyor.worker.messaging.TaskEventWakeups;
import dev.conveyor.worker.output.OutputStore;
import dev.conveyor.worker.runtime.WorkerRuntime;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** The worker in this JVM against the real task-api process, PostgreSQL and Kafka. */
@QuarkusTest
@QuarkusTestResource(value = DevstackResource.class)
// Not restricted to this class: every @QuarkusTest of the module shares one app (a second app would start a second
// devstack).
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

    /** Creates a 16x16 single_image and awaits its completion; answers how long after the create request it started. */
    private Duration runSmallImage(String prompt) {
        long created = System.nanoTime();
        UUID id = UUID.fromString(api.createTask(
                        project, "single_image", Api.json("{\"prompt\":\"" + prompt + "\",\"width\":16,\"height\":16}"))
                .path("id")
                .asText());
        awaitStatus(id, "complete", Duration.ofSeconds(15));
        return Duration.ofNanos(STARTED.get(id) - created);
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
        UUID id = UUID.fromString(api.createTask(
                        project,
                        "single_image",
                        Api.json("{\"prompt\":\"a lighthouse at dusk\",\"width\":96,\"height\":64,\"seed\":3}"))
                .path("id")
                .asText());

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

        Duration createToStart = runSmallImage("wake");

        assertThat(createToStart).isLessThan(runtime.pollInterval().dividedBy(4));
        assertThat(runtime.claimRequests() - claimsBefore).isBetween(1, 5);
    }

    @Test
    @Order(2)
    void aBusyWorkerClaimsANewTaskOnItsKafkaWakeUpNotAtItsPollInterval() {
        // A handler runs, so no long-poll is open: the worker waits for a Kafka wake-up; the next poll is 60 s away.
        UUID slow = createSingleImage("busy", 20_000);
        awaitStatus(slow, "in_progress", Duration.ofSeconds(15));
        await().atMost(Duration.ofSeconds(5)).until(() -> runtime.runningCount() == 1);

        Duration createToStart = runSmallImage("next");

        assertThat(createToStart).isLessThan(runtime.pollInterval().dividedBy(4));
        assertThat(api.task(slow).path("status").asText())
                .as("still running beside it")
                .isEqualTo("in_progress");
        api.cancel(slow);
        await().atMost(TaskApiProcess.LEASE).until(() -> runtime.runningCount() == 0);
    }

    @Test
    @Order(2)
    void aSaturatedWorkerStopsReadingWakeUpsAndReadsAgainFromTheEndWhenASlotFrees() {
        long pausesBefore = wakeups.pauses();
        UUID slow = createSingleImage("slow", 20_000);
        awaitStatus(slow, "in_progress", Duration.ofSeconds(15));
        List<UUID> shortOnes = new ArrayList<>();
        for (int i = 1; i < runtime.slots(); i++) {
            shortOnes.add(createSingleImage("short " + i, 3_000));
        }
        await().atMost(Duration.ofSeconds(15)).until(() -> runtime.runningCount() == runtime.slots());
        await("no free slot: the consumer stops reading")
                .atMost(Duration.ofSeconds(5))
                .until(() -> wakeups.pauses() > pausesBefore);

        // Queued while nothing is read: its own wake-up is never read. When a short task ends (after 3 s) the loop
        // claims again (the claim that filled the last slot was full, a backlog) and the consumer, reading again, wakes
        // it once: either way it starts long before the poll interval.
        long created = System.nanoTime();
        UUID waiting = createSingleImage("waiting", 0);
        awaitStatus(waiting, "complete", Duration.ofSeconds(20));
        assertThat(Duration.ofNanos(STARTED.get(waiting) - created))
                .isLessThan(runtime.pollInterval().dividedBy(4));
        shortOnes.forEach(id -> awaitStatus(id, "complete", Duration.ofSeconds(15)));

        // Reading again, from the end: the busy worker claims a new task on its Kafka wake-up.
        assertThat(runSmallImage("after the pause"))
                .isLessThan(runtime.pollInterval().dividedBy(4));
        assertThat(api.task(slow).path("status").asText())
                .as("still running beside them")
                .isEqualTo("in_progress");
        api.cancel(slow);
        await().atMost(TaskApiProcess.LEASE).until(() -> runtime.runningCount() == 0);
    }

    /** Creates a 16x16 single_image whose handler works {@code workMs} before it renders; answers its id. */
    private UUID createSingleImage(String prompt, long workMs) {
        return UUID.fromString(api.createTask(
                        project,
                        "single_image",
                        Api.json("{\"prompt\":\"" + prompt + "\",\"width\":16,\"height\":16,\"work_ms\":" + workMs
                                + "}"))
                .path("id")
                .asText());
    }

    @Test
    @Order(3)
    void aCancelledTaskStopsItsHandlerAndLeavesNoResult() {
        UUID id = UUID.fromString(api.createTask(
                        project,
                        "single_image",
                        Api.json("{\"prompt\":\"slow\",\"width\":32,\"height\":32,\"work_ms\":30000}"))
                .path("id")
                .asText());
        awaitStatus(id, "in_progress", Duration.ofSeconds(15));
        await().atMost(Duration.ofSeconds(5)).until(() -> runtime.runningCount() == 1);
        // progress reported by the handler reaches task-api with a heartbeat
        await().atMost(Duration.ofSeconds(5))
                .until(() ->
                        "rendering".equals(api.task(id).path("progressMessage").asText()));

        api.cancel(id);

        // The next heartbeat (progress every few seconds, lease/3 at the latest) tells the worker; the handler stops.
        await().atMost(TaskApiProcess.LEASE).until(() -> runtime.runningCount() == 0);
        JsonNode after = api.task(id);
        assertThat(after.path("status").asText()).isEqualTo("cancelled");
        assertThat(after.path("outputLocation").isMissingNode()
                        || after.path("outputLocation").isNull())
                .isTrue();
        assertThat(outputs.get(id + "/image.png")).isEmpty();
    }

    @Test
    @Order(4)
    void heartbeatsKeepATaskThatRunsLongerThanItsLease() {
        Duration work = TaskApiProcess.LEASE.plusSeconds(3);
        UUID id = createSingleImage("long", work.toMillis());

        JsonNode done = awaitStatus(id, "complete", work.plusSeconds(20));

        assertThat(done.path("attempts").asInt()).as("never reaped and re-run").isEqualTo(1);
        assertThat(done.path("workerId").asText()).isEqualTo(runtime.workerId());
    }

    @Test
    @Order(5)
    void aFailingTaskIsRetriedAndThenFailsPermanentlyOnBadInput() {
        // width outside the handler's range: a PermanentTaskException, so no retry
        UUID id = UUID.fromString(
                api.createTask(project, "single_image", Api.json("{\"prompt\":\"bad\",\"width\":100000,\"height\":16}"))
                        .path("id")
                        .asText());
        JsonNode failed = awaitStatus(id, "failed", Duration.ofSeconds(15));
        assertThat(failed.path("attempts").asInt()).isEqualTo(1);
        assertThat(failed.path("errorMessage").asText()).contains("width");
    }

    @Test
    @Order(6)
    void aTravelSegmentRendersItsFramesIntoAnAnimatedGif() {
        UUID id = UUID.fromString(api.createTask(
                        project,
                        "travel_segment",
                        Api.json("{\"prompt\":\"valley\",\"frames\":4,\"width\":24,\"height\":16,\"fps\":8}"))
                .path("id")
                .asText());

        JsonNode done = awaitStatus(id, "complete", Duration.ofSeconds(20));

        byte[] gif = Api.download(done.path("outputLocation").asText());
        var frames = dev.conveyor.worker.handlers.Gif.read(gif);
        assertThat(frames).hasSize(4);
        assertThat(frames.get(0).getWidth()).isEqualTo(24);
        assertThat(done.path("metadata").path("frames").asInt()).isEqualTo(4);
    }

    /** 3 segments of 4 frames, 64x64; each segment works 2 s, so its progress (sent at most every 500 ms) reaches task-api before it completes. */
    private static JsonNode travelParams(int failAttempts) {
        return Api.json("{\"fail_attempts\":" + failAttempts + ",\"full_orchestrator_payload\":{"
                + "\"width\":64,\"height\":64,\"fps\":8,\"segments\":["
                + "{\"prompt\":\"harbour\",\"frames\":4,\"seed\":1,\"work_ms\":2000},"
                + "{\"prompt\":\"mountain pass\",\"frames\":4,\"seed\":2,\"work_ms\":2000},"
                + "{\"prompt\":\"desert\",\"frames\":4,\"seed\":3,\"work_ms\":2000}]}}");
    }

    /** The orchestrator's children once all 4 exist and the stitch is final. */
    private List<JsonNode> awaitPipeline(UUID orchestrator) {
        List<JsonNode> children = new ArrayList<>();
        await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> {
                    children.clear();
                    api.children(orchestrator).forEach(children::add);
                    assertThat(children).as(children.toString()).hasSize(4);
                    assertThat(children.get(3).path("status").asText())
                            .as(children.get(3).toString())
                            .isIn("complete", "failed");
                });
        return children;
    }

    /** credit_ledger rows of one task in task-api's database, as "kind:amount". */
    private static List<String> ledger(String taskId) throws Exception {
        List<String> rows = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(
                        DevstackResource.devstack().postgres().jdbcUrl(TaskApiProcess.DATABASE),
                        Postgres.USER,
                        Postgres.PASSWORD);
                PreparedStatement s =
                        c.prepareStatement("SELECT kind, amount FROM credit_ledger WHERE task_id = ? ORDER BY id")) {
            s.setObject(1, UUID.fromString(taskId));
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    rows.add(rs.getString(1) + ":" + rs.getLong(2));
                }
            }
        }
        return rows;
    }

    private static int gifFrames(byte[] gif) throws Exception {
        ImageReader reader = ImageIO.getImageReadersByFormatName("gif").next();
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(gif))) {
            reader.setInput(in);
            return reader.getNumImages(true);
        } finally {
            reader.dispose();
        }
    }

    @Test
    @Order(7)
    void travelPipelineProducesOneAnimation() throws Exception {
        UUID orchestrator = UUID.fromString(api.createTask(project, "travel_orchestrator", travelParams(0))
                .path("id")
                .asText());

        List<JsonNode> children = awaitPipeline(orchestrator);

        JsonNode parent = awaitStatus(orchestrator, "complete", Duration.ofSeconds(30));
        assertThat(parent.path("attempts").asInt()).isEqualTo(1);
        assertThat(children)
                .extracting(c -> c.path("taskType").asText())
                .containsExactly("travel_segment", "travel_segment", "travel_segment", "travel_stitch");
        assertThat(children).allSatisfy(c -> {
            assertThat(c.path("parentTaskId").asText()).isEqualTo(orchestrator.toString());
            assertThat(c.path("projectId").asText()).isEqualTo(project.toString());
            assertThat(c.path("status").asText()).as(c.toString()).isEqualTo("complete");
        });
        List<JsonNode> segments = children.subList(0, 3);
        JsonNode stitch = children.get(3);
        assertThat(stitch.path("dependsOn"))
                .extracting(JsonNode::asText)
                .containsExactlyElementsOf(
                        segments.stream().map(c -> c.path("id").asText()).toList());
        // the stitch ran only after every segment completed
        Instant stitchClaimed = Instant.parse(stitch.path("claimedAt").asText());
        assertThat(segments)
                .allSatisfy(c -> assertThat(Instant.parse(c.path("completedAt").asText()))
                        .isBefore(stitchClaimed));
        // the plan names the children the orchestrator created
        assertThat(parent.path("metadata").path("stitchTaskId").asText())
                .isEqualTo(stitch.path("id").asText());

        byte[] gif = Api.download(stitch.path("outputLocation").asText());
        assertThat(new String(gif, 0, 6, StandardCharsets.US_ASCII)).isEqualTo("GIF89a");
        assertThat(gifFrames(gif)).isEqualTo(12);
        assertThat(stitch.path("metadata").path("frames").asInt()).isEqualTo(12);
        BufferedImage first = ImageIO.read(new ByteArrayInputStream(gif));
        assertThat(first.getWidth()).isEqualTo(64);
        assertThat(first.getHeight()).isEqualTo(64);

        // progress reached task-api while the segments ran (complete keeps the last message)
        assertThat(segments)
                .allSatisfy(c -> assertThat(c.path("progressMessage").asText())
                        .as(c.toString())
                        .startsWith("frame "));
        // the orchestrator's create held the whole pipeline (2 + 3 segments * 3 + 1 stitch); each child drew its cost
        // from that hold and captured it on completion: the user paid the estimate, once
        assertThat(children).extracting(c -> c.path("cost").asLong()).containsExactly(3L, 3L, 3L, 1L);
        for (JsonNode c : children) {
            long cost = c.path("cost").asLong();
            assertThat(ledger(c.path("id").asText()))
                    .as(c.path("taskType").asText())
                    .containsExactly("capture:" + cost);
        }
        assertThat(parent.path("cost").asLong()).isEqualTo(2);
        assertThat(ledger(orchestrator.toString())).containsExactly("hold:12", "capture:2");
        JsonNode account = api.account();
        assertThat(account.path("held").asLong()).isZero();
        assertThat(account.path("balance").asLong()).isEqualTo(1000 - 12);
    }

    @Test
    @Order(8)
    void aRetriedOrchestratorFindsTheChildrenOfItsFailedAttemptInsteadOfCreatingDuplicates() throws Exception {
        // attempt 1 creates all children, then fails retryably; attempt 2 (a new lease) creates them again by key
        UUID orchestrator = UUID.fromString(api.createTask(project, "travel_orchestrator", travelParams(1))
                .path("id")
                .asText());

        JsonNode parent = awaitStatus(orchestrator, "complete", Duration.ofSeconds(60));
        List<JsonNode> children = awaitPipeline(orchestrator);

        assertThat(parent.path("attempts").asInt()).isEqualTo(2);
        assertThat(children)
                .extracting(c -> c.path("taskType").asText())
                .containsExactly("travel_segment", "travel_segment", "travel_segment", "travel_stitch");
        List<String> ids = children.stream().map(c -> c.path("id").asText()).toList();
        assertThat(parent.path("metadata").path("segmentTaskIds"))
                .extracting(JsonNode::asText)
                .containsExactlyElementsOf(ids.subList(0, 3));
        assertThat(parent.path("metadata").path("stitchTaskId").asText()).isEqualTo(ids.get(3));
        assertThat(children.get(3).path("status").asText()).isEqualTo("complete");
        assertThat(gifFrames(Api.download(children.get(3).path("outputLocation").asText())))
                .isEqualTo(12);
        for (JsonNode c : children) {
            assertThat(ledger(c.path("id").asText()))
                    .as("drawn once, captured once")
                    .containsExactly("capture:" + c.path("cost").asLong());
        }
        assertThat(ledger(orchestrator.toString())).containsExactly("hold:12", "capture:2");
        assertThat(api.account().path("balance").asLong()).isEqualTo(1000 - 12);
    }

    @Test
    @Order(10)
    void theWorkerClaimsExactlyTheTypesItHasHandlersFor() throws Exception {
        await().atMost(Duration.ofSeconds(10)).until(() -> runtime.claimRequests() > 0);
        String recorded;
        try (Connection c = DriverManager.getConnection(
                        DevstackResource.devstack().postgres().jdbcUrl(TaskApiProcess.DATABASE),
                        Postgres.USER,
                        Postgres.PASSWORD);
                PreparedStatement s = c.prepareStatement(
                        "SELECT array_to_string(task_types, ',') FROM workers WHERE worker_id = ?")) {
            s.setString(1, runtime.workerId());
            try (ResultSet rs = s.executeQuery()) {
                assertThat(rs.next()).as("task-api recorded the worker").isTrue();
                recorded = rs.getString(1);
            }
        }
        // What task-api lets this worker claim (its capabilities narrowed by the claim's taskTypes) is its handlers'
        // types
        // that task-api configures: the README's "shout" handler (test source) is a type task-api does not know, and
        // the
        // benchmark's noop (capability bench, no handler here) is left out.
        List<String> known =
                runtime.taskTypes().stream().filter(t -> !t.equals("shout")).toList();
        assertThat(runtime.taskTypes()).contains("shout");
        assertThat(List.of(recorded.split(",")))
                .containsExactlyInAnyOrderElementsOf(known)
                .containsExactlyInAnyOrder("single_image", "travel_orchestrator", "travel_segment", "travel_stitch");
    }

    @Test
    @Order(9)
    void theWorkerKeepsClaimingByLongPollWhileKafkaIsDown() throws Exception {
        DevstackResource.devstack().kafka().kill();
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> !wakeups.healthy());
            UUID id = UUID.fromString(api.createTask(
                            project, "single_image", Api.json("{\"prompt\":\"no kafka\",\"width\":16,\"height\":16}"))
                    .path("id")
                    .asText());
            awaitStatus(id, "complete", Duration.ofSeconds(20));
        } finally {
            DevstackResource.devstack().kafka().restart();
        }
        await().atMost(Duration.ofSeconds(60)).until(wakeups::healthy);
    }

    @Test
    @Order(10)
    void cancellingARunningPipelineAtItsRootStopsItsSegmentsOnTheWorkerAndReleasesWhatTheyHold() throws Exception {
        // two segments of 60 s each: still running when the user cancels the pipeline at its (completed) orchestrator
        UUID orchestrator = UUID.fromString(api.createTask(
                        project,
                        "travel_orchestrator",
                        Api.json(
                                "{\"full_orchestrator_payload\":{\"width\":16,\"height\":16,\"segments\":["
                                        + "{\"prompt\":\"a\",\"frames\":2,\"work_ms\":60000},{\"prompt\":\"b\",\"frames\":2,\"work_ms\":60000}]}}"))
                .path("id")
                .asText());
        awaitStatus(orchestrator, "complete", Duration.ofSeconds(30));
        List<JsonNode> children = new ArrayList<>();
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> {
                    children.clear();
                    api.children(orchestrator).forEach(children::add);
                    assertThat(children)
                            .extracting(c -> c.path("status").asText())
                            .containsExactly("in_progress", "in_progress", "waiting");
                });
        await().atMost(Duration.ofSeconds(5)).until(() -> runtime.runningCount() == 2);

        api.cancel(orchestrator);

        // the running segments' next heartbeat answers cancelled: their handlers stop, nothing is completed
        await().atMost(TaskApiProcess.LEASE).until(() -> runtime.runningCount() == 0);
        for (JsonNode c : children) {
            UUID id = UUID.fromString(c.path("id").asText());
            assertThat(api.task(id).path("status").asText()).isEqualTo("cancelled");
            assertThat(ledger(id.toString()))
                    .containsExactly("release:" + c.path("cost").asLong());
        }
        assertThat(ledger(orchestrator.toString())).containsExactly("hold:9", "capture:2");
        JsonNode account = api.account();
        assertThat(account.path("held").asLong()).isZero();
        assertThat(account.path("balance").asLong()).isEqualTo(1000 - 2);
    }
}
