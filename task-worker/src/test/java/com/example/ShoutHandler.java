package com.example;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.conveyor.worker.sdk.*;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;

@ApplicationScoped
public class ShoutHandler implements TaskHandler {
    @Override
    public String taskType() {
        return "shout"; // GPU-only types also override capability(), e.g. "wan2gp"
    }

    @Override
    public Uni<TaskResult> handle(TaskContext ctx) {
        String text = ctx.params().path("text").asText(null);
        if (text == null) throw new PermanentTaskException("param text is required");
        ctx.progress(50, "shouting");
        ctx.checkCancelled(); // throws once the task was cancelled
        byte[] out = text.toUpperCase().getBytes(StandardCharsets.UTF_8);
        var meta = JsonNodeFactory.instance.objectNode().put("chars", out.length);
        return ctx.outputs().put(ctx.taskId() + "/shout.txt", out, "text/plain").map(url -> TaskResult.of(url, meta));
    }
}
