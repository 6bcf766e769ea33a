package dev.conveyor.worker.output;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSystemOutputStoreTest {
    @TempDir
    Path dir;

    @Test
    void putStoresTheBytesAndAnswersThePublicUrl() throws Exception {
        FileSystemOutputStore store = new FileSystemOutputStore(dir, "http://worker.example:8084/");
        String url = store.put("t1/image.png", new byte[] {1, 2, 3}, "image/png")
                .await()
                .indefinitely();

        assertThat(url).isEqualTo("http://worker.example:8084/v1/outputs/t1/image.png");
        assertThat(Files.readAllBytes(dir.resolve("t1/image.png"))).containsExactly(1, 2, 3);
        assertThat(store.get("t1/image.png")).contains(new byte[] {1, 2, 3});
        assertThat(Files.list(dir.resolve("t1"))).hasSize(1);
    }

    @Test
    void keysThatCouldLeaveTheRootAreRefused() {
        FileSystemOutputStore store = new FileSystemOutputStore(dir, "http://w");
        for (String bad :
                new String[] {"../x", "a/../../x", "/etc/passwd", "a//b", "a/./b", "", "a/", "a b", "a\\b", "%2e%2e/x"
                }) {
            assertThat(OutputStore.isValidKey(bad)).as(bad).isFalse();
            assertThat(store.resolve(bad)).as(bad).isEmpty();
        }
        assertThatThrownBy(() ->
                        store.put("../escape", new byte[] {1}, "x").await().indefinitely())
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(Files.exists(dir.getParent().resolve("escape"))).isFalse();
    }

    @Test
    void contentTypesFollowTheExtension() {
        assertThat(OutputStore.contentTypeOf("a/b.PNG")).isEqualTo("image/png");
        assertThat(OutputStore.contentTypeOf("a/b.gif")).isEqualTo("image/gif");
        assertThat(OutputStore.contentTypeOf("a/plan.json")).isEqualTo("application/json");
        assertThat(OutputStore.contentTypeOf("a/b.bin")).isEqualTo("application/octet-stream");
    }
}
