package dev.conveyor.worker.handlers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conveyor.worker.sdk.TaskContext;
import dev.conveyor.worker.sdk.TaskHandler;
import dev.conveyor.worker.sdk.TaskResult;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.awt.image.BufferedImage;

/** {@code single_image}: a PNG of {@code width} x {@code height} rendered from {@code prompt} and {@code seed}. */
@ApplicationScoped
public class SingleImageHandler implements TaskHandler {
    public static final String TYPE = "single_image";

    @Override
    public String taskType() {
        return TYPE;
    }

    @Override
    public Uni<TaskResult> handle(TaskContext ctx) {
        JsonNode p = ctx.params();
        String prompt = Params.text(p, "prompt", null);
        int width = Params.integer(p, "width", 512, 16, 2048);
        int height = Params.integer(p, "height", 512, 16, 2048);
        long seed = Params.longValue(p, "seed", 0);
        long workMs = Params.integer(p, "work_ms", 0, 0, 600_000);
        ctx.progress(0, "rendering");
        for (int step = 1; step <= 4; step++) {
            Params.work(ctx, workMs, step, 4);
            ctx.progress(step * 20, "denoising step " + step + "/4");
        }
        ctx.checkCancelled();
        BufferedImage image = Renderer.render(prompt, width, height, seed, 0);
        byte[] png = Renderer.png(image);
        ctx.progress(90, "storing");
        ObjectNode meta = JsonNodeFactory.instance.objectNode()
                .put("format", "png").put("width", width).put("height", height).put("seed", seed).put("bytes", png.length);
        if (p.hasNonNull("shot_id")) {
            meta.put("shotId", p.get("shot_id").asText());
        }
        return ctx.outputs().put(ctx.taskId() + "/image.png", png, "image/png").map(url -> TaskResult.of(url, meta));
    }
}
