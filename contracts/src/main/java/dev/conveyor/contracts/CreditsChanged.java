package dev.conveyor.contracts;

import java.util.UUID;

/**
 * Data of {@code credits.changed}: the account after one ledger entry.
 *
 * @param entryKind grant, hold, capture or release
 * @param amount    the entry's amount (positive)
 * @param taskId    the task the entry is for, if any
 */
public record CreditsChanged(
        UUID userId, long balance, long held, long available, String entryKind, long amount, UUID taskId) {}
