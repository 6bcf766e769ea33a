package dev.conveyor.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conveyor.contracts.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DevstackTest {
    static Devstack stack;
    static Path dir;

    @BeforeAll
    static void start() throws Exception {
        dir = Path.of("target", "devstack-test");
        stack = Devstack.start(0, 0, dir, false, List.of("conveyor_a", "conveyor_b"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void eachServiceGetsItsOwnDatabaseOnARealPostgres() throws Exception {
        try (Connection c = DriverManager.getConnection(
                        stack.postgres().jdbcUrl("conveyor_a"), Postgres.USER, Postgres.PASSWORD);
                ResultSet rs = c.createStatement()
                        .executeQuery("SELECT current_database(), current_setting('server_version_num')::int")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("conveyor_a");
            assertThat(rs.getInt(2)).isGreaterThanOrEqualTo(170000);
        }
        stack.postgres().createDatabase("conveyor_a"); // idempotent
    }

    @Test
    void topicsExistWithTheirPartitionsAndProjectsIsCompacted() throws Exception {
        try (Admin admin = Admin.create(
                Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafka().bootstrapServers()))) {
            Map<String, TopicDescription> topics = admin.describeTopics(
                            Topics.ALL.stream().map(Topics.TopicSpec::name).toList())
                    .allTopicNames()
                    .get();
            for (Topics.TopicSpec spec : Topics.ALL) {
                assertThat(topics.get(spec.name()).partitions()).hasSize(spec.partitions());
            }
            ConfigResource projects = new ConfigResource(ConfigResource.Type.TOPIC, Topics.PROJECTS);
            String policy = admin.describeConfigs(List.of(projects))
                    .all()
                    .get()
                    .get(projects)
                    .get("cleanup.policy")
                    .value();
            assertThat(policy).isEqualTo("compact");
            ConfigResource events = new ConfigResource(ConfigResource.Type.TOPIC, Topics.TASK_EVENTS);
            assertThat(admin.describeConfigs(List.of(events))
                            .all()
                            .get()
                            .get(events)
                            .get("max.message.bytes")
                            .value())
                    .isEqualTo(Integer.toString(Topics.MAX_MESSAGE_BYTES));
        }
    }

    @Test
    void brokerRoundTripsARecordAndSurvivesARestart() throws Exception {
        produce("before-restart");
        stack.kafka().restart();
        produce("after-restart");

        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(
                Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafka().bootstrapServers(),
                        ConsumerConfig.GROUP_ID_CONFIG, "devstack-test",
                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new StringDeserializer(),
                new StringDeserializer())) {
            consumer.subscribe(Set.of(Topics.ACCOUNT_EVENTS));
            List<String> seen = new java.util.ArrayList<>();
            long deadline = System.currentTimeMillis() + 30_000;
            while (seen.size() < 2 && System.currentTimeMillis() < deadline) {
                ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(500));
                records.forEach(r -> seen.add(r.value()));
            }
            assertThat(seen).containsExactly("before-restart", "after-restart");
        }
    }

    @Test
    void brokerLogIsWrittenUnderTheDevstackDirectory() {
        assertThat(Files.exists(stack.kafka().logFile())).isTrue();
        assertThat(stack.kafka().logFile()).startsWith(dir);
    }

    private void produce(String value) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        stack.kafka().bootstrapServers(),
                        ProducerConfig.ACKS_CONFIG,
                        "all"),
                new StringSerializer(),
                new StringSerializer())) {
            producer.send(new ProducerRecord<>(Topics.ACCOUNT_EVENTS, "same-key", value))
                    .get();
        }
    }
}
