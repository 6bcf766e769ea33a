package dev.conveyor.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each service's rendered manifests against its own application.properties, read at test time: the port, every
 * environment variable it reads, its database, its Kafka, its shutdown budget and its consumer groups. A change to
 * a service's configuration that deploy/ does not follow fails here.
 */
class ServiceManifestsTest {

    /** Env vars that connect to something or carry a credential/identity must be set explicitly in Kubernetes. */
    private static final Pattern MUST_BE_SET =
            Pattern.compile("(PG|KAFKA|JWT|CORS)_.*|.*_(URL|URI|SERVERS|HOST|USER|PASSWORD|TOKEN|KEY|SECRET|ISSUER)");
    /** Env vars that configure Quarkus, the JVM image or a config mapping directly, not through a placeholder. */
    private static final Pattern DIRECT_CONFIG = Pattern.compile("(QUARKUS|JAVA|CONVEYOR|MP|SMALLRYE)_[A-Z0-9_]+");

    static Stream<Arguments> overlayAndService() {
        return Rendered.overlays().stream()
                .flatMap(o -> ServiceConfig.SERVICES.stream().map(s -> Arguments.of(o, s)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("overlayAndService")
    void portsAndHealthProbesFollowTheServicesHttpPort(String overlay, String service) {
        Rendered r = Rendered.of(overlay);
        ServiceConfig cfg = ServiceConfig.load(service);
        ObjectNode c = r.container(service);
        JsonNode http = port(c, "http");
        assertThat(http.path("containerPort").asInt())
                .as("%s containerPort vs quarkus.http.port", service)
                .isEqualTo(cfg.httpPort());
        JsonNode svc = r.get("Service", service).path("spec");
        assertThat(svc.path("ports")).hasSize(1);
        assertThat(svc.path("ports").get(0).path("port").asInt()).isEqualTo(cfg.httpPort());
        assertThat(svc.path("ports").get(0).path("targetPort").asText()).isEqualTo("http");
        assertThat(svc.path("selector"))
                .isEqualTo(r.get("Deployment", service)
                        .path("spec")
                        .path("selector")
                        .path("matchLabels"));
        assertThat(probePath(c, "startupProbe")).isEqualTo("/q/health/started");
        assertThat(probePath(c, "livenessProbe")).isEqualTo("/q/health/live");
        assertThat(probePath(c, "readinessProbe")).isEqualTo("/q/health/ready");
        for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
            assertThat(c.path(probe).path("httpGet").path("port").asText()).isEqualTo("http");
        }
        JsonNode annotations = r.get("Deployment", service)
                .path("spec")
                .path("template")
                .path("metadata")
                .path("annotations");
        assertThat(annotations.path("prometheus.io/path").asText()).isEqualTo("/q/metrics");
        assertThat(annotations.path("prometheus.io/port").asText()).isEqualTo(String.valueOf(cfg.httpPort()));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("overlayAndService")
    void everyEnvironmentVariableTheServiceReadsIsSetAndNoStaleOneIs(String overlay, String service) {
        Rendered r = Rendered.of(overlay);
        ServiceConfig cfg = ServiceConfig.load(service);
        Map<String, String> provided = providedEnv(r, service);
        List<String> missing = new ArrayList<>();
        cfg.envVars().forEach((name, dflt) -> {
            boolean required = dflt == null || MUST_BE_SET.matcher(name).matches();
            if (required && !provided.containsKey(name)) {
                missing.add(name);
            }
        });
        assertThat(missing)
                .as("%s reads these env vars (application.properties) but %s does not set them", service, overlay)
                .isEmpty();
        List<String> stale = provided.keySet().stream()
                .filter(n -> !cfg.envVars().containsKey(n)
                        && !DIRECT_CONFIG.matcher(n).matches())
                .toList();
        assertThat(stale)
                .as("%s: set in %s but read by no property of the service", service, overlay)
                .isEmpty();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("overlayAndService")
    void connectionsPointAtTheOperatorMadeServicesAndTheServicesOwnDatabase(String overlay, String service) {
        Rendered r = Rendered.of(overlay);
        ServiceConfig cfg = ServiceConfig.load(service);
        Map<String, String> env = providedEnv(r, service);
        JsonNode kafka = r.ofKind("Kafka").get(0);
        int kafkaPort = kafka.path("spec")
                .path("kafka")
                .path("listeners")
                .get(0)
                .path("port")
                .asInt();
        if (cfg.envVars().containsKey("KAFKA_BOOTSTRAP_SERVERS")) {
            assertThat(env.get("KAFKA_BOOTSTRAP_SERVERS"))
                    .isEqualTo(Rendered.name(kafka) + "-kafka-bootstrap:" + kafkaPort);
        }
        if (cfg.hasDatasource()) {
            String db = cfg.databaseName()
                    .orElseThrow(() -> new AssertionError(service + ": no database name in its JDBC URL"));
            ObjectNode cluster = r.ofKind("Cluster").stream()
                    .filter(c -> c.path("spec")
                            .path("bootstrap")
                            .path("initdb")
                            .path("database")
                            .asText()
                            .equals(db))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError(overlay + ": no CloudNativePG Cluster for " + db));
            String host = Rendered.name(cluster) + "-rw:5432/" + db;
            assertThat(env.get("PG_JDBC_URL")).isEqualTo("jdbc:postgresql://" + host);
            assertThat(env.get("PG_REACTIVE_URL")).isEqualTo("postgresql://" + host);
            assertThat(env.get("PG_USER")).isEqualTo("secret:" + Rendered.name(cluster) + "-app/username");
            assertThat(env.get("PG_PASSWORD")).isEqualTo("secret:" + Rendered.name(cluster) + "-app/password");
        } else {
            assertThat(env.keySet()).as("%s has no database", service).noneMatch(n -> n.startsWith("PG_"));
        }
        if (cfg.envVars().containsKey("TASK_API_URL")) {
            assertThat(env.get("TASK_API_URL"))
                    .isEqualTo(
                            "http://task-api:" + ServiceConfig.load("task-api").httpPort());
        }
        if (cfg.envVars().containsKey("WORKER_TOKEN")) {
            assertThat(env.get("WORKER_TOKEN")).isEqualTo("secret:" + service + "-config-creds/WORKER_TOKEN");
        }
        if (cfg.envVars().containsKey("JWT_PUBLIC_KEY")) {
            String path = env.get("JWT_PUBLIC_KEY");
            JsonNode mount = mountFor(r, service, path)
                    .orElseThrow(
                            () -> new AssertionError(service + ": JWT_PUBLIC_KEY " + path + " is on no volume mount"));
            assertThat(volume(r, service, mount.path("name").asText())
                            .path("configMap")
                            .path("name")
                            .asText())
                    .isEqualTo("conveyor-jwt-public-keys");
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("overlayAndService")
    void configMapAndCredentialsSecretAreReferencedAndResourcesBounded(String overlay, String service) {
        Rendered r = Rendered.of(overlay);
        ObjectNode c = r.container(service);
        List<String> configMaps = new ArrayList<>();
        List<String> secrets = new ArrayList<>();
        c.path("envFrom").forEach(e -> {
            if (e.has("configMapRef")) {
                configMaps.add(e.path("configMapRef").path("name").asText());
            }
            if (e.has("secretRef")) {
                secrets.add(e.path("secretRef").path("name").asText());
            }
        });
        assertThat(configMaps).containsExactly(service + "-config");
        assertThat(r.find("ConfigMap", service + "-config")).isPresent();
        assertThat(secrets).containsExactly(service + "-config-creds");
        JsonNode res = c.path("resources");
        for (String kind : List.of("cpu", "memory")) {
            assertThat(res.path("requests").path(kind).asText())
                    .as("%s requests.%s", service, kind)
                    .isNotBlank();
            assertThat(res.path("limits").path(kind).asText())
                    .as("%s limits.%s", service, kind)
                    .isNotBlank();
            assertThat(Quantities.parse(res.path("requests").path(kind).asText()))
                    .isLessThanOrEqualTo(
                            Quantities.parse(res.path("limits").path(kind).asText()));
        }
        assertThat(r.find("PodDisruptionBudget", service)).isPresent();
        JsonNode pdb = r.get("PodDisruptionBudget", service).path("spec");
        assertThat(pdb.path("selector").path("matchLabels"))
                .isEqualTo(r.get("Deployment", service)
                        .path("spec")
                        .path("selector")
                        .path("matchLabels"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("overlayAndService")
    void podsRunUnprivilegedOnAReadOnlyRootWithoutAnApiToken(String overlay, String service) {
        Rendered r = Rendered.of(overlay);
        JsonNode pod =
                r.get("Deployment", service).path("spec").path("template").path("spec");
        JsonNode sc = r.container(service).path("securityContext");
        assertThat(pod.path("securityContext").path("runAsNonRoot").asBoolean()).isTrue();
        assertThat(pod.path("automountServiceAccountToken").asBoolean(true)).isFalse();
        assertThat(sc.path("allowPrivilegeEscalation").asBoolean(true)).isFalse();
        assertThat(sc.path("readOnlyRootFilesystem").asBoolean()).isTrue();
        assertThat(sc.path("capabilities").path("drop").toString()).contains("\"ALL\"");
        List<String> mounts = new ArrayList<>();
        r.container(service)
                .path("volumeMounts")
                .forEach(m -> mounts.add(m.path("mountPath").asText()));
        assertThat(mounts).as("%s: writable /tmp on a read-only root", service).contains("/tmp");
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("overlayAndService")
    void shutdownDelayPlusQuarkusShutdownFitsInTheTerminationGracePeriod(String overlay, String service) {
        Rendered r = Rendered.of(overlay);
        ServiceConfig cfg = ServiceConfig.load(service);
        JsonNode pod =
                r.get("Deployment", service).path("spec").path("template").path("spec");
        int delay = r.container(service)
                .path("lifecycle")
                .path("preStop")
                .path("sleep")
                .path("seconds")
                .asInt(0);
        assertThat(delay)
                .as("%s: preStop sleep lets endpoints drop the pod before SIGTERM", service)
                .isPositive();
        Duration budget = cfg.shutdownBudget(providedEnv(r, service));
        Duration needed = Duration.ofSeconds(delay).plus(budget);
        assertThat(Duration.ofSeconds(pod.path("terminationGracePeriodSeconds").asLong(30)))
                .as("%s: grace vs delay %ss + shutdown %s", service, delay, budget)
                .isGreaterThan(needed);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("overlayAndService")
    void autoscalersTargetTheServiceAndLagScalersWatchTheGroupItConsumesWith(String overlay, String service) {
        Rendered r = Rendered.of(overlay);
        ServiceConfig cfg = ServiceConfig.load(service);
        Optional<ObjectNode> hpa = r.find("HorizontalPodAutoscaler", service);
        Optional<ObjectNode> keda = r.find("ScaledObject", service);
        if (service.equals("task-api") || service.equals("realtime-gateway")) {
            assertThat(hpa).isPresent();
            JsonNode spec = hpa.get().path("spec");
            assertThat(spec.path("scaleTargetRef").path("name").asText()).isEqualTo(service);
            assertThat(spec.path("scaleTargetRef").path("kind").asText()).isEqualTo("Deployment");
            assertThat(spec.path("maxReplicas").asInt())
                    .isGreaterThanOrEqualTo(spec.path("minReplicas").asInt());
        } else {
            assertThat(keda).isPresent();
            Map<String, String> declared = cfg.incomingTopicGroups();
            String appName = cfg.get("quarkus.application.name").orElse(service);
            for (JsonNode t : keda.get().path("spec").path("triggers")) {
                if (!t.path("type").asText().equals("kafka")) {
                    continue;
                }
                String topic = t.path("metadata").path("topic").asText();
                assertThat(t.path("metadata").path("consumerGroup").asText())
                        .as("%s group on %s", service, topic)
                        .isEqualTo(declared.getOrDefault(topic, appName));
            }
        }
        assertThat(r.get("Deployment", service).path("spec").has("replicas"))
                .as("%s: the autoscaler owns the replica count", service)
                .isFalse();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("overlayAndService")
    void databaseConnectionsAtFullScaleFitTheClustersMaxConnections(String overlay, String service) {
        Rendered r = Rendered.of(overlay);
        ServiceConfig cfg = ServiceConfig.load(service);
        if (!cfg.hasDatasource()) {
            return;
        }
        int maxReplicas = r.find("HorizontalPodAutoscaler", service)
                .map(h -> h.path("spec").path("maxReplicas").asInt())
                .or(() -> r.find("ScaledObject", service)
                        .map(s -> s.path("spec").path("maxReplicaCount").asInt()))
                .orElseThrow();
        String db = cfg.databaseName().orElseThrow();
        JsonNode cluster = r.ofKind("Cluster").stream()
                .filter(c -> c.path("spec")
                        .path("bootstrap")
                        .path("initdb")
                        .path("database")
                        .asText()
                        .equals(db))
                .findFirst()
                .orElseThrow();
        int max = Integer.parseInt(cluster.path("spec")
                .path("postgresql")
                .path("parameters")
                .path("max_connections")
                .asText("100"));
        // Reserved for superusers (3), replication and the operator's own connections: keep 10 free.
        assertThat(cfg.maxConnectionsPerReplica() * maxReplicas)
                .as(
                        "%s: %s connections x %s replicas vs max_connections %s",
                        service, cfg.maxConnectionsPerReplica(), maxReplicas, max)
                .isLessThanOrEqualTo(max - 10);
    }

    @Test
    void eachServiceHasAJvmDockerfileExposingItsPortAndRunningTheQuarkusApp() throws IOException {
        for (String service : ServiceConfig.SERVICES) {
            Path dockerfile = Rendered.rootDir().resolve(service).resolve("src/main/docker/Dockerfile.jvm");
            assertThat(dockerfile).as(service).exists();
            String text = Files.readString(dockerfile);
            assertThat(text)
                    .contains("EXPOSE " + ServiceConfig.load(service).httpPort())
                    .contains("target/quarkus-app/lib/", "target/quarkus-app/quarkus-run.jar")
                    .containsPattern("(?m)^USER 185$");
        }
    }

    /** The browser-facing services read one CORS_ORIGINS, and every overlay gives them the same value. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void everyBrowserFacingServiceAllowsTheSameOrigins(String overlay) {
        Rendered r = Rendered.of(overlay);
        List<String> browserFacing = List.of("task-api", "generation-service", "realtime-gateway");
        for (String service : browserFacing) {
            assertThat(ServiceConfig.load(service).envVars())
                    .as(service + " reads CORS_ORIGINS")
                    .containsKey("CORS_ORIGINS");
        }
        List<String> values = browserFacing.stream()
                .map(s -> providedEnv(r, s).get("CORS_ORIGINS"))
                .distinct()
                .toList();
        assertThat(values).as("CORS_ORIGINS in %s", overlay).hasSize(1).doesNotContainNull();
        assertThat(values.get(0)).doesNotContain(" ").matches("https?://[^,]+(,https?://[^,]+)*");
    }

    static Stream<String> overlays() {
        return Rendered.overlays().stream();
    }

    @Test
    void aConfigurationDriftIsDetected() throws IOException {
        Path tmp = Files.createTempFile("application", ".properties");
        Files.writeString(tmp, """
                quarkus.http.port=9999
                kafka.bootstrap.servers=${KAFKA_BOOTSTRAP_SERVERS:localhost:9092}
                some.endpoint=${BILLING_URL:http://localhost}
                tunable=${SOME_TUNABLE:5}
                %prod.quarkus.shutdown.timeout=40s
                %test.other=${TEST_ONLY_URL}
                """);
        ServiceConfig cfg = ServiceConfig.parse("task-api", tmp);
        Files.delete(tmp);
        assertThat(cfg.httpPort())
                .isNotEqualTo(Rendered.of("prod")
                        .container("task-api")
                        .path("ports")
                        .get(0)
                        .path("containerPort")
                        .asInt());
        assertThat(cfg.envVars())
                .containsKeys("KAFKA_BOOTSTRAP_SERVERS", "BILLING_URL", "SOME_TUNABLE")
                .doesNotContainKey("TEST_ONLY_URL");
        assertThat(MUST_BE_SET.matcher("BILLING_URL").matches()).isTrue();
        assertThat(MUST_BE_SET.matcher("SOME_TUNABLE").matches()).isFalse();
        assertThat(providedEnv(Rendered.of("prod"), "task-api")).doesNotContainKey("BILLING_URL");
        assertThat(cfg.shutdownBudget(Map.of())).isEqualTo(Duration.ofSeconds(40));
    }

    /** Env of the service's container: explicit entries (secret refs as "secret:name/key") and envFrom'd ConfigMap keys. */
    static Map<String, String> providedEnv(Rendered r, String service) {
        ObjectNode c = r.container(service);
        Map<String, String> env = new TreeMap<>();
        for (JsonNode from : c.path("envFrom")) {
            if (from.has("configMapRef")) {
                r.find("ConfigMap", from.path("configMapRef").path("name").asText())
                        .ifPresent(cm -> cm.path("data")
                                .fields()
                                .forEachRemaining(
                                        e -> env.put(e.getKey(), e.getValue().asText())));
            }
        }
        for (JsonNode e : c.path("env")) {
            JsonNode ref = e.path("valueFrom").path("secretKeyRef");
            String value = e.has("value")
                    ? e.get("value").asText()
                    : !ref.isMissingNode()
                            ? "secret:" + ref.path("name").asText() + "/"
                                    + ref.path("key").asText()
                            : "from:" + e.path("valueFrom").toString();
            env.put(e.path("name").asText(), value);
        }
        return env;
    }

    private static JsonNode port(JsonNode container, String name) {
        for (JsonNode p : container.path("ports")) {
            if (p.path("name").asText().equals(name)) {
                return p;
            }
        }
        throw new AssertionError("no port named " + name);
    }

    private static String probePath(JsonNode container, String probe) {
        return container.path(probe).path("httpGet").path("path").asText();
    }

    private static Optional<JsonNode> mountFor(Rendered r, String service, String path) {
        List<JsonNode> mounts = new ArrayList<>();
        r.container(service).path("volumeMounts").forEach(mounts::add);
        return mounts.stream()
                .filter(m -> path.startsWith(m.path("mountPath").asText() + "/"))
                .max(Comparator.comparingInt(m -> m.path("mountPath").asText().length()));
    }

    private static JsonNode volume(Rendered r, String service, String name) {
        for (JsonNode v : r.get("Deployment", service)
                .path("spec")
                .path("template")
                .path("spec")
                .path("volumes")) {
            if (v.path("name").asText().equals(name)) {
                return v;
            }
        }
        throw new AssertionError(service + ": no volume " + name);
    }
}
