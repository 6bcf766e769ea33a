package dev.conveyor.devstack;

import dev.conveyor.contracts.Topics;
import dev.conveyor.contracts.Topics.TopicSpec;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * A real Apache Kafka broker in KRaft mode (one combined broker/controller node) running as a child JVM on
 * loopback. A child process rather than in-JVM so it can be restarted or killed like a real broker in fault tests.
 *
 * <p>About 300 lines because it is one job told in full: the child's command line and KRaft storage format, its
 * readiness, the topics of {@code contracts} created on start, and stop/kill/pause/restart for fault tests.
 */
public final class KafkaBroker implements AutoCloseable {
    private static final String CLASSPATH_RESOURCE = "devstack.classpath";

    private final int port;
    private final int controllerPort;
    private final Path dir;
    private final boolean keepData;
    private final Jvm jvm;
    private Process process;

    /**
     * How the broker's JVM runs. DEV starts fast and stays small for tests and the local run (C1 only, serial GC);
     * PRODUCTION is Kafka's own start script's setting (G1 with a 20 ms pause goal, the full tiered JIT), for
     * benchmarks: a broker held at C1 spends CPU per record that no deployed broker does.
     */
    public enum Jvm {
        DEV(List.of("-Xmx512m", "-Xms64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1")),
        PRODUCTION(List.of(
                "-Xmx512m",
                "-Xms512m",
                "-XX:+UseG1GC",
                "-XX:MaxGCPauseMillis=20",
                "-XX:InitiatingHeapOccupancyPercent=35",
                "-XX:+ExplicitGCInvokesConcurrent"));

        private final List<String> options;

        Jvm(List<String> options) {
            this.options = options;
        }

        public List<String> options() {
            return options;
        }
    }

    private KafkaBroker(int port, int controllerPort, Path dir, boolean keepData, Jvm jvm) {
        this.port = port;
        this.controllerPort = controllerPort;
        this.dir = dir;
        this.keepData = keepData;
        this.jvm = jvm;
    }

    /**
     * Starts a broker and waits until it serves requests.
     *
     * @param port     0 for a random free port
     * @param dir      holds the log directory, server.properties and broker.log
     * @param keepData false deletes {@code dir} on close
     */
    public static KafkaBroker start(int port, Path dir, boolean keepData) throws IOException {
        return start(port, dir, keepData, Jvm.DEV);
    }

