package dev.conveyor.worker.handlers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.contracts.Json;
import dev.conveyor.worker.output.OutputStore;
import dev.conveyor.worker.sdk.ChildTask;
import dev.conveyor.worker.sdk.PermanentTaskException;
import dev.conveyor.worker.sdk.TaskContext;
import dev.conveyor.worker.sdk.TaskResult;
import dev.conveyor.worker.sdk.TaskView;
import io.smallrye.mutiny.Uni;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** single_image's failure knobs: {@code fail_attempts} fails the first N attempts retryably, {@code fail_permanently} for good. */
class SingleImageFailureKnobTest {
    @TempDir
    Path dir;

    private TaskContext attempt(String params, int attempt) throws Exception {
        return new AtAttempt(new TestContext(Json.MAPPER.readTree(params), dir), attempt);
    }

    @Test
    void theFirstNAttemptsFailRetryablyAndTheNextOneRenders() throws Exception {
        SingleImageHandler h = new SingleImageHandler();
        String params = "{\"prompt\":\"x\",\"width\":32,\"height\":32,\"fail_attempts\":2}";
        for (int attempt = 1; attempt <= 2; attempt++) {
            TaskContext ctx = attempt(params, attempt);
            assertThatThrownBy(() -> h.handle(ctx))
                    .isInstanceOf(SingleImageHandler.InjectedFailureException.class)
                    .isNotInstanceOf(PermanentTaskException.class)
                    .hasMessageContaining("attempt " + attempt);
        }
        TaskResult r = h.handle(attempt(params, 3)).await().atMost(Duration.ofSeconds(20));
        assertThat(r.outputLocation()).endsWith("/image.png");
        assertThat(r.metadata().path("width").asInt()).isEqualTo(32);
    }

    @Test
    void failPermanentlyThrowsAPermanentFailureOnAnyAttempt() throws Exception {
        SingleImageHandler h = new SingleImageHandler();
        for (int attempt = 1; attempt <= 2; attempt++) {
            TaskContext ctx = attempt("{\"prompt\":\"x\",\"fail_permanently\":true}", attempt);
            assertThatThrownBy(() -> h.handle(ctx))
                    .isInstanceOf(PermanentTaskException.class)
                    .hasMessageContaining("fail_permanently");
        }
        TaskResult r = h.handle(attempt("{\"prompt\":\"x\",\"width\":16,\"height\":16,\"fail_permanently\":false}", 1))
                .await()
                .atMost(Duration.ofSeconds(20));
        assertThat(r.outputLocation()).endsWith("/image.png");
    }

    @Test
    void invalidKnobValuesArePermanentParamErrors() throws Exception {
        SingleImageHandler h = new SingleImageHandler();
        TaskContext notBool = attempt("{\"prompt\":\"x\",\"fail_permanently\":\"yes\"}", 1);
        assertThatThrownBy(() -> h.handle(notBool))
                .isInstanceOf(PermanentTaskException.class)
                .hasMessageContaining("fail_permanently");
        TaskContext negative = attempt("{\"prompt\":\"x\",\"fail_attempts\":-1}", 1);
        assertThatThrownBy(() -> h.handle(negative))
                .isInstanceOf(PermanentTaskException.class)
                .hasMessageContaining("fail_attempts");
    }

    /** {@link TestContext} at a given attempt number. */
    private record AtAttempt(TestContext d, int attempt) implements TaskContext {
        @Override
        public UUID taskId() {
            return d.taskId();
        }

        @Override
        public UUID projectId() {
            return d.projectId();
        }

        @Override
        public UUID userId() {
            return d.userId();
        }

        @Override
        public String taskType() {
            return d.taskType();
        }

        @Override
        public JsonNode params() {
            return d.params();
        }

        @Override
        public void progress(int percent, String message) {
            d.progress(percent, message);
        }

        @Override
        public boolean isCancelled() {
            return d.isCancelled();
        }

        @Override
        public OutputStore outputs() {
            return d.outputs();
        }

        @Override
        public Uni<UUID> createChild(ChildTask child) {
            return d.createChild(child);
        }

        @Override
        public Uni<java.util.List<UUID>> createChildren(java.util.List<ChildTask> children) {
            return d.createChildren(children);
        }

        @Override
        public Uni<TaskView> task(UUID taskId) {
            return d.task(taskId);
        }
    }
}
