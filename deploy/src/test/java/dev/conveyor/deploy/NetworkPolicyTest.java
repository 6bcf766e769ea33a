package dev.conveyor.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conveyor.deploy.NetworkPolicies.Pod;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Only what must talk may talk: the connections each service's configuration names (Kafka, its own database,
 * task-api for the worker) are allowed by the NetworkPolicies, and every other connection between the namespace's
 * pods is denied. Also the operators' and the cluster's own needs: DNS, the ingress, KEDA, CloudNativePG.
 */
class NetworkPolicyTest {

    static List<String> overlays() {
        return Rendered.overlays();
    }

    /** Pods of the namespace, with their listening port: the services, the Kafka brokers, the database instances. */
    private static Map<Pod, Integer> podsOf(Rendered r) {
        Map<Pod, Integer> pods = new LinkedHashMap<>();
        for (String s : ServiceConfig.SERVICES) {
            JsonNode labels = r.get("Deployment", s)
                    .path("spec")
                    .path("template")
                    .path("metadata")
                    .path("labels");
            pods.put(
                    new Pod(s, r.namespace(), toMap(labels)),
                    ServiceConfig.load(s).httpPort());
        }
        for (ObjectNode k : r.ofKind("Kafka")) {
            pods.put(
                    new Pod(
                            "kafka",
                            r.namespace(),
                            Map.of(
                                    "strimzi.io/cluster",
                                    Rendered.name(k),
                                    "strimzi.io/kind",
                                    "Kafka",
                                    "strimzi.io/name",
                                    Rendered.name(k) + "-kafka")),
                    k.path("spec")
                            .path("kafka")
                            .path("listeners")
                            .get(0)
                            .path("port")
                            .asInt());
        }
        for (ObjectNode c : r.ofKind("Cluster")) {
            pods.put(
                    new Pod(
                            Rendered.name(c),
                            r.namespace(),
                            Map.of("cnpg.io/cluster", Rendered.name(c), "cnpg.io/podRole", "instance")),
                    5432);
        }
        return pods;
    }

