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
import java.util.ArrayList;
import java.util.List;

/** {@code travel_segment}: renders {@code frames} frames of one segment into an animated GIF. */
@ApplicationScoped
public class TravelSegmentHandler implements TaskHandler {
    public static final String TYPE = "travel_segment";

    @Override
    public String taskType() {
        return TYPE;
    }

    @Override
    public String capability() {
        return TravelOrchestratorHandler.CAPABILITY;
    }

    @Override
    public Uni<TaskResult> handle(TaskContext ctx) {
        JsonNode p = ctx.params();
        String prompt = Params.text(p, "prompt", "");
        int frames = Params.integer(p, "frames", 8, 1, 120);
        int width = Params.integer(p, "width", 256, 16, 1024);
        int height = Params.integer(p, "height", 256, 16, 1024);
        long seed = Params.longValue(p, "seed", 0);
        int fps = Params.integer(p, "fps", 8, 1, 60);
        long workMs = Params.integer(p, "work_ms", 0, 0, 600_000);
        List<BufferedImage> images = new ArrayList<>(frames);
        for (int i = 0; i < frames; i++) {
            Params.work(ctx, workMs, i, frames);
            ctx.checkCancelled();
            images.add(Renderer.render(prompt, width, height, seed, frames == 1 ? 0 : i / (double) (frames - 1)));
            ctx.progress((i + 1) * 90 / frames, "frame " + (i + 1) + "/" + frames);
        }
        byte[] gif = Gif.write(images, 1000 / fps, "conveyor travel_segment " + ctx.taskId());
        ObjectNode meta = JsonNodeFactory.instance
                .objectNode()
                .put("format", "gif")
                .put("frames", frames)
                .put("width", width)
                .put("height", height)
                .put("fps", fps)
                .put("bytes", gif.length);
        if (p.has("segment_index")) {
            meta.set("segmentIndex", p.get("segment_index"));
        }
        return ctx.outputs()
                .put(ctx.taskId() + "/segment.gif", gif, "image/gif")
                .map(url -> TaskResult.of(url, meta));
    }
}
