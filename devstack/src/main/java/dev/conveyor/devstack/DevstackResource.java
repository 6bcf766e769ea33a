package dev.conveyor.devstack;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Quarkus test resource: real PostgreSQL and Kafka for a service's tests, on random ports with data under
 * {@code target/devstack}. The servers are started once per test JVM and shared by every test class; each service
 * gets its own database (init arg {@code database}; omit it for services without one).
 *
 * <pre>{@code @QuarkusTestResource(value = DevstackResource.class,
 *     initArgs = @ResourceArg(name = "database", value = "conveyor_tasks"))}</pre>
 */
public class DevstackResource implements QuarkusTestResourceLifecycleManager {
    private static Devstack shared;
    private String database;

    /** The running servers, for tests that restart or kill the broker. */
    public static synchronized Devstack devstack() {
        if (shared == null) {
            try {
                Path dir = Path.of(System.getProperty("devstack.dir", "target/devstack"), "run-" + ProcessHandle.current().pid());
                shared = Devstack.start(0, 0, dir, false, List.of());
            } catch (Exception e) {
                throw new IllegalStateException("devstack could not start: " + e.getMessage(), e);
            }
            Devstack stack = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    stack.close();
                } catch (Exception ignored) {
                    // the JVM is ending; the broker also exits with its parent
                }
            }, "devstack-test-stop"));
        }
        return shared;
    }

    /** The test key pair (under target/devstack/keys); mint tokens with {@code keys().token(...)}. */
    public static DevKeys keys() {
        return DevKeys.in(Path.of(System.getProperty("devstack.dir", "target/devstack"), "keys"));
    }

    @Override
    public void init(Map<String, String> initArgs) {
        database = initArgs.get("database");
    }

    @Override
    public Map<String, String> start() {
        Devstack stack = devstack();
        Map<String, String> config = new HashMap<>();
        config.put("kafka.bootstrap.servers", stack.kafka().bootstrapServers());
        DevKeys keys = keys();
        config.put("mp.jwt.verify.publickey.location", keys.publicKey().toString());
        config.put("mp.jwt.verify.issuer", DevKeys.ISSUER);
        if (database != null) {
            try {
                stack.postgres().createDatabase(database);
            } catch (Exception e) {
                throw new IllegalStateException("could not create database " + database, e);
            }
            config.put("quarkus.datasource.jdbc.url", stack.postgres().jdbcUrl(database));
            config.put("quarkus.datasource.reactive.url", stack.postgres().reactiveUrl(database));
            config.put("quarkus.datasource.username", Postgres.USER);
            config.put("quarkus.datasource.password", Postgres.PASSWORD);
        }
        return config;
    }

    @Override
    public void stop() {
        // The servers outlive a single Quarkus app: the next test class (or profile) reuses them.
    }
}
