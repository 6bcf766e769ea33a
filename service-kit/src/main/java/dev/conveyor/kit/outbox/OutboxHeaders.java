package dev.conveyor.kit.outbox;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.conveyor.contracts.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * The {@code headers} column of an outbox row: a flat JSON object of text values (null when the row has none), written
 * by {@link OutboxWriter} and turned into Kafka record headers (UTF-8 values) by the relay.
 */
final class OutboxHeaders {
    private OutboxHeaders() {}

    /** The column's text for {@code headers}; null when there are none. */
    static String toColumn(Map<String, String> headers) {
        if (headers == null || headers.isEmpty()) {
            return null;
        }
        try {
            return Json.MAPPER.writeValueAsString(headers);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("outbox headers are not serializable: " + e.getMessage(), e);
        }
    }

    /**
     * The record headers of a column's text (empty for null). Read with the streaming parser: the relay does this for
     * every row, and a flat object of strings needs no tree.
     */
    static List<Header> toRecord(String column) {
        if (column == null) {
            return List.of();
        }
        List<Header> headers = new ArrayList<>(4);
        try (JsonParser p = Json.MAPPER.getFactory().createParser(column)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalStateException("outbox headers are not a JSON object: " + column);
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                p.nextToken();
                headers.add(new RecordHeader(name, p.getText().getBytes(StandardCharsets.UTF_8)));
            }
        } catch (IOException e) {
            throw new IllegalStateException("outbox headers are not a JSON object: " + column, e);
        }
        return headers;
    }
}
