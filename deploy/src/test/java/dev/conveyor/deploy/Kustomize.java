package dev.conveyor.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A small kustomize for the subset deploy/k8s uses, for machines without kubectl. Supported kustomization fields:
 * <ul>
 *   <li>{@code resources}: YAML files (several documents each) and directories holding a kustomization.yaml;</li>
 *   <li>{@code namespace}: sets metadata.namespace of every resource;</li>
 *   <li>{@code labels} with {@code includeSelectors: false} (and no includeTemplates): metadata.labels only;</li>
 *   <li>{@code images}: name -> newName/newTag on containers of pod templates;</li>
 *   <li>{@code patches} with {@code path}: strategic-merge patches naming their target by apiVersion/kind/name;</li>
 *   <li>{@code configMapGenerator}: {@code literals} with {@code behavior} create (default) or merge;</li>
 *   <li>{@code generatorOptions.disableNameSuffixHash: true} (required: no hash suffixes are computed).</li>
 * </ul>
 * Anything else fails the render, so the overlays cannot drift out of the subset silently. Where kubectl is
 * installed, {@code KustomizeRendererTest} checks that this renderer and {@code kubectl kustomize} agree on
 * every overlay.
 *
 * <p>Strategic merge: maps merge recursively, a null value deletes the key, lists of built-in kinds merge by
 * their Kubernetes patch merge key (containers/env/volumes by name, volumeMounts by mountPath, container ports by
 * containerPort, Service ports by port), the patch's items first, then the base's untouched items; other lists,
 * and every list of a custom resource (kustomize has no schema for those), are replaced by the patch's list.
 */
public final class Kustomize {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Set<String> SUPPORTED = Set.of("apiVersion", "kind", "resources", "namespace", "labels",
            "images", "patches", "configMapGenerator", "generatorOptions");
    private static final Map<String, String> BUILT_IN_MERGE_KEYS = Map.of(
            "containers", "name", "initContainers", "name", "env", "name", "volumes", "name",
            "volumeMounts", "mountPath", "imagePullSecrets", "name");

    private Kustomize() {
    }

    /** Renders the kustomization in {@code dir}; resources in the order kustomize keeps them (load order). */
    public static List<ObjectNode> render(Path dir) {
        JsonNode k = readKustomization(dir);
        Iterator<String> fields = k.fieldNames();
        while (fields.hasNext()) {
            String f = fields.next();
            if (!SUPPORTED.contains(f)) {
                throw new IllegalArgumentException(dir + ": kustomization field '" + f + "' is outside the supported subset");
            }
        }
        LinkedHashMap<String, ObjectNode> resources = new LinkedHashMap<>();
        for (JsonNode r : k.path("resources")) {
            Path p = dir.resolve(r.asText()).normalize();
            List<ObjectNode> loaded = Files.isDirectory(p) ? render(p) : readDocuments(p);
            for (ObjectNode doc : loaded) {
                String id = id(doc);
                if (resources.putIfAbsent(id, doc) != null) {
                    throw new IllegalArgumentException(dir + ": resource " + id + " defined twice");
                }
            }
        }
        generateConfigMaps(dir, k, resources);
        for (JsonNode patch : k.path("patches")) {
            if (!patch.has("path") || patch.size() != 1) {
                throw new IllegalArgumentException(dir + ": only patches with a single 'path' are supported: " + patch);
            }
            for (ObjectNode p : readDocuments(dir.resolve(patch.get("path").asText()))) {
                ObjectNode target = resources.get(id(p));
                if (target == null) {
                    throw new IllegalArgumentException(dir + ": patch target " + id(p) + " not found");
                }
                strategicMerge(target, p, isBuiltIn(target));
            }
        }
        if (k.has("namespace")) {
            String ns = k.get("namespace").asText();
            for (ObjectNode r : resources.values()) {
                ((ObjectNode) r.get("metadata")).put("namespace", ns);
            }
        }
        for (JsonNode l : k.path("labels")) {
            if (!l.path("includeSelectors").isBoolean() || l.get("includeSelectors").asBoolean()
                    || l.has("includeTemplates") || l.has("fields")) {
                throw new IllegalArgumentException(dir + ": labels must say includeSelectors: false (metadata only)");
            }
            for (ObjectNode r : resources.values()) {
                ObjectNode meta = (ObjectNode) r.get("metadata");
                ObjectNode labels = meta.has("labels") ? (ObjectNode) meta.get("labels") : meta.putObject("labels");
                l.get("pairs").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
            }
        }
        for (JsonNode image : k.path("images")) {
            for (ObjectNode r : resources.values()) {
                setImages(r.path("spec").path("template").path("spec"), image);
            }
        }
        return new ArrayList<>(resources.values());
    }

