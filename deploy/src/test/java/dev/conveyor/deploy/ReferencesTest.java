package dev.conveyor.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every name a rendered manifest refers to exists: ConfigMaps, Secrets and PersistentVolumeClaims mounted or read
 * by pods, Services (with the port) named in configuration values, autoscaler targets, selectors. A name exists
 * when the overlay renders it, when an operator makes it from a rendered resource (CloudNativePG: &lt;cluster&gt;-rw,
 * -ro, -r and &lt;cluster&gt;-app; Strimzi: &lt;kafka&gt;-kafka-bootstrap), or when it is one of the few inputs an
 * operator of the platform creates by hand, each documented in docs/operations.md.
 */
class ReferencesTest {

    /** Created by hand per environment (they hold credentials or the issuer's keys): documented in operations.md. */
    static final Set<String> EXTERNAL = Set.of(
            "Secret/task-api-config-creds",
            "Secret/generation-service-config-creds",
            "Secret/realtime-gateway-config-creds",
            "Secret/task-worker-config-creds",
            "ConfigMap/conveyor-jwt-public-keys");

    private static final Pattern HOST_PORT =
            Pattern.compile("(?:[a-z]+:)*(?://)?([a-z0-9-]+)(?:\\.([a-z0-9-]+)\\.svc(?:\\.cluster\\.local)?)?:(\\d+)");

    static List<String> overlays() {
        return Rendered.overlays();
    }

    /** kind/name -> ports ("" for kinds without ports) of everything that will exist in the namespace. */
    private static Map<String, Set<Integer>> existing(Rendered r) {
        Map<String, Set<Integer>> out = new HashMap<>();
        for (ObjectNode res : r.resources()) {
            Set<Integer> ports = new HashSet<>();
            res.path("spec").path("ports").forEach(p -> ports.add(p.path("port").asInt()));
            out.put(res.path("kind").asText() + "/" + Rendered.name(res), ports);
        }
        for (ObjectNode c : r.ofKind("Cluster")) {
            for (String suffix : List.of("-rw", "-ro", "-r")) {
                out.put("Service/" + Rendered.name(c) + suffix, Set.of(5432));
            }
            out.put("Secret/" + Rendered.name(c) + "-app", Set.of());
        }
        for (ObjectNode k : r.ofKind("Kafka")) {
            Set<Integer> ports = new HashSet<>();
            k.path("spec")
                    .path("kafka")
                    .path("listeners")
                    .forEach(l -> ports.add(l.path("port").asInt()));
            out.put("Service/" + Rendered.name(k) + "-kafka-bootstrap", ports);
        }
        EXTERNAL.forEach(e -> out.put(e, Set.of()));
        return out;
    }

    /** Every reference as "kind/name" (Services as "Service/name:port"), with where it was found. */
    private static Map<String, String> references(Rendered r) {
        Map<String, String> refs = new HashMap<>();
        for (ObjectNode d : r.ofKind("Deployment")) {
            String where = "Deployment/" + Rendered.name(d);
            JsonNode pod = d.path("spec").path("template").path("spec");
            for (JsonNode c : pod.path("containers")) {
                for (JsonNode f : c.path("envFrom")) {
                    if (f.has("configMapRef"))
                        refs.put("ConfigMap/" + f.at("/configMapRef/name").asText(), where);
                    if (f.has("secretRef"))
                        refs.put("Secret/" + f.at("/secretRef/name").asText(), where);
                }
                for (JsonNode e : c.path("env")) {
                    JsonNode vf = e.path("valueFrom");
                    if (vf.has("configMapKeyRef"))
                        refs.put("ConfigMap/" + vf.at("/configMapKeyRef/name").asText(), where);
                    if (vf.has("secretKeyRef"))
                        refs.put("Secret/" + vf.at("/secretKeyRef/name").asText(), where);
                }
            }
            for (JsonNode v : pod.path("volumes")) {
                if (v.has("configMap"))
                    refs.put("ConfigMap/" + v.at("/configMap/name").asText(), where);
                if (v.has("secret"))
                    refs.put("Secret/" + v.at("/secret/secretName").asText(), where);
                if (v.has("persistentVolumeClaim")) {
                    refs.put(
                            "PersistentVolumeClaim/"
                                    + v.at("/persistentVolumeClaim/claimName").asText(),
                            where);
                }
            }
        }
        for (ObjectNode cm : r.ofKind("ConfigMap")) {
            cm.path("data").fields().forEachRemaining(e -> {
                // browser origins (where the web app is served from), not addresses of in-cluster Services
                if (!e.getKey().equals("CORS_ORIGINS")) {
                    serviceRefs(r, e.getValue().asText(), "ConfigMap/" + Rendered.name(cm) + " " + e.getKey(), refs);
                }
            });
        }
        for (ObjectNode ta : r.ofKind("TriggerAuthentication")) {
            for (JsonNode ref : ta.path("spec").path("secretTargetRef")) {
                refs.put("Secret/" + ref.path("name").asText(), "TriggerAuthentication/" + Rendered.name(ta));
            }
        }
        for (ObjectNode so : r.ofKind("ScaledObject")) {
            refs.put("Deployment/" + so.at("/spec/scaleTargetRef/name").asText(), "ScaledObject/" + Rendered.name(so));
            for (JsonNode t : so.path("spec").path("triggers")) {
                if (t.has("authenticationRef")) {
                    refs.put(
                            "TriggerAuthentication/"
                                    + t.at("/authenticationRef/name").asText(),
                            "ScaledObject/" + Rendered.name(so));
                }
                serviceRefs(
                        r,
                        t.path("metadata").path("bootstrapServers").asText(),
                        "ScaledObject/" + Rendered.name(so),
                        refs);
            }
        }
        for (ObjectNode h : r.ofKind("HorizontalPodAutoscaler")) {
            refs.put(
                    "Deployment/" + h.at("/spec/scaleTargetRef/name").asText(),
                    "HorizontalPodAutoscaler/" + Rendered.name(h));
        }
        return refs;
    }

