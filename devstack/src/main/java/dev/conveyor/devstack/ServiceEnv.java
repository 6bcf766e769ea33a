package dev.conveyor.devstack;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The environment a packaged service reads (the names of its application.properties, as `./conveyor up` and the
 * Kubernetes manifests set them), pointing at a devstack: one wiring for the e2e platform and the benchmark.
 */
public final class ServiceEnv {
    private ServiceEnv() {}

    /**
     * @param database the service's own database, or null for services without one
     * @return a mutable map, so callers can add what only one service needs (WORKER_URL, ...)
     */
    public static Map<String, String> of(
            Devstack devstack,
            Path jwtPublicKey,
            String workerToken,
            int taskApiPort,
            int gatewayPort,
            String database) {
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", devstack.kafka().bootstrapServers());
        env.put("JWT_PUBLIC_KEY", jwtPublicKey.toString());
        env.put("TASK_API_URL", "http://127.0.0.1:" + taskApiPort);
        env.put("WORKER_TOKEN", workerToken);
        // the dashboard is served by the gateway and calls task-api and generation-service from the browser
        env.put("CORS_ORIGINS", "http://127.0.0.1:" + gatewayPort);
        env.put("PG_USER", Postgres.USER);
        env.put("PG_PASSWORD", Postgres.PASSWORD);
        if (database != null) {
            env.put("PG_JDBC_URL", devstack.postgres().jdbcUrl(database));
            env.put("PG_REACTIVE_URL", devstack.postgres().reactiveUrl(database));
        }
        return env;
    }
}
