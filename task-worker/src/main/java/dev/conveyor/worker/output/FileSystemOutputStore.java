package dev.conveyor.worker.output;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/** Files under a root folder, published at {@code <publicUrl>/v1/outputs/<key>} by {@code OutputResource}. */
public final class FileSystemOutputStore implements OutputStore {
    private final Path root;
    private final String publicUrl;

    public FileSystemOutputStore(Path root, String publicUrl) {
        this.root = root.toAbsolutePath().normalize();
        this.publicUrl = publicUrl.endsWith("/") ? publicUrl.substring(0, publicUrl.length() - 1) : publicUrl;
    }

    public Path root() {
        return root;
    }

    @Override
    public Uni<String> put(String key, byte[] data, String contentType) {
        return Uni.createFrom()
                .item(() -> {
                    Path target =
                            resolve(key).orElseThrow(() -> new IllegalArgumentException("invalid output key: " + key));
                    try {
                        Files.createDirectories(target.getParent());
                        Path tmp = Files.createTempFile(target.getParent(), ".part-", ".tmp");
                        Files.write(tmp, data);
                        // Readers never see a half-written file.
                        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                    } catch (IOException e) {
                        throw new UncheckedIOException("could not store " + key, e);
                    }
                    return urlOf(key);
                })
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    @Override
    public Optional<byte[]> get(String key) {
        return resolve(key).filter(Files::isRegularFile).map(p -> {
            try {
                return Files.readAllBytes(p);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    @Override
    public String urlOf(String key) {
        return publicUrl + "/v1/outputs/" + key;
    }

    /** The file of a key, or empty when the key is not valid (never a path outside the root). */
    public Optional<Path> resolve(String key) {
        if (!OutputStore.isValidKey(key)) {
            return Optional.empty();
        }
        Path p = root.resolve(key).normalize();
        return p.startsWith(root) ? Optional.of(p) : Optional.empty();
    }
}
