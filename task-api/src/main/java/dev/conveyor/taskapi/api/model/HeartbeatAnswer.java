package dev.conveyor.taskapi.api.model;

import java.time.Instant;

public record HeartbeatAnswer(Instant leaseExpiresAt, boolean cancelled) {}
