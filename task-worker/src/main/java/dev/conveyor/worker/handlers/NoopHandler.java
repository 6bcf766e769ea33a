package dev.conveyor.worker.handlers;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.conveyor.worker.sdk.TaskContext;
import dev.conveyor.worker.sdk.TaskHandler;
import dev.conveyor.worker.sdk.TaskResult;
import io.quarkus.arc.lookup.LookupIfProperty;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;

/**
 * {@code noop} (capability {@code bench}): does nothing but record when it started. Only present when
 * {@code conveyor.worker.bench-handlers=true}; the benchmark uses it to measure dispatch latency and throughput.
 */
@ApplicationScoped
@LookupIfProperty(name = "conveyor.worker.bench-handlers", stringValue = "true")
public class NoopHandler implements TaskHandler {

    @Override
    public String taskType() {
        return "noop";
    }

    @Override
    public String capability() {
        return "bench";
    }

    /** Its result is ready at once: started on the dispatcher, no pool thread woken per task. */
    @Override
    public boolean blocking() {
        return false;
    }

    @Override
    public Uni<TaskResult> handle(TaskContext ctx) {
        return Uni.createFrom()
                .item(new TaskResult(
                        null,
                        JsonNodeFactory.instance
                                .objectNode()
                                .put("startedAt", Instant.now().toString())));
    }
}
