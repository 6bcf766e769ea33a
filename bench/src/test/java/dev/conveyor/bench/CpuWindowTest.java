package dev.conveyor.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CpuWindowTest {

    @Test
    void withoutCompilersTakesEachJvmsCompilerThreadsOutOfItsCpuPerTask() {
        Map<String, Long> cpu = new LinkedHashMap<>();
        cpu.put("task-api", 3_000_000L);
        cpu.put("postgres", 1_000_000L);
        CpuWindow.Used used = new CpuWindow.Used(cpu, Map.of("task-api", 2_000_000L));

        assertThat(used.withoutCompilers(1_000))
                .isEqualTo("without JIT threads 2,000 µs/task (task-api 1,000, postgres 1,000)");
        assertThat(used.compilerShare("task-api")).isEqualTo("JIT threads task-api 67%");
    }
}
