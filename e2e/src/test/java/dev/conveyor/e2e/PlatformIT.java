package dev.conveyor.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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

    record Tenant(UUID userId, Api api, String projectId) {
    }

    static Tenant newTenant(long credits) {
        UUID user = UUID.randomUUID();
        platform.adminApi().post(platform.taskApi.url() + "/v1/admin/accounts/" + user + "/credits",
                Map.of("amount", credits, "reason", "e2e")).ok();
        Api api = platform.userApi(user);
        String project = api.post(platform.taskApi.url() + "/v1/projects", Map.of("name", "e2e")).ok().get("id").asText();
        return new Tenant(user, api, project);
    }

    static String createImageTask(Tenant t, String prompt) {
        return t.api.post(platform.taskApi.url() + "/v1/tasks", Map.of("projectId", t.projectId, "taskType", "single_image",
                "params", Map.of("prompt", prompt, "width", 64, "height", 64, "seed", 7))).ok().get("id").asText();
    }

    static JsonNode awaitStatus(Tenant t, String taskId, String status) {
        return await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> t.api.get(platform.taskApi.url() + "/v1/tasks/" + taskId).ok(),
                        task -> status.equals(task.get("status").asText()));
    }

    static List<JsonNode> generationsOf(Tenant t, String taskId) {
        JsonNode body = t.api.get(platform.generation.url() + "/v1/generations?taskId=" + taskId).ok();
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
            await().atMost(Duration.ofSeconds(10)).until(() -> ws.framesOfType("subscribed").size() == 2);

            String taskId = createImageTask(t, "a red fox, end to end");
            JsonNode done = awaitStatus(t, taskId, "complete");

            // the output is a real PNG served where the task says
            HttpResponse<byte[]> png = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(done.get("outputLocation").asText())).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(png.statusCode()).isEqualTo(200);
            assertThat(png.body()).startsWith(0x89, 'P', 'N', 'G');

            // exactly one generation, an image at that location
            List<JsonNode> generations = await().atMost(Duration.ofSeconds(30)).until(() -> generationsOf(t, taskId), g -> !g.isEmpty());
            assertThat(generations).hasSize(1);
            assertThat(generations.get(0).get("type").asText()).isEqualTo("image");
            assertThat(generations.get(0).get("location").asText()).isEqualTo(done.get("outputLocation").asText());

            // credits: held at create, captured on complete
            long cost = done.get("cost").asLong();
            JsonNode account = t.api.get(platform.taskApi.url() + "/v1/account").ok();
            assertThat(account.get("balance").asLong()).isEqualTo(100 - cost);
            assertThat(account.get("held").asLong()).isZero();

            // the browser was told, with exactly the canonical keys
            String p = t.projectId;
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(invalidatedKeys(ws, "project:" + p))
                    .contains("[\"task-status-counts\",\"" + p + "\"]", "[\"tasks\",\"paginated\",\"" + p + "\",1]",
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
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(generationsOf(t, task)).hasSize(1));
        }
    }

    /**
     * The dashboard in Debian's headless Chromium, driven by Playwright (e2e/browser/dashboard-check.mjs). Needs
     * /usr/bin/chromium and `npm ci` in e2e/browser (.ci/run installs both and sets CONVEYOR_REQUIRE_BROWSER=1, so in CI
     * a missing browser fails instead of skipping).
     */
    @Test
    void dashboardShowsATaskCompleteAndItsImageWithoutAReload() throws Exception {
        Path browserDir = Path.of(System.getProperty("conveyor.root", "..")).resolve("e2e/browser").toAbsolutePath().normalize();
        Path chromium = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));
        boolean ready = Files.isExecutable(chromium) && Files.isDirectory(browserDir.resolve("node_modules/playwright-core"));
        if (!ready) {
            String why = "browser check needs " + chromium + " (apt-get install chromium) and `npm ci` in " + browserDir;
            assertThat(System.getenv("CONVEYOR_REQUIRE_BROWSER")).as(why).isNotEqualTo("1");
            Assumptions.abort(why);
        }
        Tenant t = newTenant(100);
        Path screenshot = Path.of("target", "dashboard.png").toAbsolutePath();
        Files.deleteIfExists(screenshot);
        ProcessBuilder pb = new ProcessBuilder("node", "dashboard-check.mjs").directory(browserDir.toFile())
                .redirectErrorStream(true).redirectOutput(Path.of("target", "dashboard-check.log").toFile());
        pb.environment().put("DASHBOARD_URL", platform.gateway.url() + "/?taskApiUrl=" + platform.taskApi.url()
                + "&generationUrl=" + platform.generation.url() + "&gatewayUrl=" + platform.gateway.url());
        pb.environment().put("USER_TOKEN", t.api.token);
        pb.environment().put("SCREENSHOT", screenshot.toString());
        pb.environment().put("CHROMIUM", chromium.toString());
        Process node = pb.start();
        assertThat(node.waitFor(150, TimeUnit.SECONDS)).as("browser check finished").isTrue();
        assertThat(node.exitValue()).as("browser check, see target/dashboard-check.log: "
                + Files.readString(Path.of("target", "dashboard-check.log"))).isZero();
        assertThat(Files.size(screenshot)).isGreaterThan(10_000);
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
