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
    private static final int START_ATTEMPTS = 3;
    private static Devstack shared;
    private String database;

    /** The running servers, for tests that restart or kill the broker. */
    public static synchronized Devstack devstack() {
        if (shared == null) {
            shared = startWithRetries();
            Devstack stack = shared;
            Runtime.getRuntime()
                    .addShutdownHook(new Thread(
                            () -> {
                                try {
                                    stack.close();
                                } catch (Exception ignored) {
                                    // the JVM is ending; the broker also exits with its parent
                                }
                            },
                            "devstack-test-stop"));
        }
        return shared;
    }

    /**
     * Starts the servers, trying again (new ports, new directory) when a start fails: a random port taken between
     * picking and binding it, or a broker slow to come up on a loaded CI machine, should not fail a whole module.
     * Every failed attempt is printed with the tail of the broker's log, so a CI log shows why.
     */
    private static Devstack startWithRetries() {
        Path root = Path.of(System.getProperty("devstack.dir", "target/devstack"));
        Exception last = null;
        for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
            Path dir = root.resolve("run-" + ProcessHandle.current().pid() + "-" + attempt);
            try {
                return Devstack.start(0, 0, dir, false, List.of());
            } catch (Exception e) {
                last = e;
                System.err.println("devstack: start attempt " + attempt + " of " + START_ATTEMPTS + " failed: " + e);
                for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
                    System.err.println("devstack:   caused by " + c);
                }
                System.err.println(Devstack.logTail(dir.resolve("kafka").resolve("broker.log"), 30));
            }
        }
        throw new IllegalStateException(
                "devstack could not start after " + START_ATTEMPTS + " attempts: " + last, last);
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
