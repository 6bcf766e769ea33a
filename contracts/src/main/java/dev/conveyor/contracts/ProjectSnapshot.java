package dev.conveyor.contracts;

import java.time.Instant;
import java.util.UUID;

/** Data of {@code project.upserted} on the compacted {@code projects} topic. A delete is a tombstone (null value). */
public record ProjectSnapshot(UUID projectId, UUID ownerId, String name, Instant createdAt) {}
