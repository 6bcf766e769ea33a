package dev.conveyor.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The Java renderer used where kubectl is missing does what kustomize does, for the subset the overlays use. */
class KustomizeRendererTest {

    static List<String> overlays() {
        return Rendered.overlays();
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void javaRendererAgreesWithKubectlKustomizeOnEveryOverlay(String overlay) {
        Assumptions.assumeTrue(Rendered.kubectlAvailable(), "kubectl is not installed: nothing to compare with");
        Path dir = Rendered.k8sDir().resolve("overlays").resolve(overlay);
        Map<String, JsonNode> kubectl = byId(Kustomize.parseDocuments(Rendered.kubectlKustomize(dir)));
        Map<String, JsonNode> java = byId(Kustomize.render(dir));
        assertThat(java.keySet()).isEqualTo(kubectl.keySet());
        for (String id : kubectl.keySet()) {
            assertThat(java.get(id)).as(id).isEqualTo(kubectl.get(id));
        }
    }

    @Test
    void overlayPatchesMergeContainersByNameAndConfigMapsByKey(@TempDir Path tmp) throws IOException {
        Path base = Files.createDirectories(tmp.resolve("base"));
        Files.writeString(base.resolve("kustomization.yaml"), """
                resources: [app.yaml]
                generatorOptions: {disableNameSuffixHash: true}
                configMapGenerator:
                  - name: app-config
                    literals: [A=1, B=2]
                """);
        Files.writeString(base.resolve("app.yaml"), """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: app, labels: {x: y}}
                spec:
                  selector: {matchLabels: {x: y}}
                  template:
                    metadata: {labels: {x: y}}
                    spec:
                      containers:
                        - name: app
                          image: org/app
                          env: [{name: KEEP, value: "1"}, {name: CHANGE, value: "1"}]
                          resources: {requests: {cpu: 100m, memory: 1Gi}}
                        - name: sidecar
                          image: org/sidecar:1.0
                """);
        Path overlay = Files.createDirectories(tmp.resolve("overlay"));
        Files.writeString(overlay.resolve("kustomization.yaml"), """
                namespace: ns1
                resources: [../base]
                labels: [{pairs: {env: test}, includeSelectors: false}]
                images: [{name: org/app, newName: reg/app, newTag: "2"}, {name: org/sidecar, newTag: "1.1"}]
                generatorOptions: {disableNameSuffixHash: true}
                configMapGenerator:
                  - name: app-config
                    behavior: merge
                    literals: [B=3, C=4]
                patches: [{path: patch.yaml}]
                """);
        Files.writeString(overlay.resolve("patch.yaml"), """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: app}
                spec:
                  template:
                    spec:
                      containers:
                        - name: app
                          env: [{name: CHANGE, value: "2"}]
                          resources: {requests: {cpu: 200m, memory: null}}
                """);
        List<ObjectNode> out = Kustomize.render(overlay);
        Map<String, JsonNode> byId = byId(out);
        JsonNode deployment = byId.get("apps/v1/Deployment/ns1/app");
        JsonNode app = deployment.at("/spec/template/spec/containers/0");
        assertThat(app.get("image").asText()).isEqualTo("reg/app:2");
        assertThat(deployment.at("/spec/template/spec/containers/1/image").asText()).isEqualTo("org/sidecar:1.1");
        assertThat(app.get("env").toString()).isEqualTo("[{\"name\":\"CHANGE\",\"value\":\"2\"},{\"name\":\"KEEP\",\"value\":\"1\"}]");
        assertThat(app.at("/resources/requests").toString()).isEqualTo("{\"cpu\":\"200m\"}");
        assertThat(deployment.at("/metadata/labels").toString()).isEqualTo("{\"x\":\"y\",\"env\":\"test\"}");
        assertThat(deployment.at("/spec/selector/matchLabels").toString()).isEqualTo("{\"x\":\"y\"}");
        assertThat(deployment.at("/spec/template/metadata/labels").toString()).isEqualTo("{\"x\":\"y\"}");
        assertThat(byId.get("v1/ConfigMap/ns1/app-config").get("data").toString())
                .isEqualTo("{\"A\":\"1\",\"B\":\"3\",\"C\":\"4\"}");
        if (Rendered.kubectlAvailable()) {
            assertThat(byId).isEqualTo(byId(Kustomize.parseDocuments(Rendered.kubectlKustomize(overlay))));
        }
    }

    @Test
    void listsOfCustomResourcesAreReplacedWholeByAPatch(@TempDir Path tmp) throws IOException {
        Files.writeString(tmp.resolve("kustomization.yaml"), "resources: [cr.yaml]\npatches: [{path: p.yaml}]\n");
        Files.writeString(tmp.resolve("cr.yaml"), """
                apiVersion: example.com/v1
                kind: Thing
                metadata: {name: t}
                spec:
                  triggers: [{type: a, metadata: {x: "1", y: "1"}}]
                  plain: [1, 2, 3]
                """);
        Files.writeString(tmp.resolve("p.yaml"), """
                apiVersion: example.com/v1
                kind: Thing
                metadata: {name: t}
                spec:
                  triggers: [{type: a, metadata: {y: "2"}}, {type: b}]
                  plain: [4]
                """);
        JsonNode spec = Kustomize.render(tmp).get(0).get("spec");
        assertThat(spec.get("triggers").toString())
                .isEqualTo("[{\"type\":\"a\",\"metadata\":{\"y\":\"2\"}},{\"type\":\"b\"}]");
        assertThat(spec.get("plain").toString()).isEqualTo("[4]");
        if (Rendered.kubectlAvailable()) {
            JsonNode kubectl = Kustomize.parseDocuments(Rendered.kubectlKustomize(tmp)).get(0).get("spec");
            assertThat(spec).isEqualTo(kubectl);
        }
    }

    @Test
    void aKustomizationOutsideTheSupportedSubsetIsRefused(@TempDir Path tmp) throws IOException {
        Files.writeString(tmp.resolve("kustomization.yaml"), "resources: []\nnamePrefix: x-\n");
        assertThatThrownBy(() -> Kustomize.render(tmp)).hasMessageContaining("namePrefix");
        Files.writeString(tmp.resolve("kustomization.yaml"), "resources: []\nconfigMapGenerator: [{name: c, literals: [A=1]}]\n");
        assertThatThrownBy(() -> Kustomize.render(tmp)).hasMessageContaining("disableNameSuffixHash");
        Files.writeString(tmp.resolve("kustomization.yaml"), "resources: []\nlabels: [{pairs: {a: b}}]\n");
        assertThatThrownBy(() -> Kustomize.render(tmp)).hasMessageContaining("includeSelectors");
    }

    @Test
    void aPatchWhoseTargetDoesNotExistFails(@TempDir Path tmp) throws IOException {
        Files.writeString(tmp.resolve("kustomization.yaml"), "resources: []\npatches: [{path: p.yaml}]\n");
        Files.writeString(tmp.resolve("p.yaml"), "apiVersion: v1\nkind: Service\nmetadata: {name: nope}\n");
        assertThatThrownBy(() -> Kustomize.render(tmp)).hasMessageContaining("v1/Service/nope");
    }

    private static Map<String, JsonNode> byId(List<ObjectNode> docs) {
        Map<String, JsonNode> out = new TreeMap<>();
        for (ObjectNode d : docs) {
            String ns = d.path("metadata").path("namespace").asText("");
            out.put(d.path("apiVersion").asText() + "/" + d.path("kind").asText() + "/" + ns + "/"
                    + d.path("metadata").path("name").asText(), d);
        }
        return out;
    }
}