    private static void serviceRefs(Rendered r, String value, String where, Map<String, String> refs) {
        if (!value.contains(":") || value.startsWith("/")) {
            return;
        }
        for (String part : value.split(",")) {
            Matcher m = HOST_PORT.matcher(part.trim());
            if (m.lookingAt()) {
                assertThat(m.group(2) == null || m.group(2).equals(r.namespace()))
                        .as("%s names namespace %s, not %s", where, m.group(2), r.namespace())
                        .isTrue();
                refs.put("Service/" + m.group(1) + ":" + m.group(3), where);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void everyReferencedConfigMapSecretVolumeClaimServiceAndTargetExists(String overlay) {
        Rendered r = Rendered.of(overlay);
        Map<String, Set<Integer>> existing = existing(r);
        Map<String, String> refs = references(r);
        assertThat(refs.keySet())
                .as("references found")
                .anyMatch(k -> k.startsWith("Service/"))
                .anyMatch(k -> k.startsWith("Secret/"))
                .anyMatch(k -> k.startsWith("ConfigMap/"));
        List<String> dangling = new ArrayList<>();
        refs.forEach((ref, where) -> {
            if (ref.startsWith("Service/")) {
                String name = ref.substring(0, ref.lastIndexOf(':'));
                int port = Integer.parseInt(ref.substring(ref.lastIndexOf(':') + 1));
                if (!existing.containsKey(name) || !existing.get(name).contains(port)) {
                    dangling.add(ref + " (in " + where + ")");
                }
            } else if (!existing.containsKey(ref)) {
                dangling.add(ref + " (in " + where + ")");
            }
        });
        assertThat(dangling).as("%s: references to nothing", r).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void everySelectorSelectsADeploymentsPods(String overlay) {
        Rendered r = Rendered.of(overlay);
        List<JsonNode> podLabels = new ArrayList<>();
        r.ofKind("Deployment").forEach(d -> podLabels.add(d.at("/spec/template/metadata/labels")));
        for (String kind : List.of("Service", "PodDisruptionBudget")) {
            for (ObjectNode res : r.ofKind(kind)) {
                JsonNode selector =
                        kind.equals("Service") ? res.at("/spec/selector") : res.at("/spec/selector/matchLabels");
                assertThat(podLabels)
                        .as("%s/%s selects no pods", kind, Rendered.name(res))
                        .anyMatch(l -> contains(l, selector));
            }
        }
        for (ObjectNode d : r.ofKind("Deployment")) {
            assertThat(contains(d.at("/spec/template/metadata/labels"), d.at("/spec/selector/matchLabels")))
                    .as("Deployment %s selects its own pods", Rendered.name(d))
                    .isTrue();
            for (JsonNode spread : d.at("/spec/template/spec/topologySpreadConstraints")) {
                assertThat(contains(d.at("/spec/template/metadata/labels"), spread.at("/labelSelector/matchLabels")))
                        .as("Deployment %s spreads its own pods", Rendered.name(d))
                        .isTrue();
            }
        }
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void everyExternalInputIsActuallyUsedAndDocumentedInOperationsMd(String overlay) throws IOException {
        Rendered r = Rendered.of(overlay);
        String doc = Files.readString(Rendered.rootDir().resolve("docs/operations.md"));
        Set<String> used = new TreeSet<>(references(r).keySet());
        for (String e : EXTERNAL) {
            assertThat(used).as("external input %s is referenced", e).contains(e);
            assertThat(doc)
                    .as("docs/operations.md tells how to create %s", e)
                    .contains(e.substring(e.indexOf('/') + 1));
        }
    }

    @Test
    void aDanglingReferenceIsFound() {
        Rendered prod = Rendered.of("prod");
        List<ObjectNode> copy = new ArrayList<>();
        prod.resources().forEach(res -> copy.add(res.deepCopy()));
        Rendered broken = new Rendered("prod-broken", "test", copy);
        ((ObjectNode) broken.get("ConfigMap", "task-worker-config").get("data"))
                .put("TASK_API_URL", "http://task-apj:8081");
        assertThat(references(broken)).containsKey("Service/task-apj:8081");
        assertThat(existing(broken)).doesNotContainKey("Service/task-apj");
    }

    private static boolean contains(JsonNode labels, JsonNode selector) {
        if (selector.isMissingNode() || selector.isEmpty()) {
            return false;
        }
        var it = selector.fields();
        while (it.hasNext()) {
            var e = it.next();
            if (!e.getValue().equals(labels.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }
}