    /** Who must reach whom, derived from each service's configuration as rendered. */
    private static Set<String> requiredEdges(Rendered r) {
        Set<String> edges = new java.util.HashSet<>();
        for (String s : ServiceConfig.SERVICES) {
            ServiceConfig cfg = ServiceConfig.load(s);
            Map<String, String> env = ServiceManifestsTest.providedEnv(r, s);
            if (cfg.envVars().containsKey("KAFKA_BOOTSTRAP_SERVERS")) {
                edges.add(s + "->kafka");
            }
            String jdbc = env.getOrDefault("PG_JDBC_URL", "");
            for (ObjectNode c : r.ofKind("Cluster")) {
                if (jdbc.contains("//" + Rendered.name(c) + "-rw:")) {
                    edges.add(s + "->" + Rendered.name(c));
                }
            }
            for (String target : ServiceConfig.SERVICES) {
                if (env.values().stream().anyMatch(v -> v.startsWith("http://" + target + ":")) && !target.equals(s)) {
                    edges.add(s + "->" + target);
                }
            }
        }
        return edges;
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void exactlyTheConnectionsTheServicesConfigurationNamesAreAllowedInsideTheNamespace(String overlay) {
        Rendered r = Rendered.of(overlay);
        NetworkPolicies np = new NetworkPolicies(r);
        Map<Pod, Integer> pods = podsOf(r);
        Set<String> required = requiredEdges(r);
        assertThat(required)
                .contains(
                        "task-api->kafka",
                        "task-api->conveyor-tasks-pg",
                        "generation-service->conveyor-generations-pg",
                        "task-worker->task-api",
                        "realtime-gateway->kafka");
        List<String> wronglyDenied = new ArrayList<>();
        List<String> wronglyAllowed = new ArrayList<>();
        for (Pod from : pods.keySet()) {
            if (!ServiceConfig.SERVICES.contains(from.name())) {
                continue;
            }
            for (Map.Entry<Pod, Integer> to : pods.entrySet()) {
                if (to.getKey().equals(from)) {
                    continue;
                }
                String edge = from.name() + "->" + to.getKey().name();
                boolean allowed = np.allowed(from, to.getKey(), to.getValue(), "TCP");
                if (required.contains(edge) && !allowed) {
                    wronglyDenied.add(edge);
                } else if (!required.contains(edge) && allowed) {
                    wronglyAllowed.add(edge);
                }
            }
        }
        assertThat(wronglyDenied).as("needed but denied").isEmpty();
        assertThat(wronglyAllowed).as("allowed without need").isEmpty();
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void theClusterAndTheOperatorsReachWhatTheyServeAndNothingElse(String overlay) {
        assertThat(Rendered.of(overlay).ofKind("TriggerAuthentication")).isNotEmpty();
        Rendered r = Rendered.of(overlay);
        NetworkPolicies np = new NetworkPolicies(r);
        Map<Pod, Integer> pods = podsOf(r);
        Pod dns = new Pod("dns", "kube-system", Map.of("k8s-app", "kube-dns"));
        Pod ingress = new Pod("ingress", "ingress-nginx", Map.of("app.kubernetes.io/name", "ingress-nginx"));
        Pod keda = new Pod("keda", "keda", Map.of("app", "keda-operator"));
        Pod cnpg = new Pod("cnpg", "cnpg-system", Map.of("app.kubernetes.io/name", "cloudnative-pg"));
        // Databases KEDA queries: those whose -app secret a TriggerAuthentication reads.
        Set<String> kedaQueries = new java.util.HashSet<>();
        r.ofKind("TriggerAuthentication")
                .forEach(ta -> ta.path("spec")
                        .path("secretTargetRef")
                        .forEach(
                                ref -> kedaQueries.add(ref.path("name").asText().replaceFirst("-app$", ""))));
        for (Map.Entry<Pod, Integer> p : pods.entrySet()) {
            String name = p.getKey().name();
            boolean service = ServiceConfig.SERVICES.contains(name);
            if (service) {
                assertThat(np.allowed(p.getKey(), dns, 53, "UDP"))
                        .as("%s resolves names", name)
                        .isTrue();
                assertThat(np.allowed(ingress, p.getKey(), p.getValue(), "TCP"))
                        .as("ingress reaches %s", name)
                        .isTrue();
                assertThat(np.allowed(p.getKey(), new Pod("internet", "elsewhere", Map.of()), 443, "TCP"))
                        .as("%s has no open egress", name)
                        .isFalse();
            } else {
                assertThat(np.allowed(ingress, p.getKey(), p.getValue(), "TCP"))
                        .as("ingress must not reach %s", name)
                        .isFalse();
            }
            boolean kafka = name.equals("kafka");
            assertThat(np.allowed(keda, p.getKey(), p.getValue(), "TCP"))
                    .as("KEDA -> %s", name)
                    .isEqualTo(kafka || service || kedaQueries.contains(name));
            if (!service && !kafka) {
                assertThat(np.allowed(cnpg, p.getKey(), 8000, "TCP"))
                        .as("CloudNativePG operator -> %s status", name)
                        .isTrue();
                Pod otherInstance =
                        new Pod(name + "-2", r.namespace(), p.getKey().labels());
                assertThat(np.allowed(otherInstance, p.getKey(), 5432, "TCP"))
                        .as("%s instances replicate", name)
                        .isTrue();
            }
        }
    }

    @Test
    void removingAnAllowRuleDeniesTheConnection() {
        Rendered prod = Rendered.of("prod");
        List<ObjectNode> without = new ArrayList<>();
        for (ObjectNode res : prod.resources()) {
            if (!(res.path("kind").asText().equals("NetworkPolicy")
                    && Rendered.name(res).equals("task-worker"))) {
                without.add(res);
            }
        }
        Rendered trimmed = new Rendered("prod-trimmed", "test", without);
        Map<Pod, Integer> pods = podsOf(prod);
        Pod worker = pods.keySet().stream()
                .filter(p -> p.name().equals("task-worker"))
                .findFirst()
                .orElseThrow();
        Pod api = pods.keySet().stream()
                .filter(p -> p.name().equals("task-api"))
                .findFirst()
                .orElseThrow();
        assertThat(new NetworkPolicies(prod).allowed(worker, api, 8081, "TCP")).isTrue();
        assertThat(new NetworkPolicies(trimmed).allowed(worker, api, 8081, "TCP"))
                .isFalse();
    }

    private static Map<String, String> toMap(JsonNode labels) {
        Map<String, String> m = new HashMap<>();
        labels.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().asText()));
        return m;
    }
}