    private static void generateConfigMaps(Path dir, JsonNode k, Map<String, ObjectNode> resources) {
        if (!k.has("configMapGenerator")) {
            return;
        }
        if (!k.path("generatorOptions").path("disableNameSuffixHash").asBoolean(false)) {
            throw new IllegalArgumentException(dir + ": configMapGenerator needs generatorOptions.disableNameSuffixHash: true");
        }
        for (JsonNode g : k.get("configMapGenerator")) {
            Iterator<String> gf = g.fieldNames();
            while (gf.hasNext()) {
                String f = gf.next();
                if (!Set.of("name", "literals", "behavior").contains(f)) {
                    throw new IllegalArgumentException(dir + ": configMapGenerator field '" + f + "' is not supported");
                }
            }
            String name = g.get("name").asText();
            String behavior = g.path("behavior").asText("create");
            String id = "v1/ConfigMap/" + name;
            ObjectNode cm;
            if (behavior.equals("create")) {
                cm = YAML.createObjectNode();
                cm.put("apiVersion", "v1");
                cm.put("kind", "ConfigMap");
                cm.putObject("metadata").put("name", name);
                cm.putObject("data");
                if (resources.putIfAbsent(id, cm) != null) {
                    throw new IllegalArgumentException(dir + ": ConfigMap " + name + " already exists (use behavior: merge)");
                }
            } else if (behavior.equals("merge")) {
                cm = resources.get(id);
                if (cm == null) {
                    throw new IllegalArgumentException(dir + ": no ConfigMap " + name + " to merge into");
                }
            } else {
                throw new IllegalArgumentException(dir + ": configMapGenerator behavior '" + behavior + "' is not supported");
            }
            ObjectNode data = cm.has("data") ? (ObjectNode) cm.get("data") : cm.putObject("data");
            for (JsonNode literal : g.path("literals")) {
                String s = literal.asText();
                int eq = s.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException(dir + ": literal without key=value: " + s);
                }
                data.put(s.substring(0, eq), s.substring(eq + 1));
            }
        }
    }

    private static void setImages(JsonNode podSpec, JsonNode image) {
        for (String field : List.of("containers", "initContainers")) {
            for (JsonNode c : podSpec.path(field)) {
                String current = c.path("image").asText();
                String name = current.contains(":") ? current.substring(0, current.lastIndexOf(':')) : current;
                if (!name.equals(image.get("name").asText())) {
                    continue;
                }
                String tag = current.contains(":") ? current.substring(current.lastIndexOf(':') + 1) : null;
                String newName = image.path("newName").asText(name);
                String newTag = image.has("newTag") ? image.get("newTag").asText() : tag;
                ((ObjectNode) c).put("image", newTag == null ? newName : newName + ":" + newTag);
            }
        }
    }

    /** A strategic-merge patch of {@code patch} into {@code target}, in place. */
    static void strategicMerge(ObjectNode target, JsonNode patch, boolean builtIn) {
        patch.fields().forEachRemaining(e -> {
            String key = e.getKey();
            JsonNode value = e.getValue();
            JsonNode current = target.get(key);
            if (value.isNull()) {
                target.remove(key);
            } else if (value.isObject() && current != null && current.isObject()) {
                strategicMerge((ObjectNode) current, value, builtIn);
            } else if (value.isArray() && current != null && current.isArray()) {
                target.set(key, mergeList(key, (ArrayNode) current, (ArrayNode) value, builtIn));
            } else {
                target.set(key, value.deepCopy());
            }
        });
    }

    private static ArrayNode mergeList(String field, ArrayNode current, ArrayNode patch, boolean builtIn) {
        String mergeKey = builtIn ? builtInMergeKey(field, current, patch) : null;
        if (mergeKey == null) {
            return patch.deepCopy();
        }
        // As kustomize orders them: the patch's items first (merged into their originals), then the untouched rest.
        ArrayNode result = current.arrayNode();
        Set<JsonNode> patchedKeys = new java.util.HashSet<>();
        for (JsonNode item : patch) {
            patchedKeys.add(item.get(mergeKey));
            JsonNode original = null;
            for (JsonNode c : current) {
                if (c.get(mergeKey).equals(item.get(mergeKey))) {
                    original = c;
                }
            }
            if (original == null) {
                result.add(item.deepCopy());
            } else {
                ObjectNode merged = (ObjectNode) original.deepCopy();
                strategicMerge(merged, item, true);
                result.add(merged);
            }
        }
        for (JsonNode c : current) {
            if (!patchedKeys.contains(c.get(mergeKey))) {
                result.add(c.deepCopy());
            }
        }
        return result;
    }

    private static String builtInMergeKey(String field, ArrayNode current, ArrayNode patch) {
        if (field.equals("ports")) {
            return allHave(current, "containerPort") && allHave(patch, "containerPort") ? "containerPort"
                    : allHave(current, "port") && allHave(patch, "port") ? "port" : null;
        }
        String key = BUILT_IN_MERGE_KEYS.get(field);
        return key != null && allHave(current, key) && allHave(patch, key) ? key : null;
    }

    private static boolean allHave(ArrayNode list, String key) {
        for (JsonNode item : list) {
            if (!item.isObject() || !item.has(key)) {
                return false;
            }
        }
        return true;
    }

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
        return r.path("apiVersion").asText() + "/" + r.path("kind").asText() + "/" + r.path("metadata").path("name").asText();
    }

    private static JsonNode readKustomization(Path dir) {
        for (String name : List.of("kustomization.yaml", "kustomization.yml", "Kustomization")) {
            Path p = dir.resolve(name);
            if (Files.exists(p)) {
                List<ObjectNode> docs = readDocuments(p);
                if (docs.size() != 1) {
                    throw new IllegalArgumentException(p + ": expected one document");
                }
                return docs.get(0);
            }
        }
        throw new IllegalArgumentException(dir + ": no kustomization.yaml");
    }

    /** Every non-empty YAML document of a file, as JSON trees. */
    public static List<ObjectNode> readDocuments(Path file) {
        try {
            return parseDocuments(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException(file.toString(), e);
        }
    }

    /** Every non-empty YAML document of a multi-document string. */
    public static List<ObjectNode> parseDocuments(String yaml) {
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
    public static String toYaml(List<ObjectNode> docs) {
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
