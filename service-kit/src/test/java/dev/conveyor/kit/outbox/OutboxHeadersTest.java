package dev.conveyor.kit.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;

class OutboxHeadersTest {

    @Test
    void headersWrittenToTheColumnComeBackAsUtf8RecordHeaders() {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("ce_type", "task.created");
        headers.put("conveyor_task_type", "über \"quoted\" type");
        headers.put("conveyor_run_after", "1764691200123");

        String column = OutboxHeaders.toColumn(headers);
        Map<String, String> back = new LinkedHashMap<>();
        for (Header h : OutboxHeaders.toRecord(column)) {
            back.put(h.key(), new String(h.value(), StandardCharsets.UTF_8));
        }

        assertThat(back).containsExactlyEntriesOf(headers);
    }

    @Test
    void noHeadersAreANullColumnAndNoRecordHeaders() {
        assertThat(OutboxHeaders.toColumn(Map.of())).isNull();
        assertThat(OutboxHeaders.toColumn(null)).isNull();
        assertThat(OutboxHeaders.toRecord(null)).isEmpty();
    }

    @Test
    void aRowWithoutHeadersHasAnEmptyMap() {
        assertThat(new OutboxWriter.Row("t", "k", "{}").headers()).isEmpty();
        assertThat(new OutboxWriter.Row("t", "k", "{}", null).headers()).isEmpty();
    }
}
