package dev.conveyor.worker.handlers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conveyor.worker.sdk.PermanentTaskException;
import dev.conveyor.worker.sdk.TaskContext;
import dev.conveyor.worker.sdk.TaskHandler;
import dev.conveyor.worker.sdk.TaskResult;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.awt.image.BufferedImage;

/**
 * {@code single_image}: a PNG of {@code width} x {@code height} rendered from {@code prompt} and {@code seed}.
 *
 * <p>Params: {@code prompt} (required), {@code width}, {@code height} (16..2048, default 512), {@code seed},
 * {@code work_ms} (simulated GPU time, 0..600000), {@code shot_id}, and two failure knobs for demos and tests of the
 * retry path (as the reference handler, it shows how a handler signals both kinds of failure):
 * <ul>
 *   <li>{@code fail_attempts} (integer 0..100, default 0): attempts 1..N throw a retryable exception, so task-api
 *       requeues the task with backoff; attempt N+1 renders normally (when the task type allows that many attempts);</li>
 *   <li>{@code fail_permanently} (boolean, default false): throws {@link PermanentTaskException}: the task fails for
 *       good on its first attempt and its held credits are released.</li>
 * </ul>
 * The attempt number is {@link TaskContext#attempt()} (the {@code attempts} count task-api answers on claim).
 */
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
        int failAttempts = Params.integer(p, "fail_attempts", 0, 0, 100);
        if (flag(p, "fail_permanently")) {
            throw new PermanentTaskException("fail_permanently requested (attempt " + ctx.attempt() + ")");
        }
        if (ctx.attempt() <= failAttempts) {
            throw new InjectedFailureException(
                    "fail_attempts=" + failAttempts + ": attempt " + ctx.attempt() + " fails");
        }
        ctx.progress(0, "rendering");
        for (int step = 1; step <= 4; step++) {
            Params.work(ctx, workMs, step, 4);
            ctx.progress(step * 20, "denoising step " + step + "/4");
        }
        ctx.checkCancelled();
        BufferedImage image = Renderer.render(prompt, width, height, seed, 0);
        byte[] png = Renderer.png(image);
        ctx.progress(90, "storing");
        ObjectNode meta = JsonNodeFactory.instance
                .objectNode()
                .put("format", "png")
                .put("width", width)
                .put("height", height)
                .put("seed", seed)
                .put("bytes", png.length);
        if (p.hasNonNull("shot_id")) {
            meta.put("shotId", p.get("shot_id").asText());
        }
        return ctx.outputs().put(ctx.taskId() + "/image.png", png, "image/png").map(url -> TaskResult.of(url, meta));
    }

    private static boolean flag(JsonNode params, String name) {
        JsonNode n = params.get(name);
        if (n == null || n.isNull()) {
            return false;
        }
        if (!n.isBoolean()) {
            throw new PermanentTaskException("param " + name + " must be a boolean");
        }
        return n.booleanValue();
    }

    /** The retryable failure {@code fail_attempts} asks for (any exception but {@link PermanentTaskException} is retried). */
    public static final class InjectedFailureException extends RuntimeException {
        public InjectedFailureException(String message) {
            super(message);
        }
    }
}
