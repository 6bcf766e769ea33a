package dev.conveyor.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StatsTest {

    @Test
    void percentileIsTheNearestRankOfTheSortedValues() {
        List<Long> values = List.of(50L, 10L, 40L, 20L, 30L, 60L, 70L, 80L, 90L, 100L);
        assertThat(Stats.percentile(values, 50)).isEqualTo(50);
        assertThat(Stats.percentile(values, 99)).isEqualTo(100);
        assertThat(Stats.percentile(values, 10)).isEqualTo(10);
        assertThat(Stats.percentile(List.of(7L), 99)).isEqualTo(7);
        assertThatThrownBy(() -> Stats.percentile(List.of(), 50)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void medianOfRoundsTakesTheMiddleOrTheMeanOfTheTwoMiddleOnes() {
        assertThat(Stats.median(List.of(round(10, 1), round(30, 1), round(20, 1)), Measure::tasksPerSecond))
                .isEqualTo(20);
        assertThat(Stats.median(List.of(round(10, 1), round(40, 1)), Measure::tasksPerSecond))
                .isEqualTo(25);
        assertThat(Stats.median(List.of(), Measure::tasksPerSecond)).isNaN();
    }

    @Test
    void cpuPerTaskSumsEveryProcessOfTheWindow() {
        Measure m = new Measure(
                "drain", "conveyor", 100, 1, Map.of("task-api", 30_000L, "postgres", 10_000L), List.of(), List.of());
        assertThat(m.cpuMicrosPerTask()).isEqualTo(400);
        assertThat(m.cpuMicrosPerTask("task-api")).isEqualTo(300);
        assertThat(m.cpuMicrosPerTask("kafka")).isZero();
    }

    @Test
    void latenciesOfAllRoundsArePooledBeforeThePercentile() {
        Measure a = new Measure("dispatch", "conveyor", 2, 0, Map.of(), List.of(1_000L, 2_000L), List.of());
        Measure b = new Measure("dispatch", "conveyor", 2, 0, Map.of(), List.of(3_000L, 40_000L), List.of());
        Measure pooled = Stats.pooledLatencies(List.of(a, b));
        assertThat(pooled.latencyMillis(50)).isEqualTo(2.0);
        assertThat(pooled.latencyMillis(99)).isEqualTo(40.0);
    }

    @Test
    void summaryLineHasExactlyTheFormOfIssue15WithNumbersOnly() {
        String line = Stats.summaryLine(4123.4, 387.6, 1510.2, 3050.9, 4.26, 21.04, 24000.4, 1600.5);
        assertThat(line)
                .isEqualTo("summary: drain 4123 388, single-create 1510, batch-create 3051, dispatch 4.3 21.0, "
                        + "graphile-batched 24000, graphile-default 1601");
        assertThat(line)
                .matches("summary: drain \\d+ \\d+, single-create \\d+, batch-create \\d+, dispatch [\\d.]+ [\\d.]+, "
                        + "graphile-batched \\d+, graphile-default \\d+");
    }

    @Test
    void summaryLineOfARunWithoutSomeMeasuresStillHasNumbersOnly() {
        String line =
                Stats.summaryLine(Double.NaN, Double.NaN, Double.NaN, Double.NaN, 4.26, 21.04, Double.NaN, Double.NaN);
        assertThat(line)
                .isEqualTo("summary: drain 0 0, single-create 0, batch-create 0, dispatch 4.3 21.0, "
                        + "graphile-batched 0, graphile-default 0");
    }

    @Test
    void ratioIsADashWhenItCannotBeComputed() {
        assertThat(Stats.ratio(300, 150)).isEqualTo("2.00x");
        assertThat(Stats.ratio(1, 0)).isEqualTo("-");
        assertThat(Stats.ratio(Double.NaN, 3)).isEqualTo("-");
    }

    private static Measure round(int tasks, double seconds) {
        return new Measure("drain", "conveyor", tasks, seconds, Map.of(), List.of(), List.of());
    }
}