    public static KafkaBroker start(int port, Path dir, boolean keepData, Jvm jvm) throws IOException {
        KafkaBroker broker = new KafkaBroker(port == 0 ? Ports.free() : port, Ports.free(), dir, keepData, jvm);
        broker.launch();
        return broker;
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public Path logFile() {
        return dir.resolve("broker.log");
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** Creates the topics that do not exist yet. */
    public void createTopics(List<TopicSpec> topics) {
        List<NewTopic> newTopics = new ArrayList<>();
        for (TopicSpec spec : topics) {
            NewTopic topic = new NewTopic(spec.name(), spec.partitions(), (short) 1);
            Map<String, String> configs = new HashMap<>();
            configs.put(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(Topics.MAX_MESSAGE_BYTES));
            if (spec.compacted()) {
                configs.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
            }
            topic.configs(configs);
            newTopics.add(topic);
        }
        try (Admin admin = admin()) {
            admin.createTopics(newTopics).values().forEach((name, future) -> {
                try {
                    future.get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("could not create topic " + name, e.getCause());
                    }
                } catch (Exception e) {
                    throw new IllegalStateException("could not create topic " + name, e);
                }
            });
        }
    }

    /** Stops the broker (SIGTERM, controlled shutdown) and starts it again on the same port with the same data. */
    public void restart() throws IOException {
        stopProcess();
        launch();
    }

    /** Kills the broker like a crash would (SIGKILL); {@link #restart()} brings it back. */
    public void kill() {
        if (process != null) {
            process.destroyForcibly();
            waitFor(process, Duration.ofSeconds(10));
        }
    }

    @Override
    public void close() throws IOException {
        stopProcess();
        if (!keepData) {
            Files.deleteIfExists(logFile());
            deleteRecursively(dir);
        }
    }

    private void launch() throws IOException {
        Path logDir = dir.resolve("data");
        Files.createDirectories(logDir);
        Path properties = dir.resolve("server.properties");
        Files.writeString(properties, serverProperties(logDir), StandardCharsets.UTF_8);
        Path log4j = dir.resolve("log4j2.properties");
        Files.writeString(log4j, LOG4J, StandardCharsets.UTF_8);
        String clusterId = clusterId();

        List<String> command = new ArrayList<>();
        command.add(javaBinary());
        command.addAll(jvm.options());
        command.addAll(List.of(
                "-Djava.awt.headless=true",
                "-Dlog4j2.configurationFile=" + log4j.toAbsolutePath(),
                "-Djava.io.tmpdir=" + dir.toAbsolutePath(),
                "-cp",
                classpath(),
                KafkaMain.class.getName(),
                Long.toString(ProcessHandle.current().pid()),
                clusterId,
                logDir.toAbsolutePath().toString(),
                properties.toAbsolutePath().toString()));
        process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile().toFile()))
                .start();
        awaitReady(Duration.ofSeconds(90));
    }

    private String clusterId() throws IOException {
        Path idFile = dir.resolve("cluster.id");
        if (Files.exists(idFile)) {
            return Files.readString(idFile).trim();
        }
        String id = Uuid.randomUuid().toString();
        Files.writeString(idFile, id);
        return id;
    }

    private String serverProperties(Path logDir) {
        return String.join(
                "\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + logDir.toAbsolutePath(),
                "num.partitions=3",
                "auto.create.topics.enable=false",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=6",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "log.segment.bytes=16777216",
                "log.retention.hours=168",
                "num.network.threads=2",
                "num.io.threads=2",
                "background.threads=2",
                "");
    }

    /**
     * Waits for the broker to answer describeCluster. One admin client for the whole wait: it retries the connection
     * itself with its reconnect backoff, so each call below blocks until the broker answers or the call times out.
     */
    private void awaitReady(Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        try (Admin admin = admin()) {
            while (Instant.now().isBefore(deadline)) {
                if (!process.isAlive()) {
                    throw new IllegalStateException(
                            "Kafka broker exited with " + process.exitValue() + "; see " + logFile());
                }
                try {
                    if (!admin.describeCluster()
                            .nodes()
                            .get(5, TimeUnit.SECONDS)
                            .isEmpty()) {
                        return;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for the Kafka broker", e);
                } catch (Exception notYet) {
                    // not listening yet: the next call waits for the admin client's reconnect
                }
            }
        }
        process.destroyForcibly();
        throw new IllegalStateException(
                "Kafka broker not ready within " + timeout.toSeconds() + " s; see " + logFile());
    }

    private Admin admin() {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000);
        props.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 200);
        return Admin.create(props);
    }

    private void stopProcess() {
        if (process == null) {
            return;
        }
        process.destroy();
        if (!waitFor(process, Duration.ofSeconds(30))) {
            process.destroyForcibly();
            waitFor(process, Duration.ofSeconds(10));
        }
    }

    private static boolean waitFor(Process p, Duration timeout) {
        try {
            return p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** The broker classpath recorded at build time, plus the jar or folder holding this class (KafkaMain). */
    static String classpath() {
        try (InputStream in = KafkaBroker.class.getResourceAsStream(CLASSPATH_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(
                        "devstack was built without " + CLASSPATH_RESOURCE + "; rebuild devstack");
            }
            String recorded = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
            String self = Path.of(KafkaBroker.class
                            .getProtectionDomain()
                            .getCodeSource()
                            .getLocation()
                            .toURI())
                    .toString();
            return self + File.pathSeparator + recorded;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static final String LOG4J = String.join(
            "\n",
            "status = warn",
            "appender.out.type = Console",
            "appender.out.name = OUT",
            "appender.out.layout.type = PatternLayout",
            "appender.out.layout.pattern = [%d] %p %m (%c)%n",
            "rootLogger.level = warn",
            "rootLogger.appenderRef.out.ref = OUT",
            "logger.server.name = kafka.server.KafkaRaftServer",
            "logger.server.level = info",
            "");
}
