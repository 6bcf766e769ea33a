package dev.conveyor.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** Reading and writing the multi-document YAML {@code kubectl kustomize} prints, and naming its resources. */
final class Manifests {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private Manifests() {}

    /** Built-in kinds have an API group without a dot (core "v1", apps, policy, autoscaling) or a *.k8s.io group. */
    static boolean isBuiltIn(JsonNode resource) {
        String apiVersion = resource.path("apiVersion").asText();
        if (!apiVersion.contains("/")) {
            return true;
        }
        String group = apiVersion.substring(0, apiVersion.indexOf('/'));
        return !group.contains(".") || group.endsWith(".k8s.io");
    }

    static String id(JsonNode r) {
        return r.path("apiVersion").asText() + "/" + r.path("kind").asText() + "/"
                + r.path("metadata").path("name").asText();
    }

    /** Every non-empty YAML document of a multi-document string. */
    static List<ObjectNode> parseDocuments(String yaml) {
        List<ObjectNode> docs = new ArrayList<>();
        try (var it = YAML.readerFor(JsonNode.class).<JsonNode>readValues(yaml)) {
            while (it.hasNext()) {
                JsonNode n = it.next();
                if (n != null && n.isObject() && !n.isEmpty()) {
                    docs.add((ObjectNode) n);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return docs;
    }

    /** Writes documents as one multi-document YAML file. */
    static String toYaml(List<ObjectNode> docs) {
        StringBuilder sb = new StringBuilder();
        try {
            for (ObjectNode d : docs) {
                String s = YAML.writeValueAsString(d);
                sb.append(s.startsWith("---") ? s : "---\n" + s);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return sb.toString();
    }
}
