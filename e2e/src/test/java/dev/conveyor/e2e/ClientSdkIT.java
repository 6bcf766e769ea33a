package dev.conveyor.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The web SDK {@code @conveyor/client} (clients/js) against the real platform: its integration tests
 * ({@code npm run test:integration}, node's test runner) run against the packaged services on devstack, with a control
 * endpoint that stops and starts the gateway so they can test resume and dead-mode polling.
 *
 * <p>Environment of the node process:
 * <ul>
 *   <li>{@code TASK_API_URL}, {@code GENERATION_URL}, {@code GATEWAY_URL}: the services' base URLs;</li>
 *   <li>{@code ADMIN_TOKEN}: an admin (and user) token, e.g. to grant credits ({@code POST /v1/admin/accounts/{id}/credits});</li>
 *   <li>{@code CONVEYOR_USERS}: a JSON array of {@value #USERS} fresh users {@code [{"id": uuid, "token": jwt}]} (role
 *       user, valid 1 h, no credits yet);</li>
 *   <li>{@code CONVEYOR_CONTROL_URL}: {@code POST /gateway/stop} answers 200 once the gateway is down (SIGTERM, as
 *       Kubernetes stops a pod), {@code POST /gateway/start} answers 200 once it is ready again on the same port.</li>
 * </ul>
 * Needs node and {@code npm ci} in clients/js; without them it is skipped, unless {@code CONVEYOR_REQUIRE_SDK=1}
 * (set by .ci/run), then it fails. The node output is in {@code target/client-sdk-it.log}.
 */
class ClientSdkIT {
    static final int USERS = 8;
    static final Duration TIMEOUT = Duration.ofMinutes(8);
    static final Path LOG = Path.of("target", "client-sdk-it.log").toAbsolutePath();

    static Path sdkDir() {
        return Path.of(System.getProperty("conveyor.root", ".."))
                .resolve("clients/js")
                .toAbsolutePath()
                .normalize();
    }

    /** Why the SDK's integration tests cannot run here, or null when they can. */
    static String sdkMissing(Path sdk) {
        if (!NodeTool.available("node") || !NodeTool.available("npm")) {
            return "the SDK's integration tests need node and npm on the PATH";
        }
        if (!Files.isDirectory(sdk.resolve("node_modules"))) {
            return "the SDK's integration tests need `npm ci` in " + sdk;
        }
        return null;
    }

    @Test
    void theWebSdkPassesItsIntegrationTestsAgainstThePlatform() throws Exception {
        Path sdk = sdkDir();
        String why = sdkMissing(sdk);
        if (why != null) {
            NodeTool.skipOrFail(why, "CONVEYOR_REQUIRE_SDK");
        }
        try (Platform platform = Platform.start("client-sdk");
                GatewayControl control = GatewayControl.start(platform.gateway)) {
            ProcessBuilder pb = new ProcessBuilder("npm", "run", "test:integration")
                    .directory(sdk.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(LOG.toFile());
            pb.environment().putAll(env(platform, control));
            Files.createDirectories(LOG.getParent());
            Process npm = pb.start();
            boolean finished = npm.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (!finished) {
                NodeTool.destroyTree(npm);
            }
            assertThat(finished)
                    .as("the SDK's integration tests finished within " + TIMEOUT.toMinutes() + " min; " + LOG
                            + " ends with:\n" + NodeTool.tail(LOG, 80))
                    .isTrue();
            assertThat(npm.exitValue())
                    .as("exit code of `npm run test:integration` in " + sdk + " (the services' logs are"
                            + " under target/e2e/client-sdk-*/logs); " + LOG + " ends with:\n" + NodeTool.tail(LOG, 80))
                    .isZero();
        }
    }

    /** The node process's environment: the platform's URLs, an admin token, fresh users and the gateway control. */
    static Map<String, String> env(Platform platform, GatewayControl control) throws Exception {
        List<Map<String, String>> users = new ArrayList<>();
        for (int i = 0; i < USERS; i++) {
            UUID id = UUID.randomUUID();
            users.add(Map.of(
                    "id", id.toString(), "token", platform.keys.token(id, List.of("user"), Duration.ofHours(1))));
        }
        Map<String, String> env = new LinkedHashMap<>();
        env.put("TASK_API_URL", platform.taskApi.url());
        env.put("GENERATION_URL", platform.generation.url());
        env.put("GATEWAY_URL", platform.gateway.url());
        env.put("ADMIN_TOKEN", platform.adminToken);
        env.put("CONVEYOR_USERS", new ObjectMapper().writeValueAsString(users));
        env.put("CONVEYOR_CONTROL_URL", control.url());
        return env;
    }
}
