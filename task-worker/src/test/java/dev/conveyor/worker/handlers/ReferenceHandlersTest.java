package dev.conveyor.worker.handlers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conveyor.contracts.Json;
import dev.conveyor.worker.sdk.PermanentTaskException;
import dev.conveyor.worker.sdk.TaskCancelledException;
import dev.conveyor.worker.sdk.TaskResult;
import dev.conveyor.worker.sdk.TaskView;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reference handlers' pure work: real PNG/GIF files, parameter rules, progress and cancellation. */
class ReferenceHandlersTest {
    @TempDir
    Path dir;

    private static ObjectNode json(String s) throws Exception {
        return (ObjectNode) Json.MAPPER.readTree(s);
    }

    private static byte[] file(TestContext ctx, TaskResult r) {
        String key = r.outputLocation().substring(ctx.store.urlOf("").length());
        return ctx.store.get(key).orElseThrow();
    }

    @Test
    void singleImageWritesAPngOfTheRequestedSizeAndReportsProgress() throws Exception {
        TestContext ctx =
                new TestContext(json("{\"prompt\":\"a red fox\",\"width\":64,\"height\":48,\"seed\":7}"), dir);
        TaskResult r = new SingleImageHandler().handle(ctx).await().atMost(Duration.ofSeconds(20));

        assertThat(r.outputLocation()).isEqualTo("http://127.0.0.1:1/v1/outputs/" + ctx.id + "/image.png");
        BufferedImage png = ImageIO.read(new ByteArrayInputStream(file(ctx, r)));
        assertThat(png.getWidth()).isEqualTo(64);
        assertThat(png.getHeight()).isEqualTo(48);
        assertThat(r.metadata().path("format").asText()).isEqualTo("png");
        assertThat(r.metadata().path("seed").asLong()).isEqualTo(7);
        assertThat(ctx.progress).startsWith(0).contains(80, 90).isSorted();
    }

    @Test
    void theSameParamsRenderTheSamePixelsAndAnotherSeedDoesNot() {
        byte[] a = Renderer.png(Renderer.render("lake", 40, 40, 1, 0));
        byte[] b = Renderer.png(Renderer.render("lake", 40, 40, 1, 0));
        byte[] c = Renderer.png(Renderer.render("lake", 40, 40, 2, 0));
        assertThat(a).isEqualTo(b);
        assertThat(a).isNotEqualTo(c);
    }

    @Test
    void invalidParamsFailPermanently() throws Exception {
        SingleImageHandler h = new SingleImageHandler();
        assertThatThrownBy(() -> h.handle(new TestContext(json("{\"width\":64}"), dir)))
                .isInstanceOf(PermanentTaskException.class)
                .hasMessageContaining("prompt");
        assertThatThrownBy(() -> h.handle(new TestContext(json("{\"prompt\":\"x\",\"width\":99999}"), dir)))
                .isInstanceOf(PermanentTaskException.class)
                .hasMessageContaining("width");
        assertThatThrownBy(() -> h.handle(new TestContext(json("{\"prompt\":\"x\",\"height\":\"tall\"}"), dir)))
                .isInstanceOf(PermanentTaskException.class)
                .hasMessageContaining("height");
    }

    @Test
    void aCancelledTaskStopsBeforeWritingAnything() throws Exception {
        TestContext ctx = new TestContext(json("{\"prompt\":\"x\",\"width\":32,\"height\":32,\"work_ms\":200}"), dir);
        ctx.cancelled = true;
        assertThatThrownBy(() -> new SingleImageHandler().handle(ctx)).isInstanceOf(TaskCancelledException.class);
        assertThat(ctx.store.get(ctx.id + "/image.png")).isEmpty();
    }

