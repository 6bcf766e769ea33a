package dev.conveyor.worker.handlers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.example.ShoutHandler;
import dev.conveyor.contracts.Json;
import dev.conveyor.worker.sdk.PermanentTaskException;
import dev.conveyor.worker.sdk.TaskResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's custom handler is this module's test source, verbatim, and it works. */
class ReadmeHandlerTest {
    @TempDir
    Path dir;

    @Test
    void theReadmeShowsExactlyTheHandlerThatIsCompiledAndTestedHere() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        String block = readme.substring(
                readme.indexOf("```java\n") + 8, readme.indexOf("```", readme.indexOf("```java\n") + 8));
        assertThat(Files.readString(Path.of("src/test/java/com/example/ShoutHandler.java")))
                .isEqualTo(block);
        assertThat(block.lines().count()).isLessThan(30);
    }

    @Test
    void theReadmeHandlerStoresItsOutputAndFailsPermanentlyWithoutText() throws Exception {
        TestContext ctx = new TestContext(Json.MAPPER.readTree("{\"text\":\"hello\"}"), dir);
        TaskResult r = new ShoutHandler().handle(ctx).await().atMost(Duration.ofSeconds(5));
        assertThat(r.outputLocation()).endsWith(ctx.id + "/shout.txt");
        assertThat(new String(ctx.store.get(ctx.id + "/shout.txt").orElseThrow(), StandardCharsets.UTF_8))
                .isEqualTo("HELLO");
        assertThat(r.metadata().path("chars").asInt()).isEqualTo(5);
        assertThatThrownBy(() -> new ShoutHandler().handle(new TestContext(Json.MAPPER.readTree("{}"), dir)))
                .isInstanceOf(PermanentTaskException.class);
    }
}
