package dev.conveyor.contracts;

import java.time.Instant;
import java.util.UUID;

/**
 * Data of {@code lead.changed}: another client (browser tab) now holds the user's task-processing lease, or
 * ({@code leaderClientId} and {@code expiresAt} null) the holder released it and nobody leads.
 */
public record LeadChanged(UUID userId, String leaderClientId, Instant expiresAt) {}
