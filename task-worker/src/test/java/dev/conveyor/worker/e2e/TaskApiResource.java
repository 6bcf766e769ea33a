package dev.conveyor.worker.e2e;

import dev.conveyor.devstack.Ports;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/** Points the in-test worker at a real task-api process and turns its claim loop on. Use after DevstackResource. */
public class TaskApiResource implements QuarkusTestResourceLifecycleManager {
    @Override
    public Map<String, String> start() {
        int port = Ports.free();
        return Map.of(
                "task-api.url",
                TaskApiProcess.url(),
                "task-api.token",
                TaskApiProcess.workerToken(),
                "conveyor.worker.enabled",
                "true",
                // Far beyond any test's wait: a task that runs within seconds was claimed on a wake-up (the idle
                // worker's
                // long-poll answered from NOTIFY, or a Kafka wake-up while busy).
                "conveyor.worker.poll-interval",
                "60s",
                "conveyor.worker.long-poll",
                "5s",
                "quarkus.http.test-port",
                Integer.toString(port),
                "conveyor.worker.public-url",
                "http://127.0.0.1:" + port);
    }

    @Override
    public void stop() {
        // task-api outlives one Quarkus app: the next test class reuses it
    }
}
