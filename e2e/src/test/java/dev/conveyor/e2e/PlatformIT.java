package dev.conveyor.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.contracts.Topics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The packaged services as separate processes on devstack: what a user of the platform sees, across processes. */
class PlatformIT {
    static Platform platform;

    @BeforeAll
    static void start() throws Exception {
        platform = Platform.start("platform");
    }

    @AfterAll
    static void stop() throws Exception {
        if (platform != null) {
            platform.close();
        }
    }

    record Tenant(UUID userId, Api api, String projectId) {}

    static Tenant newTenant(long credits) {
        UUID user = UUID.randomUUID();
        platform.adminApi()
                .post(
                        platform.taskApi.url() + "/v1/admin/accounts/" + user + "/credits",
                        Map.of("amount", credits, "reason", "e2e"))
                .ok();
        Api api = platform.userApi(user);
        String project = api.post(platform.taskApi.url() + "/v1/projects", Map.of("name", "e2e"))
                .ok()
                .get("id")
                .asText();
        return new Tenant(user, api, project);
    }

    static String createImageTask(Tenant t, String prompt) {
        return createImageTask(t, prompt, Map.of());
    }

    /** single_image with extra params, e.g. the handler's failure knobs {@code fail_attempts} / {@code fail_permanently}. */
    static String createImageTask(Tenant t, String prompt, Map<String, Object> extra) {
        Map<String, Object> params = new HashMap<>(Map.of("prompt", prompt, "width", 64, "height", 64, "seed", 7));
        params.putAll(extra);
        return t.api.post(
                        platform.taskApi.url() + "/v1/tasks",
                        Map.of("projectId", t.projectId, "taskType", "single_image", "params", params))
                .ok()
                .get("id")
                .asText();
    }

    static JsonNode task(Tenant t, String taskId) {
        return t.api.get(platform.taskApi.url() + "/v1/tasks/" + taskId).ok();
    }

    static JsonNode account(Tenant t) {
        return t.api.get(platform.taskApi.url() + "/v1/account").ok();
    }

