package dev.conveyor.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conveyor.devstack.Ports;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@code @conveyor/react} (clients/react) and the reference studio app (examples/studio) against the real platform,
 * on one platform whose services also allow the studio's origin (CORS):
 * <ol>
 *   <li>the hooks' integration tests ({@code npm run test:integration} in clients/react, node's test runner with React
 *       Testing Library on happy-dom), with ClientSdkIT's environment (URLs, admin token, fresh users, gateway control);</li>
 *   <li>the studio in Debian's headless Chromium (e2e/browser/studio-check.mjs, playwright-core), serving the studio's
 *       production build ({@code examples/studio/dist}, made by {@code npm run build} there) itself: two pages of one
 *       user see an image appear without a reload, a failing task's error toast shows once, with the gateway stopped
 *       both pages poll and still see a new image within 20 s, a travel pipeline's video lands in a shot and is
 *       placed, and one page leads until it closes (the other within 7 s).</li>
 * </ol>
 * Each needs node and its npm setup ({@code npm ci} in clients/react; {@code npm ci} in e2e/browser, the studio's
 * build and /usr/bin/chromium); without them it is skipped, unless CONVEYOR_REQUIRE_SDK=1 / CONVEYOR_REQUIRE_BROWSER=1
 * (.ci/run sets both), then it fails. Node output: target/react-it.log and target/studio-check.log.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReactStudioIT {
    static final Duration TIMEOUT = Duration.ofMinutes(6);
    static final Path ROOT =
            Path.of(System.getProperty("conveyor.root", "..")).toAbsolutePath().normalize();

    static int studioPort;
    static Platform platform;
    static GatewayControl control;

    @BeforeAll
    static void startPlatform() throws Exception {
        // nothing to run here (and nothing required): no platform to start either
        if (hooksMissing() != null
                && studioMissing() != null
                && !"1".equals(System.getenv("CONVEYOR_REQUIRE_SDK"))
                && !"1".equals(System.getenv("CONVEYOR_REQUIRE_BROWSER"))) {
            Assumptions.abort(hooksMissing() + "; " + studioMissing());
        }
        studioPort = Ports.free();
        platform = Platform.start("react-studio", List.of(studioOrigin()));
        control = GatewayControl.start(platform.gateway);
    }

    @AfterAll
    static void stopPlatform() throws Exception {
        if (control != null) {
            control.close();
        }
        if (platform != null) {
            platform.close();
        }
    }

    static String studioOrigin() {
        return "http://127.0.0.1:" + studioPort;
    }

    /** Why the hooks' integration tests cannot run here, or null. */
    static String hooksMissing() {
        String why = ClientSdkIT.sdkMissing(ROOT.resolve("clients/react"));
        if (why != null) {
            return why.replace("SDK's", "React hooks'");
        }
        return Files.isDirectory(ROOT.resolve("clients/js/node_modules"))
                ? null
                : "the hooks' integration tests reuse the SDK's helpers: they need `npm ci` in clients/js";
    }

    /** Why the studio check cannot run here, or null. */
    static String studioMissing() {
        Path chromium = chromium();
        if (!Files.isExecutable(chromium)
                || !Files.isDirectory(ROOT.resolve("e2e/browser/node_modules/playwright-core"))
                || !Files.isRegularFile(ROOT.resolve("examples/studio/dist/index.html"))) {
            return "the studio check needs " + chromium + ", `npm ci` in e2e/browser and the studio's build"
                    + " (`npm ci && npm run build` in examples/studio)";
        }
        return null;
    }

    static Path chromium() {
        return Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));
    }

    @Test
    @Order(1)
    void theReactHooksPassTheirIntegrationTestsAgainstThePlatform() throws Exception {
        Path react = ROOT.resolve("clients/react");
        String why = hooksMissing();
        if (why != null) {
            NodeTool.skipOrFail(why, "CONVEYOR_REQUIRE_SDK");
        }
        Path log = Path.of("target", "react-it.log").toAbsolutePath();
        int exit = run(
                new ProcessBuilder("npm", "run", "test:integration").directory(react.toFile()),
                ClientSdkIT.env(platform, control),
                log);
        assertThat(exit)
                .as("exit code of `npm run test:integration` in " + react + "; " + log + " ends with:\n"
                        + NodeTool.tail(log, 80))
                .isZero();
    }

    @Test
    @Order(2)
    void theStudioShowsImagesToastsPollingAndTheLeadInTwoBrowserPages() throws Exception {
        String why = studioMissing();
        if (why != null) {
            NodeTool.skipOrFail(why, "CONVEYOR_REQUIRE_BROWSER");
        }
        Path browserDir = ROOT.resolve("e2e/browser");
        Path dist = ROOT.resolve("examples/studio/dist");
        UUID userId = UUID.randomUUID();
        platform.adminApi()
                .post(
                        platform.taskApi.url() + "/v1/admin/accounts/" + userId + "/credits",
                        Map.of("amount", 200, "reason", "studio check"))
                .ok();
        Path log = Path.of("target", "studio-check.log").toAbsolutePath();
        Map<String, String> env = Map.of(
                "STUDIO_DIST", dist.toString(),
                "STUDIO_PORT", String.valueOf(studioPort),
                "TASK_API_URL", platform.taskApi.url(),
                "GENERATION_URL", platform.generation.url(),
                "GATEWAY_URL", platform.gateway.url(),
                "USER_TOKEN", platform.keys.token(userId, List.of("user"), Duration.ofHours(1)),
                "CONVEYOR_CONTROL_URL", control.url(),
                "SCREENSHOT_DIR", Path.of("target").toAbsolutePath().toString(),
                "CHROMIUM", chromium().toString());
        int exit = run(new ProcessBuilder("node", "studio-check.mjs").directory(browserDir.toFile()), env, log);
        assertThat(exit)
                .as("studio check in headless Chromium; " + log + " ends with:\n" + NodeTool.tail(log, 80))
                .isZero();
        assertThat(Files.size(Path.of("target", "studio.png"))).isGreaterThan(10_000);
    }

    /** Runs a node process with {@code env} added, its output in {@code log}; its exit code (fails after TIMEOUT). */
    private static int run(ProcessBuilder pb, Map<String, String> env, Path log) throws Exception {
        Files.createDirectories(log.getParent());
        pb.redirectErrorStream(true).redirectOutput(log.toFile()).environment().putAll(env);
        Process process = pb.start();
        boolean finished = process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        if (!finished) {
            NodeTool.destroyTree(process);
        }
        assertThat(finished)
                .as(pb.command() + " finished within " + TIMEOUT.toMinutes() + " min; " + log + " ends with:\n"
                        + NodeTool.tail(log, 80))
                .isTrue();
        return process.exitValue();
    }
}
