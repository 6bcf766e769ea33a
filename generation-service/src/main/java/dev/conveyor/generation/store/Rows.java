package dev.conveyor.generation.store;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.contracts.GenerationSnapshot.ShotLink;
import dev.conveyor.contracts.Json;
import dev.conveyor.generation.domain.Generation;
import dev.conveyor.generation.domain.Shot;
import io.vertx.mutiny.sqlclient.Row;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;

/** Row mapping shared by the stores. JSON columns travel as text and are parsed with the contracts mapper. */
final class Rows {
    private static final TypeReference<List<ShotLink>> LINKS = new TypeReference<>() {};

    /** Selects every column {@link #generation(Row)} reads, from {@code generations g}. */
    static final String GENERATION_COLUMNS = """
            g.id, g.project_id, g.type, g.location, g.metadata::text as metadata, g.params::text as params, g.task_ids,
            g.created_at,
            coalesce((select json_agg(json_build_object('shotId', sg.shot_id, 'position', sg.position)
                                      order by sg.created_at, sg.shot_id)
                      from shot_generations sg where sg.generation_id = g.id)::text, '[]') as shots""";

    private Rows() {}

    static Generation generation(Row row) {
        return new Generation(
                row.getUUID("id"),
                row.getUUID("project_id"),
                row.getString("type"),
                row.getString("location"),
                json(row.getString("metadata")),
                json(row.getString("params")),
                Arrays.asList(row.getArrayOfUUIDs("task_ids")),
                instant(row.getOffsetDateTime("created_at")),
                links(row.getString("shots")));
    }

    static Shot shot(Row row) {
        return new Shot(
                row.getUUID("id"),
                row.getUUID("project_id"),
                row.getString("name"),
                instant(row.getOffsetDateTime("created_at")));
    }

    static Instant instant(OffsetDateTime time) {
        return time == null ? null : time.toInstant();
    }

    static JsonNode json(String text) {
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
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        try {
            return Json.MAPPER.writeValueAsString(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<ShotLink> links(String text) {
        try {
            return Json.MAPPER.readValue(text, LINKS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
