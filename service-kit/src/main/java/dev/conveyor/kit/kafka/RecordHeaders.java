package dev.conveyor.kit.kafka;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/** Reads the text headers our events carry ({@code dev.conveyor.contracts.EventHeaders}) off a consumed record. */
public final class RecordHeaders {
    private RecordHeaders() {}

    /** The last header {@code name} as UTF-8 text; null when the record has none of that name. */
    public static String text(Headers headers, String name) {
        Header header = headers == null ? null : headers.lastHeader(name);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
