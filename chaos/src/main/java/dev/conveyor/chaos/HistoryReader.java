package dev.conveyor.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.chaos.History.AccountRow;
import dev.conveyor.chaos.History.GenerationEvent;
import dev.conveyor.chaos.History.GenerationRow;
import dev.conveyor.chaos.History.Lag;
import dev.conveyor.chaos.History.LedgerEntry;
import dev.conveyor.chaos.History.ShotLink;
import dev.conveyor.chaos.History.TaskEvent;
import dev.conveyor.chaos.History.TaskRow;
import dev.conveyor.contracts.Json;
import dev.conveyor.contracts.Topics;
import dev.conveyor.devstack.Postgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads a {@link History} off the running platform: JDBC on both databases, a plain consumer on the topics. */
final class HistoryReader {
    /** The consumer groups of the services (application.properties) and the topics each reads. */
    static final Map<String, String> GROUPS = Map.of(
            "task-api", Topics.GENERATION_EVENTS,
            "generation-service", Topics.TASK_EVENTS,
            "generation-service-projects", Topics.PROJECTS);

    private final ChaosPlatform platform;

    HistoryReader(ChaosPlatform platform) {
        this.platform = platform;
    }

    Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(platform.jdbcUrl(database), Postgres.USER, Postgres.PASSWORD);
    }

    /** Tasks not yet final, and outbox rows not yet published, in both databases: 0 and 0 when the run has drained. */
    long[] pending() throws SQLException {
        try (Connection tasks = connect(ChaosPlatform.TASKS_DB);
                Connection gens = connect(ChaosPlatform.GENERATIONS_DB)) {
            long open = count(tasks, "SELECT count(*) FROM tasks WHERE status IN ('waiting','queued','in_progress')");
            long outbox = count(tasks, "SELECT count(*) FROM outbox WHERE published_at IS NULL")
                    + count(gens, "SELECT count(*) FROM outbox WHERE published_at IS NULL");
            return new long[] {open, outbox};
        }
    }

    private static long count(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    History read(ClientLog client, Map<UUID, ProjectView> cached, Map<UUID, ProjectView> truth, List<Lag> lags)
            throws Exception {
        List<TaskRow> tasks = new ArrayList<>();
        List<LedgerEntry> ledger = new ArrayList<>();
        List<AccountRow> accounts = new ArrayList<>();
        List<String> deadLetters = new ArrayList<>();
        try (Connection c = connect(ChaosPlatform.TASKS_DB);
                Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT id, user_id, project_id, task_type, status, attempts,"
                    + " max_attempts, parent_task_id, params::text, error_message, generation_id, shot_id, cost,"
                    + " CASE WHEN lease_expires_at IS NOT NULL THEN coalesce(worker_id, '?') || ' until '"
                    + " || to_char(extract(epoch FROM lease_expires_at - now()), 'SG99999990') || ' s' END"
                    + " FROM tasks")) {
                while (rs.next()) {
                    tasks.add(new TaskRow(
                            rs.getObject(1, UUID.class),
                            rs.getObject(2, UUID.class),
                            rs.getObject(3, UUID.class),
                            rs.getString(4),
                            rs.getString(5),
                            rs.getInt(6),
                            rs.getInt(7),
                            rs.getObject(8, UUID.class),
                            Json.MAPPER.readTree(rs.getString(9)),
                            rs.getString(10),
                            rs.getObject(11, UUID.class),
                            rs.getObject(12, UUID.class),
                            rs.getLong(13),
                            rs.getString(14)));
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT id, user_id, kind, amount, task_id FROM credit_ledger")) {
                while (rs.next()) {
                    ledger.add(new LedgerEntry(
                            rs.getLong(1),
                            rs.getObject(2, UUID.class),
                            rs.getString(3),
                            rs.getLong(4),
                            rs.getObject(5, UUID.class)));
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT user_id, balance, held FROM accounts")) {
                while (rs.next()) {
                    accounts.add(new AccountRow(rs.getObject(1, UUID.class), rs.getLong(2), rs.getLong(3)));
                }
            }
            deadLetters.addAll(outboxDeadLetters(s, "task-api"));
        }
        List<GenerationRow> generations = new ArrayList<>();
        List<ShotLink> links = new ArrayList<>();
        try (Connection c = connect(ChaosPlatform.GENERATIONS_DB);
                Statement s = c.createStatement()) {
            try (ResultSet rs =
                    s.executeQuery("SELECT id, task_id, project_id, type, deleted_at IS NOT NULL FROM generations")) {
                while (rs.next()) {
                    generations.add(new GenerationRow(
                            rs.getObject(1, UUID.class),
                            rs.getObject(2, UUID.class),
                            rs.getObject(3, UUID.class),
                            rs.getString(4),
                            rs.getBoolean(5)));
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT shot_id, generation_id FROM shot_generations")) {
                while (rs.next()) {
                    links.add(new ShotLink(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class)));
                }
            }
            deadLetters.addAll(outboxDeadLetters(s, "generation-service"));
        }
        List<TaskEvent> taskEvents = new ArrayList<>();
        readTopic(Topics.TASK_EVENTS, (r, env) -> {
            JsonNode d = env.path("data");
            taskEvents.add(new TaskEvent(
                    UUID.fromString(env.path("id").asText()),
                    env.path("type").asText(),
                    UUID.fromString(d.path("taskId").asText()),
                    d.path("status").asText(),
                    d.path("attempts").asInt(),
                    d.hasNonNull("workerId") ? d.get("workerId").asText() : null,
                    r.partition(),
                    r.offset()));
        });
        List<GenerationEvent> generationEvents = new ArrayList<>();
        readTopic(Topics.GENERATION_EVENTS, (r, env) -> {
            JsonNode d = env.path("data");
            String gid = d.path("generationId").asText(null);
            String shot = d.path("shotId").asText(null);
            generationEvents.add(new GenerationEvent(
                    UUID.fromString(env.path("id").asText()),
                    env.path("type").asText(),
                    gid == null ? null : UUID.fromString(gid),
                    shot == null ? null : UUID.fromString(shot),
                    d.path("linked").asBoolean(false)));
        });
        for (String dlq : List.of("task-api-dlq", "generation-service-dlq")) {
            readRaw(
                    dlq,
                    r -> deadLetters.add(dlq + " " + r.partition() + ":" + r.offset() + " key " + r.key() + " "
                            + header(r, "dlq.reason") + " " + abbreviate(r.value())));
        }
        return new History(
                tasks,
                taskEvents,
                generationEvents,
                ledger,
                accounts,
                generations,
                links,
                lags,
                deadLetters,
                client,
                cached,
                truth);
    }

    private static List<String> outboxDeadLetters(Statement s, String service) throws SQLException {
        List<String> out = new ArrayList<>();
        try (ResultSet rs =
                s.executeQuery("SELECT id, topic, key, reason, left(payload, 200) FROM outbox_dead_letters")) {
            while (rs.next()) {
                out.add(service + " outbox dead letter " + rs.getLong(1) + " topic " + rs.getString(2) + " key "
                        + rs.getString(3) + ": " + rs.getString(4) + " " + rs.getString(5));
            }
        }
        return out;
    }

    /** Every consumer group's lag per partition of the topic it reads. */
    List<Lag> lags() throws Exception {
        List<Lag> out = new ArrayList<>();
        try (Admin admin = Admin.create(adminProps())) {
            for (Map.Entry<String, String> g : GROUPS.entrySet()) {
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(g.getKey())
                        .partitionsToOffsetAndMetadata()
                        .get();
                List<TopicPartition> parts = partitions(admin, g.getValue());
                Map<TopicPartition, OffsetSpec> ask = new java.util.HashMap<>();
                parts.forEach(p -> ask.put(p, OffsetSpec.latest()));
                Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends =
                        admin.listOffsets(ask).all().get();
                for (TopicPartition p : parts) {
                    OffsetAndMetadata c = committed.get(p);
                    long end = ends.get(p).offset();
                    long lag = end - (c == null ? 0 : c.offset());
                    out.add(new Lag(g.getKey(), p.toString(), lag));
                }
            }
        }
        return out;
    }

    private static List<TopicPartition> partitions(Admin admin, String topic) throws Exception {
        return admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().stream()
                .map(p -> new TopicPartition(topic, p.partition()))
                .toList();
    }

    private Properties adminProps() {
        Properties p = new Properties();
        p.put(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                platform.devstack.kafka().bootstrapServers());
        return p;
    }

    private void readTopic(String topic, BiConsumer<ConsumerRecord<String, String>, JsonNode> each) {
        readRaw(topic, r -> {
            if (r.value() == null) {
                return;
            }
            try {
                each.accept(r, Json.MAPPER.readTree(r.value()));
            } catch (IOException e) {
                throw new IllegalStateException(topic + " " + r.partition() + ":" + r.offset() + " is not JSON", e);
            }
        });
    }

    /** Reads every partition of the topic from its start to the end it has now, without a consumer group. */
    private void readRaw(String topic, java.util.function.Consumer<ConsumerRecord<String, String>> each) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.devstack.kafka().bootstrapServers());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> parts = consumer.partitionsFor(topic).stream()
                    .map(i -> new TopicPartition(topic, i.partition()))
                    .toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> ends = consumer.endOffsets(parts);
            while (parts.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.offset() < ends.get(new TopicPartition(r.topic(), r.partition()))) {
                        each.accept(r);
                    }
                }
            }
        }
    }

    private static String header(ConsumerRecord<?, ?> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? "" : new String(h.value(), java.nio.charset.StandardCharsets.UTF_8);
    }

    private static String abbreviate(String s) {
        return s == null ? "null" : s.length() <= 200 ? s : s.substring(0, 200) + "…";
    }
}
