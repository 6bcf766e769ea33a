package dev.conveyor.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

class SoakReportTest {

    @Test
    void slopeOfAStraightLineIsItsGradient() {
        double[] x = {1, 2, 3, 4, 5};
        double[] y = {10, 12, 14, 16, 18};
        assertThat(SoakReport.slope(x, y)).isCloseTo(2.0, within(1e-9));
    }

    @Test
    void slopeOfNoiseAroundALevelIsNearZero() {
        double[] x = {1, 2, 3, 4, 5, 6};
        double[] y = {50, 52, 49, 51, 50, 50};
        assertThat(Math.abs(SoakReport.slope(x, y))).isLessThan(0.25);
    }

    @Test
    void slopeOfOnePointIsZero() {
        assertThat(SoakReport.slope(new double[] {1}, new double[] {7})).isZero();
    }

    @Test
    void flatHeapAndRssAreFlat() {
        List<SoakSample> s = run(30, m -> jvm(400 + m % 3, 60 + m % 2));
        SoakReport.Verdict v = SoakReport.verdict("task-api", s);
        assertThat(v.decided()).isTrue();
        assertThat(v.growing()).isFalse();
        assertThat(v.word()).isEqualTo("flat");
    }

    @Test
    void heapThatKeepsGrowingAfterWarmUpIsGrowingEvenWhenRssIsFlat() {
        // 1 MiB more live heap every minute: a leak, although the committed heap (and RSS) has room for it
        List<SoakSample> s = run(30, m -> jvm(500, 60 + m));
        SoakReport.Verdict v = SoakReport.verdict("task-api", s);
        assertThat(v.growing()).isTrue();
        assertThat(v.why()).contains("heap after GC +1.00 MiB/min");
    }

    @Test
    void warmUpGrowthInTheFirstHalfOnlyIsFlat() {
        // the live set grows while caches fill, then holds: only the second half's slope counts
        List<SoakSample> s = run(30, m -> jvm(450, m < 10 ? 40 + 2 * m : 60));
        assertThat(SoakReport.verdict("task-api", s).growing()).isFalse();
    }

    @Test
    void heapSlopeBelowTheShareOfALargeHeapIsFlat() {
        // +0.3 MiB/min is above the absolute threshold but under 0.5% of a 400 MiB live set per minute
        List<SoakSample> s = run(30, m -> jvm(900, 400 + 0.3 * m));
        assertThat(SoakReport.verdict("task-api", s).growing()).isFalse();
    }

    @Test
    void rssGrowingByMoreThanItsThresholdsIsGrowing() {
        // PostgreSQL has no heap: RSS from 300 to 390 MiB, last third vs first third +60 MiB (> 32 MiB and > 10%)
        List<SoakSample> s = run(30, m -> SoakSample.Memory.rssOnly(300 + 3 * m));
        SoakReport.Verdict v = SoakReport.verdict("task-api", s);
        assertThat(v.growing()).isTrue();
        assertThat(v.why()).startsWith("RSS +60 MiB");
    }

    @Test
    void rssGrowthUnderTenPercentIsFlat() {
        // +40 MiB on 1 GiB: above 32 MiB but under 10%
        List<SoakSample> s = run(30, m -> SoakSample.Memory.rssOnly(1000 + 2 * m));
        assertThat(SoakReport.verdict("task-api", s).growing()).isFalse();
    }

    @Test
    void tooFewSamplesGiveNoVerdict() {
        SoakReport.Verdict v = SoakReport.verdict("task-api", run(3, m -> jvm(400, 60 + 10 * m)));
        assertThat(v.decided()).isFalse();
        assertThat(v.growing()).isFalse();
        assertThat(v.word()).isEqualTo("too short");
    }

    @Test
    void tableHasOneRowPerMinuteWithJvmCellsAndRssOnlyCells() {
        Map<String, SoakSample.Memory> memory = new LinkedHashMap<>();
        memory.put("task-api", new SoakSample.Memory(412, 58, 128));
        memory.put("postgres", SoakSample.Memory.rssOnly(305));
        SoakSample a = new SoakSample(0, 3.26, 0, 0, 0, 0, memory);
        SoakSample b = new SoakSample(1, 4.0, 250.4, 249.6, 12, -1, memory);
        String table = SoakReport.table(List.of(a, b), List.of("task-api", "postgres"));
        assertThat(table.split("\n"))
                .containsExactly(
                        "| min | load | created/s | completed/s | backlog | Kafka lag | task-api | postgres |",
                        "|---|---|---|---|---|---|---|---|",
                        "| 0 | 3.3 | 0 | 0 | 0 | 0 | 412 / 58 / 128 | 305 |",
                        "| 1 | 4.0 | 250 | 250 | 12 | ? | 412 / 58 / 128 | 305 |");
    }

