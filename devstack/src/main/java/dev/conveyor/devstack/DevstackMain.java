package dev.conveyor.devstack;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * The local-run launcher: a PostgreSQL with one database per service and a Kafka broker with every topic, on fixed
 * ports, until Ctrl-C or SIGTERM. Then both stop and, unless --keep-data, the data directory is removed.
 */
public final class DevstackMain {
    static final List<String> DEFAULT_DATABASES = List.of("conveyor_tasks", "conveyor_generations");

    private DevstackMain() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = parse(args);
        if (opts.containsKey("help")) {
            System.out.println(USAGE);
            return;
        }
        int pgPort = Integer.parseInt(opts.getOrDefault("pg-port", "5432"));
        int kafkaPort = Integer.parseInt(opts.getOrDefault("kafka-port", "9092"));
        Path dir = Path.of(opts.getOrDefault("dir", ".conveyor/devstack")).toAbsolutePath();
        boolean keep = opts.containsKey("keep-data");
        Postgres.Durability durability =
                opts.containsKey("durable") ? Postgres.Durability.PRODUCTION : Postgres.Durability.FAST;
        List<String> databases = opts.containsKey("databases")
                ? Arrays.asList(opts.get("databases").split(","))
                : DEFAULT_DATABASES;
        try {
            Ports.requireFree(pgPort, "PostgreSQL (--pg-port)");
            Ports.requireFree(kafkaPort, "Kafka (--kafka-port)");
        } catch (IllegalStateException e) {
            System.err.println("devstack: " + e.getMessage());
            System.exit(2);
        }

        long started = System.nanoTime();
        Devstack stack;
        try {
            stack = Devstack.start(pgPort, kafkaPort, dir, keep, databases, durability);
        } catch (Exception e) {
            System.err.println("devstack: failed to start: " + e.getMessage() + " (logs under " + dir + ")");
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            System.out.println("devstack: stopping" + (keep ? " (keeping data in " + dir + ")" : ""));
                            try {
                                stack.close();
                            } catch (Exception e) {
                                System.err.println("devstack: " + e.getMessage());
                            }
                            stopped.countDown();
                        },
                        "devstack-stop"));

        Map<String, String> env = new LinkedHashMap<>();
        env.put("PG_URL", stack.postgres().jdbcUrl("postgres"));
        env.put("PG_PORT", Integer.toString(stack.postgres().port()));
        env.put("PG_USER", Postgres.USER);
        env.put("KAFKA_BOOTSTRAP_SERVERS", stack.kafka().bootstrapServers());
        StringBuilder lines = new StringBuilder();
        env.forEach((k, v) -> lines.append(k).append('=').append(v).append('\n'));
        if (opts.containsKey("ready-file")) {
            Path ready = Path.of(opts.get("ready-file"));
            Path tmp = ready.resolveSibling(ready.getFileName() + ".tmp");
            Files.writeString(tmp, lines);
            Files.move(
                    tmp,
                    ready,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        System.out.printf(
                "devstack ready in %.1f s: PostgreSQL %s (databases %s), Kafka %s%n",
                (System.nanoTime() - started) / 1e9,
                stack.postgres().jdbcUrl("<db>"),
                databases,
                stack.kafka().bootstrapServers());
        stopped.await();
    }

    static Map<String, String> parse(String[] args) {
        Map<String, String> opts = new LinkedHashMap<>();
        List<String> rest = new ArrayList<>(Arrays.asList(args));
        while (!rest.isEmpty()) {
            String a = rest.remove(0);
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument " + a + "\n" + USAGE);
            }
            String key = a.substring(2);
            if (key.equals("keep-data") || key.equals("durable") || key.equals("help")) {
                opts.put(key, "true");
            } else if (rest.isEmpty()) {
                throw new IllegalArgumentException("--" + key + " needs a value\n" + USAGE);
            } else {
                opts.put(key, rest.remove(0));
            }
        }
        return opts;
    }

    static final String USAGE = """
            usage: devstack [--pg-port 5432] [--kafka-port 9092] [--dir .conveyor/devstack] [--keep-data]
                            [--databases conveyor_tasks,conveyor_generations] [--ready-file FILE] [--durable]
            Starts PostgreSQL and Kafka (KRaft) on loopback until Ctrl-C / SIGTERM.
            --durable: PostgreSQL with fsync, synchronous_commit and full_page_writes on (default: off, fast for dev).""";
}
