package dev.conveyor.generation.domain;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.contracts.GenerationSnapshot;
import dev.conveyor.contracts.GenerationSnapshot.ShotLink;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A generation as the REST API shows it.
 *
 * @param type   {@code image} or {@code video}
 * @param params the producing task's params; left out of list answers unless {@code includeTaskData=true}
 * @param shots  the shots it is linked to; position null = unpositioned
 */
public record Generation(
        UUID id,
        UUID projectId,
        String type,
        String location,
        @JsonInclude(JsonInclude.Include.ALWAYS) JsonNode metadata,
        JsonNode params,
        List<UUID> taskIds,
        Instant createdAt,
        List<ShotLink> shots) {

    public Generation withoutParams() {
        return new Generation(id, projectId, type, location, metadata, null, taskIds, createdAt, shots);
    }

    public GenerationSnapshot snapshot() {
        return new GenerationSnapshot(id, projectId, type, location, taskIds, shots, metadata, createdAt);
    }
}
