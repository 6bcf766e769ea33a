package dev.conveyor.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The rendered overlays of deploy/k8s/overlays, rendered by {@code kubectl kustomize} (kubectl is on every machine this
 * project builds on; without it the deploy tests fail, they do not skip). Each render is also written to
 * target/rendered/&lt;overlay&gt;.yaml for inspection.
 */
public record Rendered(String overlay, String renderer, List<ObjectNode> resources) {

    private static final Map<String, Rendered> CACHE = new ConcurrentHashMap<>();

    public static Path k8sDir() {
        return Path.of(System.getProperty("deploy.k8s.dir", "k8s"))
                .toAbsolutePath()
                .normalize();
    }

    public static Path rootDir() {
        return Path.of(System.getProperty("conveyor.root.dir", ".."))
                .toAbsolutePath()
                .normalize();
    }

    /** Every overlay directory's name (dev, prod). */
    public static List<String> overlays() {
        try (Stream<Path> s = Files.list(k8sDir().resolve("overlays"))) {
            return s.filter(Files::isDirectory)
                    .map(p -> p.getFileName().toString())
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Rendered of(String overlay) {
        return CACHE.computeIfAbsent(overlay, Rendered::render);
    }

    private static Rendered render(String overlay) {
        Path dir = k8sDir().resolve("overlays").resolve(overlay);
        if (!kubectlAvailable()) {
            throw new IllegalStateException("kubectl is not on the PATH: the deploy tests render the overlays with"
                    + " `kubectl kustomize` (install kubectl 1.32 or newer)");
        }
        String choice = "kubectl";
        List<ObjectNode> docs = Manifests.parseDocuments(kubectlKustomize(dir));
        Path out = Path.of(System.getProperty("deploy.rendered.dir", "target/rendered"))
                .resolve(overlay + ".yaml");
        try {
            Files.createDirectories(out.getParent());
            Files.writeString(out, "# rendered by " + choice + "\n" + Manifests.toYaml(docs));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Rendered(overlay, choice, docs);
    }

    public static boolean kubectlAvailable() {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String d : path.split(java.io.File.pathSeparator)) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, "kubectl"))) {
                return true;
            }
        }
        return false;
    }

    /** {@code kubectl kustomize dir}: its standard output, or an exception carrying its error output. */
    public static String kubectlKustomize(Path dir) {
        try {
            Path err = Files.createTempFile("kustomize", ".err");
            Process p = new ProcessBuilder("kubectl", "kustomize", dir.toString())
                    .redirectError(err.toFile())
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("kubectl kustomize " + dir + " failed: " + Files.readString(err));
            }
            Files.deleteIfExists(err);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public String namespace() {
        return resources.get(0).path("metadata").path("namespace").asText();
    }

    public List<ObjectNode> ofKind(String kind) {
        List<ObjectNode> out = new ArrayList<>();
        for (ObjectNode r : resources) {
            if (r.path("kind").asText().equals(kind)) {
                out.add(r);
            }
        }
        return out;
    }

    public Optional<ObjectNode> find(String kind, String name) {
        return ofKind(kind).stream().filter(r -> name(r).equals(name)).findFirst();
    }

    public ObjectNode get(String kind, String name) {
        return find(kind, name).orElseThrow(() -> new AssertionError(overlay + ": no " + kind + " " + name));
    }

    public static String name(JsonNode r) {
        return r.path("metadata").path("name").asText();
    }

    /** The single container of a Deployment's pod template. */
    public ObjectNode container(String deployment) {
        JsonNode containers = get("Deployment", deployment)
                .path("spec")
                .path("template")
                .path("spec")
                .path("containers");
        if (containers.size() != 1) {
            throw new AssertionError(overlay + ": Deployment " + deployment + " must have exactly one container");
        }
        return (ObjectNode) containers.get(0);
    }

    @Override
    public String toString() {
        return overlay + " (" + renderer + ")";
    }
}
