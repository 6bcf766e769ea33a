package dev.conveyor.worker.handlers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conveyor.worker.sdk.PermanentTaskException;
import dev.conveyor.worker.sdk.TaskContext;
import dev.conveyor.worker.sdk.TaskHandler;
import dev.conveyor.worker.sdk.TaskResult;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * {@code travel_stitch}: joins the frames of its segments ({@code segment_task_ids}, else the tasks it depends on, in
 * order) into one animated GIF. It runs once every segment completed (task-api keeps it {@code waiting} until then).
 */
@ApplicationScoped
public class TravelStitchHandler implements TaskHandler {
    public static final String TYPE = "travel_stitch";

    private final OutputFetcher fetcher;

    public TravelStitchHandler(OutputFetcher fetcher) {
        this.fetcher = fetcher;
    }

    @Override
    public String taskType() {
        return TYPE;
    }

    @Override
    public String capability() {
        return TravelOrchestratorHandler.CAPABILITY;
    }

    /** The segments: param {@code segment_task_ids} when given, else the tasks this stitch depends on, in order. */
    private static List<UUID> segments(TaskContext ctx) {
        JsonNode idsNode = ctx.params().path("segment_task_ids");
        List<UUID> ids = new ArrayList<>();
        if (idsNode.isMissingNode() || idsNode.isNull()) {
            ids.addAll(ctx.dependsOn());
        } else if (idsNode.isArray()) {
            idsNode.forEach(n -> ids.add(Params.uuid(n, "segment_task_ids entry")));
        }
        if (ids.isEmpty()) {
            throw new PermanentTaskException(
                    "param segment_task_ids (or the stitch's dependencies) must list the segment tasks");
        }
        return ids;
    }

    @Override
    public Uni<TaskResult> handle(TaskContext ctx) {
        List<UUID> ids = segments(ctx);
        int fps = Params.integer(ctx.params(), "fps", 8, 1, 60);
        int total = ids.size();
        ctx.progress(0, "fetching " + total + " segments");
        return Multi.createFrom()
                .range(0, total)
                .onItem()
                .transformToUniAndConcatenate(i -> ctx.task(ids.get(i))
                        .flatMap(segment -> {
                            if (!"complete".equals(segment.status()) || segment.outputLocation() == null) {
                                // Not expected (dependencies hold this task back); retrying later is the safe answer.
                                throw new IllegalStateException("segment " + segment.id() + " is " + segment.status());
                            }
                            return fetcher.fetch(segment.outputLocation());
                        })
                        .map(bytes -> {
                            List<BufferedImage> frames = Gif.read(bytes);
                            ctx.progress((i + 1) * 60 / total, "segment " + (i + 1) + "/" + total + " read");
                            return frames;
                        }))
                .collect()
                .asList()
                .flatMap(perSegment -> {
                    ctx.checkCancelled();
                    List<BufferedImage> all = new ArrayList<>();
                    perSegment.forEach(all::addAll);
                    ctx.progress(70, "encoding " + all.size() + " frames");
                    byte[] gif = Gif.write(all, 1000 / fps, "conveyor travel " + ctx.taskId());
                    ObjectNode meta = JsonNodeFactory.instance
                            .objectNode()
                            .put("format", "gif")
                            .put("frames", all.size())
                            .put("segments", total)
                            .put("fps", fps)
                            .put("durationMs", all.size() * (1000 / fps))
                            .put("bytes", gif.length)
                            .put("width", all.get(0).getWidth())
                            .put("height", all.get(0).getHeight());
                    return ctx.outputs()
                            .put(ctx.taskId() + "/travel.gif", gif, "image/gif")
                            .map(url -> TaskResult.of(url, meta));
                });
    }
}
