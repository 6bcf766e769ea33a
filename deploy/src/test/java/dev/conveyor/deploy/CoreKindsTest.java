package dev.conveyor.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubernetes.client.openapi.models.V1Deployment;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every rendered manifest of a core kind parses strictly: no unknown field, no missing required field. */
class CoreKindsTest {

    static List<String> overlays() {
        return Rendered.overlays();
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void everyRenderedCoreKindParsesStrictlyWithTheKubernetesModels(String overlay) {
        Rendered r = Rendered.of(overlay);
        List<ObjectNode> core =
                r.resources().stream().filter(Manifests::isBuiltIn).toList();
        assertThat(core).as("core kinds in %s", r).hasSizeGreaterThan(20);
        for (ObjectNode resource : core) {
            assertThat(CoreKinds.parseStrict(resource))
                    .as(Manifests.id(resource))
                    .isNotNull();
        }
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void everyRenderedResourceHasAKnownApiAndANamespace(String overlay) {
        Rendered r = Rendered.of(overlay);
        for (ObjectNode resource : r.resources()) {
            String type = CoreKinds.typeKey(resource);
            assertThat(CoreKinds.MODELS.containsKey(type) || OperatorKinds.ALL.contains(type))
                    .as("%s: %s is neither a validated core kind nor a checked operator kind", r, type)
                    .isTrue();
            assertThat(resource.path("metadata").path("namespace").asText())
                    .as(Manifests.id(resource))
                    .isEqualTo(r.namespace())
                    .isNotBlank();
        }
    }

    @Test
    void aMisspelledFieldDeepInsideADeploymentIsRejected() {
        ObjectNode deployment =
                Rendered.of("prod").get("Deployment", "task-api").deepCopy();
        assertThat(CoreKinds.parseStrict(deployment)).isInstanceOf(V1Deployment.class);
        ((ObjectNode) deployment.at("/spec/template/spec/containers/0/readinessProbe")).put("intialDelaySeconds", 5);
        assertThatThrownBy(() -> CoreKinds.parseStrict(deployment))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("intialDelaySeconds");
    }

    @Test
    void aMissingRequiredFieldIsRejected() {
        ObjectNode service = Rendered.of("prod").get("Service", "task-api").deepCopy();
        ((ObjectNode) service.at("/spec/ports/0")).remove("port");
        assertThatThrownBy(() -> CoreKinds.parseStrict(service))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("port");
    }
}