    @Test
    void aSegmentIsAnAnimatedGifWithOneFramePerRequestedFrame() throws Exception {
        TestContext ctx =
                new TestContext(json("{\"prompt\":\"dunes\",\"frames\":5,\"width\":32,\"height\":24,\"fps\":10}"), dir);
        TaskResult r = new TravelSegmentHandler().handle(ctx).await().atMost(Duration.ofSeconds(20));

        byte[] gif = file(ctx, r);
        List<BufferedImage> frames = Gif.read(gif);
        assertThat(frames).hasSize(5);
        assertThat(frames.get(0).getWidth()).isEqualTo(32);
        assertThat(frames.get(0).getHeight()).isEqualTo(24);
        String raw = new String(gif, StandardCharsets.ISO_8859_1);
        assertThat(raw).startsWith("GIF89a").contains("NETSCAPE2.0").contains("conveyor travel_segment");
        assertThat(ctx.progress).hasSize(5).endsWith(90);
    }

    @Test
    void theOrchestratorCreatesOneSegmentPerEntryAndAStitchThatDependsOnAllOfThem() throws Exception {
        TestContext ctx = new TestContext(json("""
                {"full_orchestrator_payload":{"shot_id":"%s","width":32,"height":32,"fps":4,
                 "segments":[{"prompt":"a","frames":2},{"prompt":"b","frames":3},{"prompt":"c"}]}}
                """.formatted(UUID.randomUUID())), dir);
        TaskResult r = new TravelOrchestratorHandler().handle(ctx).await().atMost(Duration.ofSeconds(20));

        // one batch: the whole pipeline is created in one task-api transaction, or none of it
        assertThat(ctx.batches).hasSize(1);
        assertThat(ctx.batches.get(0)).isEqualTo(ctx.children);
        assertThat(ctx.children).hasSize(4);
        assertThat(ctx.children.subList(0, 3)).allSatisfy(c -> {
            assertThat(c.taskType()).isEqualTo("travel_segment");
            assertThat(c.dependsOn()).isEmpty();
        });
        assertThat(ctx.children.get(1).params().path("frames").asInt()).isEqualTo(3);
        assertThat(ctx.children.get(2).params().path("segment_index").asInt()).isEqualTo(2);
        var stitch = ctx.children.get(3);
        List<UUID> segmentIds = ctx.children.subList(0, 3).stream()
                .map(c -> UUID.nameUUIDFromBytes(c.idempotencyKey().getBytes()))
                .toList();
        assertThat(stitch.taskType()).isEqualTo("travel_stitch");
        assertThat(stitch.dependsOnChildren()).containsExactly(0, 1, 2);
        assertThat(stitch.params().has("segment_task_ids")).isFalse();
        assertThat(r.metadata().path("segmentTaskIds"))
                .extracting(n -> UUID.fromString(n.asText()))
                .containsExactlyElementsOf(segmentIds);
        assertThat(stitch.params()
                        .path("full_orchestrator_payload")
                        .path("shot_id")
                        .asText())
                .isEqualTo(ctx.params
                        .path("full_orchestrator_payload")
                        .path("shot_id")
                        .asText());
        assertThat(ctx.children)
                .extracting(c -> c.idempotencyKey())
                .doesNotHaveDuplicates()
                .allSatisfy(k -> assertThat(k).startsWith(ctx.id.toString()));
        assertThat(r.metadata().path("segmentTaskIds")).hasSize(3);
    }

    @Test
    void theOrchestratorRejectsAPayloadWithoutSegments() throws Exception {
        assertThatThrownBy(() -> new TravelOrchestratorHandler()
                        .handle(new TestContext(json("{\"full_orchestrator_payload\":{\"segments\":[]}}"), dir)))
                .isInstanceOf(PermanentTaskException.class)
                .hasMessageContaining("segments");
    }