    @Test
    void headlineNamesTheGrowingProcessesAndNeverCallsAnUndecidedRunFlat() {
        SoakReport.Verdict flat = new SoakReport.Verdict("kafka", true, false, "");
        SoakReport.Verdict growing = new SoakReport.Verdict("gateway", true, true, "");
        SoakReport.Verdict undecided = new SoakReport.Verdict("postgres", false, false, "");
        assertThat(SoakReport.headline(List.of(flat, growing, undecided))).isEqualTo("GROWTH in gateway");
        assertThat(SoakReport.headline(List.of(flat, flat))).isEqualTo("every process flat");
        assertThat(SoakReport.headline(List.of(undecided, undecided))).isEqualTo("none yet (too few minutes)");
        assertThat(SoakReport.headline(List.of(flat, undecided)))
                .isEqualTo("flat, except too short to tell for postgres");
    }

    @Test
    void verdictTableNamesEachProcessWithItsWordAndFigures() {
        String t = SoakReport.verdicts(List.of(
                new SoakReport.Verdict("kafka", true, false, "RSS +1 MiB"),
                new SoakReport.Verdict("gateway", true, true, "heap +2")));
        assertThat(t).contains("| kafka | flat | RSS +1 MiB |", "| gateway | GROWING | heap +2 |");
    }

    @Test
    void histogramGrowthListsTheClassesThatGrewMostFirst() {
        Map<String, Long> before = Map.of("[B", 1024L * 1024, "java.lang.String", 2048L, "Gone", 4096L);
        Map<String, Long> after = Map.of("[B", 3L * 1024 * 1024, "java.lang.String", 1024L, "New", 10_240L);
        assertThat(SoakReport.histogramGrowth(before, after, 5)).containsExactly("[B +2,048 KiB", "New +10 KiB");
    }

    @Test
    void heapInfoOfG1AndOfSerialIsParsed() {
        String g1 = " garbage-first heap   total 262144K, used 61440K [0x00000000f0000000, 0x0000000100000000)\n"
                + "  region size 1024K, 3 young (3072K), 0 survivors (0K)\n"
                + " Metaspace       used 45056K, committed 46080K, reserved 1089536K\n"
                + "  class space    used 5120K, committed 5632K, reserved 1048576K\n";
        assertThat(Jcmd.parseHeapInfo(g1)).isEqualTo(new Jcmd.Heap(60, 256, 44));
        String serial = " def new generation   total 19648K, used 2048K [0x0, 0x0, 0x0)\n"
                + "  eden space 17472K,  11% used [0x0, 0x0, 0x0)\n"
                + " tenured generation   total 43712K, used 8192K [0x0, 0x0, 0x0)\n"
                + " Metaspace       used 30720K, committed 31000K, reserved 1081344K\n";
        assertThat(Jcmd.parseHeapInfo(serial)).isEqualTo(new Jcmd.Heap(10, 61, 30));
    }

    @Test
    void classHistogramRowsAreParsedByClassName() {
        String out = " num     #instances         #bytes  class name (module)\n"
                + "-------------------------------------------------------\n"
                + "   1:         12345        1234567  [B (java.base@17.0.15)\n"
                + "   2:           100           2400  java.lang.String (java.base@17.0.15)\n"
                + "Total         12445        1236967\n";
        assertThat(Jcmd.parseHistogram(out))
                .containsEntry("[B", 1234567L)
                .containsEntry("java.lang.String", 2400L)
                .hasSize(2);
    }

    @Test
    void reliabilitySectionIsReplacedBetweenItsMarkersAndAppendedOtherwise() {
        String created = Report.replaceBetween("# Reliability\n", Soak.BEGIN, Soak.END, "## Soak\n\nfirst");
        assertThat(created).isEqualTo("# Reliability\n\n" + Soak.BEGIN + "\n## Soak\n\nfirst\n" + Soak.END + "\n");
        String other = created + "\n## Promises\n\nkept\n";
        String replaced = Report.replaceBetween(other, Soak.BEGIN, Soak.END, "## Soak\n\nsecond");
        assertThat(replaced).contains("second", "## Promises\n\nkept").doesNotContain("first");
    }

    private static SoakSample.Memory jvm(double rss, double heap) {
        return new SoakSample.Memory(Math.round(rss), Math.round(heap), 256);
    }

    /** Samples of minutes 1..n with the given memory of "task-api". */
    private static List<SoakSample> run(int n, IntFunction<SoakSample.Memory> memory) {
        List<SoakSample> s = new ArrayList<>();
        for (int m = 1; m <= n; m++) {
            s.add(new SoakSample(m, 1.0, 100, 100, 0, 0, Map.of("task-api", memory.apply(m))));
        }
        return s;
    }
}