    static JsonNode awaitStatus(Tenant t, String taskId, String status) {
        return await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200))
                .until(
                        () -> t.api.get(platform.taskApi.url() + "/v1/tasks/" + taskId)
                                .ok(),
                        task -> status.equals(task.get("status").asText()));
    }

    static List<JsonNode> generationsOf(Tenant t, String taskId) {
        JsonNode body = t.api.get(platform.generation.url() + "/v1/generations?taskId=" + taskId)
                .ok();
        List<JsonNode> list = new ArrayList<>();
        body.forEach(list::add);
        return list;
    }

    @Test
    void aTaskGoesFromCreateToGenerationAndEveryStepReachesTheBrowser() throws Exception {
        Tenant t = newTenant(100);
        try (RealtimeClient ws = new RealtimeClient(platform.gateway.url(), t.api.token)) {
            ws.send(Map.of("type", "subscribe", "channel", "project:" + t.projectId));
            ws.send(Map.of("type", "subscribe", "channel", "user:" + t.userId));
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> ws.framesOfType("subscribed").size() == 2);

            String taskId = createImageTask(t, "a red fox, end to end");
            JsonNode done = awaitStatus(t, taskId, "complete");

            // the output is a real PNG served where the task says
            HttpResponse<byte[]> png = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create(
                                            done.get("outputLocation").asText()))
                                    .build(),
                            HttpResponse.BodyHandlers.ofByteArray());
            assertThat(png.statusCode()).isEqualTo(200);
            assertThat(png.body()).startsWith(0x89, 'P', 'N', 'G');

            // exactly one generation, an image at that location
            List<JsonNode> generations =
                    await().atMost(Duration.ofSeconds(30)).until(() -> generationsOf(t, taskId), g -> !g.isEmpty());
            assertThat(generations).hasSize(1);
            assertThat(generations.get(0).get("type").asText()).isEqualTo("image");
            assertThat(generations.get(0).get("location").asText())
                    .isEqualTo(done.get("outputLocation").asText());

            // credits: held at create, captured on complete
            long cost = done.get("cost").asLong();
            JsonNode account = t.api.get(platform.taskApi.url() + "/v1/account").ok();
            assertThat(account.get("balance").asLong()).isEqualTo(100 - cost);
            assertThat(account.get("held").asLong()).isZero();

            // the browser was told, with exactly the canonical keys
            String p = t.projectId;
            await().atMost(Duration.ofSeconds(20))
                    .untilAsserted(() -> assertThat(invalidatedKeys(ws, "project:" + p))
                            .contains(
                                    "[\"task-status-counts\",\"" + p + "\"]",
                                    "[\"tasks\",\"paginated\",\"" + p + "\",1]",
                                    "[\"unified-generations\",\"project\",\"" + p + "\"]"));
            assertThat(ws.framesOfType("error")).isEmpty();
        }
    }

    @Test
    void generationServiceRestartedInABurstLosesAndDuplicatesNothing() throws Exception {
        Tenant t = newTenant(1000);
        List<String> tasks = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            tasks.add(createImageTask(t, "burst " + i));
        }
        platform.generation.restart();
        for (int i = 10; i < 20; i++) {
            tasks.add(createImageTask(t, "burst " + i));
        }
        for (String task : tasks) {
            awaitStatus(t, task, "complete");
        }
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            for (String task : tasks) {
                assertThat(generationsOf(t, task)).as("generations of " + task).hasSize(1);
            }
        });
    }

    @Test
    void kafkaBrokerRestartLosesNoEvents() throws Exception {
        Tenant t = newTenant(1000);
        String before = createImageTask(t, "before the broker restart");
        platform.devstack.kafka().restart();
        String after = createImageTask(t, "after the broker restart");
        for (String task : List.of(before, after)) {
            awaitStatus(t, task, "complete");
            await().atMost(Duration.ofSeconds(60))
                    .untilAsserted(() -> assertThat(generationsOf(t, task)).hasSize(1));
        }
    }

    /**
     * The dashboard in Debian's headless Chromium, driven by Playwright (e2e/browser/dashboard-check.mjs): a task from
     * create to image without a reload, the SDK's connection state ('live', and 'polling' in a tab whose WebSocket is
     * refused, which still sees its task complete) and lead (one of the user's tabs leads; another takes over). Needs
     * /usr/bin/chromium and `npm ci` in e2e/browser (.ci/run installs both and sets CONVEYOR_REQUIRE_BROWSER=1, so in CI
     * a missing browser fails instead of skipping).
     */
    @Test
    void dashboardShowsTasksLiveOrPollingWithoutAReloadAndOneLeadingTab() throws Exception {
        Path browserDir = Path.of(System.getProperty("conveyor.root", ".."))
                .resolve("e2e/browser")
                .toAbsolutePath()
                .normalize();
        Path chromium = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));
        boolean ready =
                Files.isExecutable(chromium) && Files.isDirectory(browserDir.resolve("node_modules/playwright-core"));
        if (!ready) {
            NodeTool.skipOrFail(
                    "browser check needs " + chromium + " (apt-get install chromium) and `npm ci` in " + browserDir,
                    "CONVEYOR_REQUIRE_BROWSER");
        }
        Tenant t = newTenant(100);
        Path screenshot = Path.of("target", "dashboard.png").toAbsolutePath();
        Files.deleteIfExists(screenshot);
        ProcessBuilder pb = new ProcessBuilder("node", "dashboard-check.mjs")
                .directory(browserDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(Path.of("target", "dashboard-check.log").toFile());
        pb.environment()
                .put(
                        "DASHBOARD_URL",
                        platform.gateway.url() + "/?taskApiUrl=" + platform.taskApi.url() + "&generationUrl="
                                + platform.generation.url() + "&gatewayUrl=" + platform.gateway.url());
        pb.environment().put("USER_TOKEN", t.api.token);
        pb.environment().put("SCREENSHOT", screenshot.toString());
        pb.environment().put("CHROMIUM", chromium.toString());
        Process node = pb.start();
        boolean finished = node.waitFor(240, TimeUnit.SECONDS);
        if (!finished) {
            NodeTool.destroyTree(node);
        }
        assertThat(finished)
                .as("browser check finished, see target/dashboard-check.log: "
                        + NodeTool.tail(Path.of("target", "dashboard-check.log"), 60))
                .isTrue();
        assertThat(node.exitValue())
                .as("browser check, see target/dashboard-check.log: "
                        + Files.readString(Path.of("target", "dashboard-check.log")))
                .isZero();
        assertThat(Files.size(screenshot)).isGreaterThan(10_000);
    }

    // ---- retries, crashes and restarts across processes

    /** A client subscribed to the tenant's project and user channels. */
    static RealtimeClient subscribedClient(Tenant t) throws Exception {
        RealtimeClient ws = new RealtimeClient(platform.gateway.url(), t.api.token);
        ws.send(Map.of("type", "subscribe", "channel", "project:" + t.projectId));
        ws.send(Map.of("type", "subscribe", "channel", "user:" + t.userId));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> ws.framesOfType("subscribed").size() == 2);
        return ws;
    }

    /** The task's status-changing events on task-events (progress and generation updates left out), in commit order. */
    static List<JsonNode> lifecycle(String taskId) {
        return Events.about(platform.devstack.kafka().bootstrapServers(), Topics.TASK_EVENTS, taskId).stream()
                .filter(e -> !Set.of("task.progress", "task.updated")
                        .contains(e.path("type").asText()))
                .toList();
    }

    /** The ledger entries ({@code entryKind}) of one task on the user's account-events, in order. */
    static List<String> ledgerOf(Tenant t, String taskId) {
        return Events.about(platform.devstack.kafka().bootstrapServers(), Topics.ACCOUNT_EVENTS, t.userId.toString())
                .stream()
                .filter(e -> "credits.changed".equals(e.path("type").asText()))
                .filter(e -> taskId.equals(e.path("data").path("taskId").asText()))
                .map(e -> e.path("data").path("entryKind").asText())
                .toList();
    }

    static long backoffMillis(JsonNode requeued) {
        JsonNode data = requeued.get("data");
        return Duration.between(
                        Instant.parse(data.get("updatedAt").asText()),
                        Instant.parse(data.get("runAfter").asText()))
                .toMillis();
    }

    @Test
    void aFailingHandlerRetriesWithBackoffThenFailsAndReleasesCredits() throws Exception {
        Tenant t = newTenant(100);
        try (RealtimeClient ws = subscribedClient(t)) {
            // more failing attempts than single_image allows (3): every attempt fails
            String taskId = createImageTask(t, "fails every time", Map.of("fail_attempts", 5));
            long cost = task(t, taskId).get("cost").asLong();
            assertThat(cost).isPositive();
            // the first failure needs a claim and a report, the last one comes after >= 6 s of backoff: still held here
            assertThat(account(t).get("held").asLong()).isEqualTo(cost);

            JsonNode failed = awaitStatus(t, taskId, "failed");
            assertThat(failed.get("attempts").asInt()).isEqualTo(3);
            assertThat(failed.get("maxAttempts").asInt()).isEqualTo(3);
            assertThat(failed.get("errorMessage").asText()).contains("fail_attempts=5: attempt 3 fails");
            assertThat(failed.path("outputLocation").isNull()
                            || failed.path("outputLocation").isMissingNode())
                    .isTrue();

            // the hold is released: the balance is where it was
            JsonNode acc = account(t);
            assertThat(acc.get("balance").asLong()).isEqualTo(100);
            assertThat(acc.get("held").asLong()).isZero();
            assertThat(acc.get("available").asLong()).isEqualTo(100);

            // three claims, a requeue with growing backoff between them, then the final failure
            List<JsonNode> events = await().atMost(Duration.ofSeconds(30))
                    .until(
                            () -> lifecycle(taskId),
                            e -> !e.isEmpty()
                                    && "task.failed"
                                            .equals(e.get(e.size() - 1)
                                                    .path("type")
                                                    .asText()));
            assertThat(Events.types(events))
                    .containsExactly(
                            "task.created",
                            "task.claimed",
                            "task.requeued",
                            "task.claimed",
                            "task.requeued",
                            "task.claimed",
                            "task.failed");
            assertThat(events.stream()
                            .filter(e -> "task.claimed".equals(e.path("type").asText()))
                            .map(e -> e.get("data").get("attempts").asInt()))
                    .containsExactly(1, 2, 3);
            JsonNode firstRequeue = events.get(2);
            JsonNode secondRequeue = events.get(4);
            assertThat(firstRequeue.get("data").get("status").asText()).isEqualTo("queued");
            assertThat(firstRequeue.get("data").get("errorMessage").asText()).contains("attempt 1 fails");
            assertThat(secondRequeue.get("data").get("errorMessage").asText()).contains("attempt 2 fails");
            // backoff 2 s doubling, jitter 0..d/2 on top (docs/worker-protocol.md): [2 s, 3 s] after attempt 1, [4 s, 6
            // s] after 2
            assertThat(backoffMillis(firstRequeue)).isBetween(2_000L, 3_000L);
            assertThat(backoffMillis(secondRequeue)).isBetween(4_000L, 6_000L);
            Instant runAfter1 =
                    Instant.parse(firstRequeue.get("data").get("runAfter").asText());
            Instant runAfter2 =
                    Instant.parse(secondRequeue.get("data").get("runAfter").asText());
            assertThat(runAfter2).isAfter(runAfter1);
            // no claim before its backoff ran out
            assertThat(Instant.parse(events.get(3).get("data").get("updatedAt").asText()))
                    .isAfterOrEqualTo(runAfter1);
            assertThat(Instant.parse(events.get(5).get("data").get("updatedAt").asText()))
                    .isAfterOrEqualTo(runAfter2);
            JsonNode last = events.get(6).get("data");
            assertThat(last.get("status").asText()).isEqualTo("failed");
            assertThat(last.get("errorMessage").asText()).contains("attempt 3 fails");

            // held on create, released on the final failure, never captured
            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(ledgerOf(t, taskId)).containsExactly("hold", "release"));

            // the browser was told about the task and about the credits
            String p = t.projectId;
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                assertThat(invalidatedKeys(ws, "project:" + p))
                        .contains(
                                "[\"task-status-counts\",\"" + p + "\"]", "[\"tasks\",\"paginated\",\"" + p + "\",1]");
                assertThat(invalidatedKeys(ws, "user:" + t.userId)).contains("[\"account\",\"" + t.userId + "\"]");
            });
            assertThat(ws.framesOfType("error")).isEmpty();
        }
    }

    @Test
    void aHandlerThatFailsOnceSucceedsOnItsSecondAttemptAndCapturesCredits() throws Exception {
        Tenant t = newTenant(100);
        String taskId = createImageTask(t, "fails once", Map.of("fail_attempts", 1));
        JsonNode done = awaitStatus(t, taskId, "complete");
        assertThat(done.get("attempts").asInt()).isEqualTo(2);
        assertThat(done.get("outputLocation").asText()).endsWith("/image.png");

        long cost = done.get("cost").asLong();
        JsonNode acc = account(t);
        assertThat(acc.get("balance").asLong()).isEqualTo(100 - cost);
        assertThat(acc.get("held").asLong()).isZero();

        List<JsonNode> events = await().atMost(Duration.ofSeconds(30))
                .until(() -> lifecycle(taskId), e -> Events.types(e).contains("task.completed"));
        assertThat(Events.types(events))
                .containsExactly("task.created", "task.claimed", "task.requeued", "task.claimed", "task.completed");
        assertThat(events.get(2).get("data").get("errorMessage").asText()).contains("attempt 1 fails");
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(ledgerOf(t, taskId)).containsExactly("hold", "capture"));
        List<JsonNode> generations =
                await().atMost(Duration.ofSeconds(30)).until(() -> generationsOf(t, taskId), g -> !g.isEmpty());
        assertThat(generations).hasSize(1);
    }

    @Test
    void aPermanentFailureFailsOnTheFirstAttemptAndReleasesCredits() throws Exception {
        Tenant t = newTenant(100);
        String taskId = createImageTask(t, "cannot work", Map.of("fail_permanently", true));
        JsonNode failed = awaitStatus(t, taskId, "failed");
        assertThat(failed.get("attempts").asInt()).isEqualTo(1);
        assertThat(failed.get("errorMessage").asText()).contains("fail_permanently");
        JsonNode acc = account(t);
        assertThat(acc.get("balance").asLong()).isEqualTo(100);
        assertThat(acc.get("held").asLong()).isZero();
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(Events.types(lifecycle(taskId)))
                        .containsExactly("task.created", "task.claimed", "task.failed"));
    }

    @Test
    void aWorkerKilledMidTaskLeavesItsTaskToAnotherWorkerWhichCompletesItOnce() throws Exception {
        Tenant t = newTenant(100);
        // 8 s of simulated GPU time in 4 steps: progress 20 after the first step
        String taskId = createImageTask(t, "survives a worker crash", Map.of("work_ms", 8_000));
        JsonNode running = await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200))
                .until(
                        () -> task(t, taskId),
                        x -> "in_progress".equals(x.get("status").asText())
                                && x.path("progress").asInt() > 0);
        String firstWorker = running.get("workerId").asText();
        assertThat(firstWorker).isNotBlank();
        assertThat(running.get("attempts").asInt()).isEqualTo(1);

        ProcessHandle jvm = platform.worker.jvm();
        // the signal must reach the JVM itself, not a wrapper around it
        assertThat(jvm.info().command())
                .hasValueSatisfying(
                        c -> assertThat(Path.of(c).getFileName().toString()).isEqualTo("java"));
        try {
            platform.worker.kill(); // SIGKILL: no shutdown hook, no hand-back, the lease just stops being renewed
            assertThat(jvm.isAlive()).isFalse();

            // with no worker running, the reaper puts it back once the lease ran out
            JsonNode requeued = await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(200))
                    .until(
                            () -> task(t, taskId),
                            x -> "queued".equals(x.get("status").asText()));
            assertThat(requeued.get("attempts").asInt()).isEqualTo(1);
        } finally {
            if (!platform.worker.isAlive()) {
                platform.worker.start(); // worker 2: a new JVM with a new worker id
            }
        }
        assertThat(platform.worker.jvm().pid()).isNotEqualTo(jvm.pid());

        JsonNode done = await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(200))
                .until(
                        () -> task(t, taskId),
                        x -> "complete".equals(x.get("status").asText()));
        assertThat(done.get("attempts").asInt()).isEqualTo(2);
        assertThat(done.get("workerId").asText()).isNotBlank().isNotEqualTo(firstWorker);

        // exactly one generation, one task.completed; the credits captured once
        List<JsonNode> generations =
                await().atMost(Duration.ofSeconds(30)).until(() -> generationsOf(t, taskId), g -> !g.isEmpty());
        assertThat(generations).hasSize(1);
        assertThat(generations.get(0).get("location").asText())
                .isEqualTo(done.get("outputLocation").asText());
        List<JsonNode> events = await().atMost(Duration.ofSeconds(30))
                .until(() -> lifecycle(taskId), e -> Events.types(e).contains("task.completed"));
        assertThat(Events.types(events))
                .containsExactly("task.created", "task.claimed", "task.requeued", "task.claimed", "task.completed");
        assertThat(events.get(1).get("data").get("workerId").asText()).isEqualTo(firstWorker);
        assertThat(events.get(3).get("data").get("workerId").asText())
                .isEqualTo(done.get("workerId").asText());
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(ledgerOf(t, taskId)).containsExactly("hold", "capture"));
        assertThat(account(t).get("balance").asLong())
                .isEqualTo(100 - done.get("cost").asLong());
        // and still exactly one generation once everything settled
        assertThat(generationsOf(t, taskId)).hasSize(1);
    }

    @Test
    void aClientConnectedThroughAGatewayRestartResumesWithRecovered() throws Exception {
        Tenant t = newTenant(100);
        String p = t.projectId;
        String channel = "project:" + p;
        String position;
        try {
            try (RealtimeClient ws = new RealtimeClient(platform.gateway.url(), t.api.token)) {
                ws.send(Map.of("type", "subscribe", "channel", channel));
                await().atMost(Duration.ofSeconds(20))
                        .until(() -> !ws.framesOfType("subscribed").isEmpty());
                String before = createImageTask(t, "before the gateway restart");
                awaitStatus(t, before, "complete");
                await().atMost(Duration.ofSeconds(30))
                        .untilAsserted(() -> assertThat(invalidatedKeys(ws, channel))
                                .contains("[\"unified-generations\",\"project\",\"" + p + "\"]"));
                position = latestPosition(ws, channel);
                assertThat(position).contains("task-events:");

                platform.gateway.stop(); // SIGTERM, as Kubernetes stops a pod
                await().atMost(Duration.ofSeconds(30)).until(() -> ws.closeCode != null);
                assertThat(ws.closeCode)
                        .as("close code on a gateway's SIGTERM (service restart)")
                        .isEqualTo(1012);
            }
            // while the gateway is down a task completes and its generation is stored
            String during = createImageTask(t, "while the gateway is down");
            awaitStatus(t, during, "complete");
            await().atMost(Duration.ofSeconds(30)).until(() -> generationsOf(t, during), g -> !g.isEmpty());
        } finally {
            if (!platform.gateway.isAlive()) {
                platform.gateway.start();
            }
        }

        String from = position;
        try (RealtimeClient ws = new RealtimeClient(platform.gateway.url(), t.api.token)) {
            ws.send(Map.of("type", "subscribe", "channel", channel, "since", from));
            JsonNode subscribed = await().atMost(Duration.ofSeconds(30))
                    .until(() -> ws.framesOfType("subscribed"), f -> !f.isEmpty())
                    .get(0);
            assertThat(subscribed.get("channel").asText()).isEqualTo(channel);
            assertThat(subscribed.get("recovered").asBoolean())
                    .as("subscribed after restart: " + subscribed)
                    .isTrue();
            assertThat(subscribed.get("position").asText()).isNotEqualTo(from);
            // the missed task.completed and generation.created, replayed as one covering invalidate
            await().atMost(Duration.ofSeconds(20))
                    .untilAsserted(() -> assertThat(invalidatedKeys(ws, channel))
                            .contains(
                                    "[\"task-status-counts\",\"" + p + "\"]",
                                    "[\"tasks\",\"paginated\",\"" + p + "\",1]",
                                    "[\"unified-generations\",\"project\",\"" + p + "\"]"));
            assertThat(ws.framesOfType("reset")).isEmpty();
            assertThat(ws.framesOfType("error")).isEmpty();
        }
    }

    /** The last position the client got for a channel (from subscribed, invalidate or reset frames). */
    static String latestPosition(RealtimeClient ws, String channel) {
        String position = null;
        for (JsonNode f : ws.frames) {
            if (channel.equals(f.path("channel").asText()) && f.hasNonNull("position")) {
                position = f.get("position").asText();
            }
        }
        assertThat(position).as("a position for " + channel).isNotNull();
        return position;
    }

    static Set<String> invalidatedKeys(RealtimeClient ws, String channel) {
        return ws.framesOfType("invalidate").stream()
                .filter(f -> channel.equals(f.path("channel").asText()))
                .flatMap(f -> {
                    List<String> keys = new ArrayList<>();
                    f.get("keys").forEach(k -> keys.add(k.toString()));
                    return keys.stream();
                })
                .collect(Collectors.toSet());
    }
}
