package dev.conveyor.generation.domain;

import dev.conveyor.contracts.EventEnvelope;
import dev.conveyor.contracts.EventTypes;
import dev.conveyor.contracts.ShotChanged;
import dev.conveyor.contracts.ShotGenerationChanged;
import java.util.UUID;

/** The events this service publishes on {@code generation-events} (key = project id). */
public final class GenerationEvents {
    public static final String SOURCE = "generation-service";

    private GenerationEvents() {}

    /** generation.created / generation.updated / generation.deleted; subject = generation id. */
    public static EventEnvelope generation(String type, Generation generation, UUID userId) {
        return EventEnvelope.of(
                type, SOURCE, generation.id().toString(), generation.projectId(), userId, generation.snapshot());
    }

    /** shot-generation.changed; subject = shot id. */
    public static EventEnvelope shotGeneration(
            UUID shotId, UUID generationId, UUID projectId, UUID userId, boolean linked, Integer position) {
        return EventEnvelope.of(
                EventTypes.SHOT_GENERATION_CHANGED,
                SOURCE,
                shotId.toString(),
                projectId,
                userId,
                new ShotGenerationChanged(shotId, generationId, projectId, linked, linked ? position : null));
    }

    /** shot.changed; subject = shot id. */
    public static EventEnvelope shot(Shot shot, UUID userId, boolean deleted) {
        return EventEnvelope.of(
                EventTypes.SHOT_CHANGED,
                SOURCE,
                shot.id().toString(),
                shot.projectId(),
                userId,
                new ShotChanged(shot.id(), shot.projectId(), shot.name(), deleted));
    }
}
