package dev.conveyor.worker.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.conveyor.worker.client.model.ClaimedTask;
import dev.conveyor.worker.output.OutputStore;
import dev.conveyor.worker.sdk.ChildTask;
import dev.conveyor.worker.sdk.TaskContext;
import dev.conveyor.worker.sdk.TaskView;
import io.smallrye.mutiny.Uni;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * What a handler sees of one attempt. The calls to task-api (children, reading a task) answer on the worker pool: the
 * handler's next step never runs on the HTTP client's threads, which only carry HTTP.
 */
final class AttemptContext implements TaskContext {
    private final ClaimedTask task;
    private final AttemptServices services;
    private final LeaseKeeper lease;
    private final BooleanSupplier cancelled;

    AttemptContext(ClaimedTask task, AttemptServices services, LeaseKeeper lease, BooleanSupplier cancelled) {
        this.task = task;
        this.services = services;
        this.lease = lease;
        this.cancelled = cancelled;
    }

    @Override
    public UUID taskId() {
        return task.id();
    }

    @Override
    public UUID projectId() {
        return task.projectId();
    }

    @Override
    public UUID userId() {
        return task.userId();
    }

    @Override
    public String taskType() {
        return task.taskType();
    }

    @Override
    public JsonNode params() {
        return task.params() == null ? JsonNodeFactory.instance.objectNode() : task.params();
    }

    @Override
    public int attempt() {
        return Math.max(1, task.attempts());
    }

    @Override
    public void progress(int percent, String message) {
        lease.progress(percent, message);
    }

    @Override
    public boolean isCancelled() {
        return cancelled.getAsBoolean();
    }

    @Override
    public OutputStore outputs() {
        return services.outputs();
    }

    @Override
    public Uni<UUID> createChild(ChildTask child) {
        return onWorkerPool(
                () -> services.client().createChild(task.id(), services.workerId(), task.leaseToken(), child));
    }

    @Override
    public Uni<List<UUID>> createChildren(List<ChildTask> children) {
        return onWorkerPool(
                () -> services.client().createChildren(task.id(), services.workerId(), task.leaseToken(), children));
    }

    @Override
    public List<UUID> dependsOn() {
        return task.dependsOn() == null ? List.of() : task.dependsOn();
    }

    @Override
    public Uni<TaskView> task(UUID taskId) {
        return onWorkerPool(() -> services.client().task(taskId));
    }

    /** A task-api call whose answer (item or failure) reaches the handler on the worker pool. */
    private <T> Uni<T> onWorkerPool(Supplier<CompletableFuture<T>> call) {
        return Uni.createFrom().completionStage(call).emitOn(services.workerPool());
    }
}
