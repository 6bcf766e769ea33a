package dev.conveyor.contracts;

import java.util.UUID;

/**
 * Data of {@code shot-generation.changed}: a generation was linked to, moved within, or removed from a shot.
 *
 * @param linked   false when the link was removed
 * @param position the position after the change; null = unpositioned (or removed)
 */
public record ShotGenerationChanged(UUID shotId, UUID generationId, UUID projectId, boolean linked, Integer position) {}
