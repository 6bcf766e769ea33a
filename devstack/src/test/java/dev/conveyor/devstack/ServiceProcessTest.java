package dev.conveyor.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The failure paths; the happy path runs in every cross-process test (e2e, task-worker) that launches a service. */
class ServiceProcessTest {
    private final Path dir = Path.of("target", "service-process-test");

    @Test
    void aMissingJarIsNamedWithHowToBuildIt() {
        Path missing = dir.resolve("nope/quarkus-run.jar");
        assertThatThrownBy(() -> new ServiceProcess("ghost", missing, Ports.free(), Map.of(), Map.of(), dir))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("quarkus-run.jar is missing")
                .hasMessageContaining("./mvnw -B verify");
    }

    @Test
    void aServiceThatExitsAtStartFailsAtOnceWithItsExitCodeAndLog() throws Exception {
        Files.createDirectories(dir);
        Path notAJar = Files.writeString(dir.resolve("broken.jar"), "not a jar");
        ServiceProcess broken = new ServiceProcess("broken", notAJar, Ports.free(), Map.of(), Map.of(), dir);
        assertThatThrownBy(broken::start)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("broken exited with 1")
                .hasMessageContaining(broken.log().toString());
        assertThat(broken.isAlive()).isFalse();
        assertThat(Files.readString(broken.log())).containsIgnoringCase("jar");
    }
}
