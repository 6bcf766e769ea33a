package dev.conveyor.contracts;

import java.util.UUID;

/** Data of {@code shot.changed}: a shot was created, renamed or deleted. */
public record ShotChanged(UUID shotId, UUID projectId, String name, boolean deleted) {}
