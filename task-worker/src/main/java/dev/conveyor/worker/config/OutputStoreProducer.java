package dev.conveyor.worker.config;

import dev.conveyor.worker.output.FileSystemOutputStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.nio.file.Path;

/**
 * The output store bean (injectable as {@code OutputStore}): the filesystem store by default. An S3-compatible store
 * replaces this producer with one of its own implementation.
 */
@ApplicationScoped
public class OutputStoreProducer {

    @Produces
    @Singleton
    FileSystemOutputStore fileSystemOutputStore(WorkerConfig config) {
        return new FileSystemOutputStore(Path.of(config.outputDir()), config.publicUrl());
    }
}
