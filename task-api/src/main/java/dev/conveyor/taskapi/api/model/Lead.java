package dev.conveyor.taskapi.api.model;

import java.time.Instant;

public record Lead(boolean leader, String leaderClientId, Instant expiresAt) {}
