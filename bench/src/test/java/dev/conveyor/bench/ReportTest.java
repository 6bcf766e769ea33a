package dev.conveyor.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ReportTest {

    @Test
    void aSectionIsAppendedTheFirstTimeAndReplacedInPlaceAfterwards() {
        String doc = "# Benchmarks\n\nolder text\n";
        String first = Report.replaceSection(doc, "--quick", "table 1");
        assertThat(first).startsWith(doc.strip()).contains("table 1").endsWith("<!-- bench/compare --quick: end -->\n");

        String withTail = first + "\n## later section\n";
        String second = Report.replaceSection(withTail, "--quick", "table 2");
        assertThat(second)
                .contains("table 2")
                .doesNotContain("table 1")
                .contains("older text")
                .endsWith("## later section\n");
        assertThat(second.indexOf("table 2")).isLessThan(second.indexOf("## later section"));
    }

    @Test
    void eachModeHasItsOwnSection() {
        String doc = Report.replaceSection(Report.replaceSection("", "--quick", "quick table"), "full", "full table");
        String again = Report.replaceSection(doc, "full", "new full table");
        assertThat(again).contains("quick table", "new full table").doesNotContain("\nfull table");
    }
}
