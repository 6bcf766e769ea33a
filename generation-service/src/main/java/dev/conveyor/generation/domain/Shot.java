package dev.conveyor.generation.domain;

import java.time.Instant;
import java.util.UUID;

/** A shot: an ordered collection of a project's generations. */
public record Shot(UUID id, UUID projectId, String name, Instant createdAt) {
    public static final int MAX_NAME_LENGTH = 200;
}