    @Test
    void theStitchJoinsTheSegmentsFramesInOrder() throws Exception {
        TestContext ctx = new TestContext(null, dir);
        UUID s1 = UUID.randomUUID();
        UUID s2 = UUID.randomUUID();
        String u1 = ctx.store
                .put(
                        s1 + "/segment.gif",
                        Gif.write(
                                List.of(Renderer.render("a", 24, 24, 1, 0), Renderer.render("a", 24, 24, 1, 1)),
                                100,
                                null),
                        "image/gif")
                .await()
                .indefinitely();
        String u2 = ctx.store
                .put(
                        s2 + "/segment.gif",
                        Gif.write(
                                List.of(
                                        Renderer.render("b", 24, 24, 2, 0),
                                        Renderer.render("b", 24, 24, 2, 0.5),
                                        Renderer.render("b", 24, 24, 2, 1)),
                                100,
                                null),
                        "image/gif")
                .await()
                .indefinitely();
        ctx.tasks.put(s1, new TaskView(s1, null, "travel_segment", "complete", null, u1, null, List.of(), null));
        ctx.tasks.put(s2, new TaskView(s2, null, "travel_segment", "complete", null, u2, null, List.of(), null));
        TestContext stitchCtx =
                new TestContext(json("{\"segment_task_ids\":[\"" + s1 + "\",\"" + s2 + "\"],\"fps\":10}"), dir);
        stitchCtx.tasks.putAll(ctx.tasks);

        TaskResult r = new TravelStitchHandler(new OutputFetcher(stitchCtx.store))
                .handle(stitchCtx)
                .await()
                .atMost(Duration.ofSeconds(20));

        List<BufferedImage> frames = Gif.read(file(stitchCtx, r));
        assertThat(frames).hasSize(5);
        assertThat(r.metadata().path("segments").asInt()).isEqualTo(2);
        assertThat(r.metadata().path("durationMs").asInt()).isEqualTo(500);
        assertThat(stitchCtx.progress).contains(30, 60, 70);
    }

    @Test
    void theStitchCreatedInABatchFindsItsSegmentsInItsDependencies() throws Exception {
        TestContext ctx = new TestContext(json("{\"fps\":10}"), dir);
        UUID s1 = UUID.randomUUID();
        UUID s2 = UUID.randomUUID();
        String u1 = ctx.store
                .put(
                        s1 + "/segment.gif",
                        Gif.write(List.of(Renderer.render("a", 24, 24, 1, 0)), 100, null),
                        "image/gif")
                .await()
                .indefinitely();
        String u2 = ctx.store
                .put(
                        s2 + "/segment.gif",
                        Gif.write(
                                List.of(Renderer.render("b", 32, 32, 2, 0), Renderer.render("b", 32, 32, 2, 1)),
                                100,
                                null),
                        "image/gif")
                .await()
                .indefinitely();
        ctx.tasks.put(s1, new TaskView(s1, null, "travel_segment", "complete", null, u1, null, List.of(), null));
        ctx.tasks.put(s2, new TaskView(s2, null, "travel_segment", "complete", null, u2, null, List.of(), null));
        ctx.dependsOn = List.of(s2, s1);

        TaskResult r = new TravelStitchHandler(new OutputFetcher(ctx.store))
                .handle(ctx)
                .await()
                .atMost(Duration.ofSeconds(20));

        List<BufferedImage> frames = Gif.read(file(ctx, r));
        assertThat(frames).hasSize(3);
        assertThat(r.metadata().path("segments").asInt()).isEqualTo(2);
        // in dependency order: s2's two 32-pixel frames first, then s1's
        assertThat(frames).extracting(BufferedImage::getWidth).containsExactly(32, 32, 24);
        assertThatThrownBy(() ->
                        new TravelStitchHandler(new OutputFetcher(ctx.store)).handle(new TestContext(json("{}"), dir)))
                .isInstanceOf(PermanentTaskException.class)
                .hasMessageContaining("segment");
    }

    @Test
    void theStitchRefusesASegmentThatIsNotComplete() throws Exception {
        UUID s1 = UUID.randomUUID();
        TestContext ctx = new TestContext(json("{\"segment_task_ids\":[\"" + s1 + "\"]}"), dir);
        ctx.tasks.put(s1, new TaskView(s1, null, "travel_segment", "in_progress", null, null, null, List.of(), null));
        assertThatThrownBy(() -> new TravelStitchHandler(new OutputFetcher(ctx.store))
                        .handle(ctx)
                        .await()
                        .atMost(Duration.ofSeconds(5)))
                .hasMessageContaining("in_progress");
    }
}
