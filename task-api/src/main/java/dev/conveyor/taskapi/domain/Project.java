package dev.conveyor.taskapi.domain;

import java.time.Instant;
import java.util.UUID;

/** A project: a user's folder of tasks (the REST answer and the projects event's source). */
public record Project(UUID id, String name, UUID ownerId, Instant createdAt) {}
