package dev.conveyor.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The short chaos run in {@code ./mvnw verify}: 1,000 tasks, 4 faults from the seeded schedule (the seed is printed;
 * {@code -Dchaos.seed=N} replays one), every invariant of issue 17 checked at the end. The full run is
 * {@code ./chaos/run} (docs/reliability.md).
 */
class ChaosIT {

    @Test
    void aThousandTasksThroughFourFaultsKeepEveryInvariant() throws Exception {
        long seed = Long.getLong("chaos.seed", 17L);
        int tasks = Integer.getInteger("chaos.tasks", 1_000);
        int faults = Integer.getInteger("chaos.faults", 4);
        Path root = Path.of(System.getProperty("conveyor.root", ".."))
                .toAbsolutePath()
                .normalize();
        Path dir =
                Path.of("target", "chaos-it-" + ProcessHandle.current().pid()).toAbsolutePath();

        ChaosRun.Outcome outcome = new ChaosRun(ChaosRun.Settings.of(seed, tasks, faults), root, dir, System.out).run();

        assertThat(outcome.faults()).as("faults injected").hasSize(faults);
        assertThat(outcome.tasksInDatabase()).as("tasks in the database").isGreaterThanOrEqualTo(tasks);
        Map<String, List<Violation>> broken = outcome.byInvariant().entrySet().stream()
                .filter(e -> !e.getValue().isEmpty())
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
        assertThat(broken).as("violations (seed %d)", seed).isEmpty();
    }
}
