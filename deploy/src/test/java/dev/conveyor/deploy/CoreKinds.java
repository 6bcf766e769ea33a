package dev.conveyor.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1NetworkPolicy;
import io.kubernetes.client.openapi.models.V1PersistentVolumeClaim;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudget;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V2HorizontalPodAutoscaler;
import java.lang.reflect.InvocationTargetException;
import java.util.Map;

/**
 * Strict parsing of core Kubernetes kinds with io.kubernetes:client-java-api: its generated models' fromJson
 * rejects any field the API does not define and any missing required field, at every depth.
 */
final class CoreKinds {

    static final Map<String, Class<?>> MODELS = Map.of(
            "v1/ConfigMap", V1ConfigMap.class,
            "v1/Secret", V1Secret.class,
            "v1/Service", V1Service.class,
            "v1/Namespace", V1Namespace.class,
            "v1/PersistentVolumeClaim", V1PersistentVolumeClaim.class,
            "apps/v1/Deployment", V1Deployment.class,
            "policy/v1/PodDisruptionBudget", V1PodDisruptionBudget.class,
            "autoscaling/v2/HorizontalPodAutoscaler", V2HorizontalPodAutoscaler.class,
            "networking.k8s.io/v1/NetworkPolicy", V1NetworkPolicy.class);

    private CoreKinds() {}

    static String typeKey(JsonNode r) {
        return r.path("apiVersion").asText() + "/" + r.path("kind").asText();
    }

    /** Parses strictly; throws IllegalArgumentException naming the offending field. */
    static Object parseStrict(JsonNode resource) {
        Class<?> model = MODELS.get(typeKey(resource));
        if (model == null) {
            throw new IllegalArgumentException("no strict model for core kind " + typeKey(resource));
        }
        try {
            return model.getMethod("fromJson", String.class).invoke(null, resource.toString());
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            throw new IllegalArgumentException(Manifests.id(resource) + ": " + cause.getMessage(), cause);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }
}
