package dev.conveyor.taskapi.store;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.contracts.Json;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/** Small helpers for the reactive client: tuples with nulls, JSON text, timestamps. */
final class Sql {
    private Sql() {}

    static Tuple args(Object... values) {
        return Tuple.from(Arrays.asList(values));
    }

    static Instant instant(Row row, String column) {
        OffsetDateTime t = row.getOffsetDateTime(column);
        return t == null ? null : t.toInstant();
    }

    static OffsetDateTime time(Instant instant) {
        return instant == null ? null : instant.atOffset(java.time.ZoneOffset.UTC);
    }

    static Instant instant(Row row, int column) {
        OffsetDateTime t = row.getOffsetDateTime(column);
        return t == null ? null : t.toInstant();
    }

    static JsonNode json(Row row, int column) {
        String text = row.getString(column);
        if (text == null) {
            return null;
        }
        try {
            return Json.MAPPER.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String text(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return null;
        }
        try {
            return Json.MAPPER.writeValueAsString(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static <T> List<T> map(RowSet<Row> rows, Function<Row, T> mapper) {
        List<T> list = new ArrayList<>(rows.size());
        for (Row row : rows) {
            list.add(mapper.apply(row));
        }
        return list;
    }
}
