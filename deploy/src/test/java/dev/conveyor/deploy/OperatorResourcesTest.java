package dev.conveyor.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conveyor.contracts.Topics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Strimzi, CloudNativePG and KEDA resources: the fields their operators require (the CRDs are not available
 * offline, so these are our own assertions), and that they fit the platform: topics equal contracts' Topics.ALL,
 * KRaft node pools hold both roles, one database per service, lag scalers never outgrow their topic.
 */
class OperatorResourcesTest {

    static List<String> overlays() {
        return Rendered.overlays();
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void kafkaIsAKraftClusterBuiltFromNodePoolsWithControllersAndBrokers(String overlay) {
        Rendered r = Rendered.of(overlay);
        List<ObjectNode> kafkas = r.ofKind("Kafka");
        assertThat(kafkas).hasSize(1);
        JsonNode kafka = kafkas.get(0);
        String cluster = Rendered.name(kafka);
        assertThat(kafka.path("apiVersion").asText()).isEqualTo("kafka.strimzi.io/v1");
        JsonNode spec = kafka.path("spec").path("kafka");
        assertThat(spec.has("zookeeper") || kafka.path("spec").has("zookeeper"))
                .as("no ZooKeeper in KRaft mode")
                .isFalse();
        assertThat(spec.has("replicas") || spec.has("storage"))
                .as("v1: replicas and storage live in node pools")
                .isFalse();
        assertThat(spec.path("version").asText()).matches("\\d+\\.\\d+\\.\\d+");
        assertThat(spec.path("metadataVersion").asText())
                .matches("\\d+\\.\\d+-IV\\d+")
                .startsWith(spec.path("version").asText().substring(0, 3));
        assertThat(spec.path("listeners")).isNotEmpty();
        for (JsonNode l : spec.path("listeners")) {
            assertThat(l.path("name").asText()).matches("[a-z0-9]{1,11}");
            assertThat(l.path("port").asInt()).isBetween(9092, 65535);
            assertThat(l.path("type").asText())
                    .isIn("internal", "cluster-ip", "route", "loadbalancer", "nodeport", "ingress");
            assertThat(l.path("tls").isBoolean()).as("listener tls is required").isTrue();
        }
        assertThat(kafka.path("spec").path("entityOperator").has("topicOperator"))
                .as("the Topic Operator reconciles the KafkaTopics")
                .isTrue();

        List<ObjectNode> pools = r.ofKind("KafkaNodePool");
        assertThat(pools).isNotEmpty();
        Set<String> roles = new HashSet<>();
        int brokers = 0;
        for (ObjectNode pool : pools) {
            assertThat(pool.path("metadata")
                            .path("labels")
                            .path("strimzi.io/cluster")
                            .asText())
                    .isEqualTo(cluster);
            JsonNode ps = pool.path("spec");
            assertThat(ps.path("replicas").asInt()).isPositive();
            assertThat(ps.path("roles")).isNotEmpty();
            ps.path("roles").forEach(x -> roles.add(x.asText()));
            assertThat(ps.path("storage").path("type").asText()).isIn("jbod", "persistent-claim", "ephemeral");
            if (ps.path("storage").path("type").asText().equals("jbod")) {
                assertThat(ps.path("storage").path("volumes")).isNotEmpty();
                for (JsonNode v : ps.path("storage").path("volumes")) {
                    assertThat(v.has("id") && v.has("type")).isTrue();
                    if (v.path("type").asText().equals("persistent-claim")) {
                        assertThat(v.path("size").asText()).matches("\\d+(Mi|Gi|Ti)");
                    }
                }
            }
            if (contains(ps.path("roles"), "broker")) {
                brokers += ps.path("replicas").asInt();
            }
        }
        assertThat(roles).containsExactlyInAnyOrder("controller", "broker");
        JsonNode config = spec.path("config");
        for (String rf : List.of(
                "default.replication.factor",
                "offsets.topic.replication.factor",
                "transaction.state.log.replication.factor")) {
            assertThat(config.path(rf).asInt()).as(rf).isBetween(1, brokers);
        }
        assertThat(config.path("min.insync.replicas").asInt())
                .isLessThanOrEqualTo(config.path("default.replication.factor").asInt());
        assertThat(config.path("auto.create.topics.enable").asBoolean(true))
                .as("topics come from KafkaTopics only")
                .isFalse();
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void kafkaTopicsAreExactlyTheContractsTopicsWithTheirPartitionsAndCompaction(String overlay) {
        Rendered r = Rendered.of(overlay);
        String cluster = Rendered.name(r.ofKind("Kafka").get(0));
        int brokers = r.ofKind("KafkaNodePool").stream()
                .filter(p -> contains(p.path("spec").path("roles"), "broker"))
                .mapToInt(p -> p.path("spec").path("replicas").asInt())
                .sum();
        Map<String, Topics.TopicSpec> expected = new TreeMap<>();
        Topics.ALL.forEach(t -> expected.put(t.name(), t));
        Map<String, JsonNode> actual = new TreeMap<>();
        for (ObjectNode t : r.ofKind("KafkaTopic")) {
            actual.put(t.path("spec").path("topicName").asText(Rendered.name(t)), t);
        }
        assertThat(actual.keySet()).isEqualTo(expected.keySet());
        for (Topics.TopicSpec spec : Topics.ALL) {
            JsonNode t = actual.get(spec.name());
            assertThat(t.path("metadata")
                            .path("labels")
                            .path("strimzi.io/cluster")
                            .asText())
                    .isEqualTo(cluster);
            assertThat(t.path("spec").path("partitions").asInt())
                    .as(spec.name())
                    .isEqualTo(spec.partitions());
            int replicas = t.path("spec").path("replicas").asInt();
            assertThat(replicas).as(spec.name()).isBetween(1, brokers);
            assertThat(t.path("spec").path("config").path("min.insync.replicas").asInt(1))
                    .isLessThanOrEqualTo(replicas);
            boolean compacted = t.path("spec")
                    .path("config")
                    .path("cleanup.policy")
                    .asText("delete")
                    .contains("compact");
            assertThat(compacted).as("%s compacted", spec.name()).isEqualTo(spec.compacted());
            assertThat(t.path("spec").path("config").path("max.message.bytes").asInt())
                    .as("%s max.message.bytes = producers' max.request.size", spec.name())
                    .isEqualTo(Topics.MAX_MESSAGE_BYTES);
        }
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void lagScaledConsumersNeverHaveMoreReplicasThanTheirTopicHasPartitions(String overlay) {
        Rendered r = Rendered.of(overlay);
        Map<String, Integer> partitions = new HashMap<>();
        Topics.ALL.forEach(t -> partitions.put(t.name(), t.partitions()));
        List<String> checked = new ArrayList<>();
        for (ObjectNode so : r.ofKind("ScaledObject")) {
            int max = so.path("spec").path("maxReplicaCount").asInt();
            for (JsonNode trigger : so.path("spec").path("triggers")) {
                if (trigger.path("type").asText().equals("kafka")) {
                    String topic = trigger.path("metadata").path("topic").asText();
                    assertThat(partitions).as("topic of %s", Rendered.name(so)).containsKey(topic);
                    assertThat(max)
                            .as("%s max replicas vs %s partitions", Rendered.name(so), topic)
                            .isLessThanOrEqualTo(partitions.get(topic));
                    checked.add(Rendered.name(so));
                }
            }
        }
        assertThat(checked).contains("generation-service");
        // Every worker reads every partition of task-events; still, never more workers than its partitions.
        assertThat(r.get("ScaledObject", "task-worker")
                        .path("spec")
                        .path("maxReplicaCount")
                        .asInt())
                .isLessThanOrEqualTo(partitions.get(Topics.TASK_EVENTS));
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void queuedTasksScalerQueriesTablesAndColumnsThatTaskApisMigrationsDefine(String overlay) throws IOException {
        Rendered r = Rendered.of(overlay);
        JsonNode trigger = null;
        for (JsonNode t : r.get("ScaledObject", "task-worker").path("spec").path("triggers")) {
            if (t.path("type").asText().equals("postgresql")) {
                trigger = t;
            }
        }
        assertThat(trigger).as("task-worker scales on queued tasks").isNotNull();
        String query = trigger.path("metadata").path("query").asText();
        Matcher from = Pattern.compile("(?i)\\bFROM\\s+(\\w+)").matcher(query);
        assertThat(from.find()).as(query).isTrue();
        String table = from.group(1);
        StringBuilder ddl = new StringBuilder();
        try (var files = Files.list(Rendered.rootDir().resolve("task-api/src/main/resources/db/migration"))) {
            for (Path f : files.sorted().toList()) {
                ddl.append(Files.readString(f)).append('\n');
            }
        }
        Matcher create = Pattern.compile("(?is)CREATE TABLE (?:IF NOT EXISTS )?" + table + "\\s*\\((.*?)\\n\\);")
                .matcher(ddl);
        assertThat(create.find())
                .as("task-api's migrations create table %s", table)
                .isTrue();
        String columns = create.group(1);
        Matcher compared =
                Pattern.compile("(?i)\\b([a-z_]+)\\s*(?:=|<=|>=|<|>)").matcher(query);
        int n = 0;
        while (compared.find()) {
            assertThat(columns)
                    .as("column %s of %s", compared.group(1), table)
                    .containsPattern("(?m)^\\s*" + compared.group(1) + "\\s");
            n++;
        }
        assertThat(n).isPositive();
        assertThat(query).contains("'queued'");
        assertThat(columns).contains("'queued'");
        assertThat(trigger.path("metadata").path("targetQueryValue").isTextual())
                .isTrue();
        String auth = trigger.path("authenticationRef").path("name").asText();
        JsonNode ta = r.get("TriggerAuthentication", auth);
        JsonNode ref = ta.path("spec").path("secretTargetRef").get(0);
        assertThat(ref.path("parameter").asText()).isEqualTo("connection");
        // CloudNativePG's <cluster>-app secret of the cluster that holds task-api's database.
        String db = ServiceConfig.load("task-api").databaseName().orElseThrow();
        String cluster = r.ofKind("Cluster").stream()
                .filter(c -> c.path("spec")
                        .path("bootstrap")
                        .path("initdb")
                        .path("database")
                        .asText()
                        .equals(db))
                .map(Rendered::name)
                .findFirst()
                .orElseThrow();
        assertThat(ref.path("name").asText()).isEqualTo(cluster + "-app");
        assertThat(ref.path("key").asText()).isEqualTo("uri");
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void scaledObjectsHaveWhatKedaRequiresAndReachThisNamespacesKafka(String overlay) {
        Rendered r = Rendered.of(overlay);
        String kafka = Rendered.name(r.ofKind("Kafka").get(0));
        int port = r.ofKind("Kafka")
                .get(0)
                .path("spec")
                .path("kafka")
                .path("listeners")
                .get(0)
                .path("port")
                .asInt();
        assertThat(r.ofKind("ScaledObject")).hasSize(2);
        for (ObjectNode so : r.ofKind("ScaledObject")) {
            JsonNode spec = so.path("spec");
            String target = spec.path("scaleTargetRef").path("name").asText();
            assertThat(r.find("Deployment", target))
                    .as("scaleTargetRef of %s", Rendered.name(so))
                    .isPresent();
            assertThat(spec.path("scaleTargetRef").path("kind").asText("Deployment"))
                    .isEqualTo("Deployment");
            int min = spec.path("minReplicaCount").asInt(0);
            assertThat(spec.path("maxReplicaCount").asInt()).isGreaterThanOrEqualTo(Math.max(1, min));
            assertThat(spec.path("triggers")).isNotEmpty();
            for (JsonNode t : spec.path("triggers")) {
                assertThat(t.path("type").asText()).isNotBlank();
                JsonNode m = t.path("metadata");
                if (t.has("authenticationRef")) {
                    assertThat(r.find(
                                    "TriggerAuthentication",
                                    t.path("authenticationRef").path("name").asText()))
                            .as("authenticationRef of %s", Rendered.name(so))
                            .isPresent();
                }
                if (t.path("type").asText().equals("kafka")) {
                    // KEDA's operator runs in its own namespace: the address must carry this overlay's namespace.
                    assertThat(m.path("bootstrapServers").asText())
                            .isEqualTo(kafka + "-kafka-bootstrap." + r.namespace() + ".svc:" + port);
                    assertThat(m.path("consumerGroup").asText()).isNotBlank();
                    assertThat(m.path("topic").asText()).isNotBlank();
                    assertThat(m.path("lagThreshold").isTextual())
                            .as("KEDA metadata values are strings")
                            .isTrue();
                }
            }
            assertThat(r.find("HorizontalPodAutoscaler", target))
                    .as("KEDA makes the HPA of %s", target)
                    .isEmpty();
        }
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void eachDatabaseIsItsOwnCloudNativePgClusterWithAnInitdbOwner(String overlay) {
        Rendered r = Rendered.of(overlay);
        List<ObjectNode> clusters = r.ofKind("Cluster");
        assertThat(clusters).hasSize(2);
        Set<String> databases = new HashSet<>();
        for (ObjectNode c : clusters) {
            assertThat(c.path("apiVersion").asText()).isEqualTo("postgresql.cnpg.io/v1");
            JsonNode spec = c.path("spec");
            assertThat(spec.path("instances").asInt()).isPositive();
            assertThat(spec.path("storage").path("size").asText()).matches("\\d+(Mi|Gi|Ti)");
            JsonNode initdb = spec.path("bootstrap").path("initdb");
            assertThat(initdb.path("database").asText()).matches("[a-z_][a-z0-9_]*");
            assertThat(initdb.path("owner").asText()).matches("[a-z_][a-z0-9_]*");
            assertThat(spec.path("imageName").asText()).contains("postgresql:17");
            databases.add(initdb.path("database").asText());
        }
        assertThat(databases).containsExactlyInAnyOrder("conveyor_tasks", "conveyor_generations");
        if (overlay.equals("prod")) {
            clusters.forEach(c -> assertThat(c.path("spec").path("instances").asInt())
                    .as("HA in prod")
                    .isGreaterThanOrEqualTo(3));
        }
    }

    private static boolean contains(JsonNode array, String value) {
        for (JsonNode n : array) {
            if (n.asText().equals(value)) {
                return true;
            }
        }
        return false;
    }
}
