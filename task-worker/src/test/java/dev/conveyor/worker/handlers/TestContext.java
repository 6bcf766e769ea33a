package dev.conveyor.worker.handlers;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.worker.output.FileSystemOutputStore;
import dev.conveyor.worker.output.OutputStore;
import dev.conveyor.worker.sdk.ChildTask;
import dev.conveyor.worker.sdk.TaskContext;
import dev.conveyor.worker.sdk.TaskView;
import io.smallrye.mutiny.Uni;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** A handler's context over a real filesystem store, recording progress and children (and their batches), for handler unit tests. */
final class TestContext implements TaskContext {
    final UUID id = UUID.randomUUID();
    final JsonNode params;
    final FileSystemOutputStore store;
    final List<Integer> progress = new ArrayList<>();
    final List<ChildTask> children = new ArrayList<>();
    /** Each createChildren call's children. */
    final List<List<ChildTask>> batches = new ArrayList<>();

    List<UUID> dependsOn = List.of();
    final Map<UUID, TaskView> tasks = new HashMap<>();
    volatile boolean cancelled;

    TestContext(JsonNode params, Path dir) {
        this.params = params;
        this.store = new FileSystemOutputStore(dir, "http://127.0.0.1:1");
    }

    @Override
    public UUID taskId() {
        return id;
    }

    @Override
    public UUID projectId() {
        return UUID.nameUUIDFromBytes("p".getBytes());
    }

    @Override
    public UUID userId() {
        return UUID.nameUUIDFromBytes("u".getBytes());
    }

    @Override
    public String taskType() {
        return "test";
    }

    @Override
    public JsonNode params() {
        return params;
    }

    @Override
    public int attempt() {
        return 1;
    }

    @Override
    public synchronized void progress(int percent, String message) {
        progress.add(percent);
    }

    @Override
    public boolean isCancelled() {
        return cancelled;
    }

    @Override
    public OutputStore outputs() {
        return store;
    }

    @Override
    public synchronized Uni<UUID> createChild(ChildTask child) {
        children.add(child);
        return Uni.createFrom()
                .item(UUID.nameUUIDFromBytes(child.idempotencyKey().getBytes()));
    }

    @Override
    public synchronized Uni<List<UUID>> createChildren(List<ChildTask> batch) {
        batches.add(List.copyOf(batch));
        children.addAll(batch);
        return Uni.createFrom()
                .item(batch.stream()
                        .map(c -> UUID.nameUUIDFromBytes(c.idempotencyKey().getBytes()))
                        .toList());
    }

    @Override
    public List<UUID> dependsOn() {
        return dependsOn;
    }

    @Override
    public Uni<TaskView> task(UUID taskId) {
        TaskView view = tasks.get(taskId);
        return view == null
                ? Uni.createFrom().failure(new IllegalStateException("no task " + taskId))
                : Uni.createFrom().item(view);
    }
}
