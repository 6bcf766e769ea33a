package dev.conveyor.contracts;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Data of {@code generation.created}, {@code generation.updated} and {@code generation.deleted}.
 *
 * @param type  {@code image} or {@code video}
 * @param shots the shot links after the change (position null = unpositioned)
 */
public record GenerationSnapshot(
        UUID generationId,
        UUID projectId,
        String type,
        String location,
        List<UUID> taskIds,
        List<ShotLink> shots,
        JsonNode metadata,
        Instant createdAt) {

    /** One shot link of a generation. */
    public record ShotLink(UUID shotId, Integer position) {}
}
