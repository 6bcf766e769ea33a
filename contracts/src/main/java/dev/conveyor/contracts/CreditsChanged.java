package dev.conveyor.contracts;

import java.util.UUID;

/**
 * Data of {@code credits.changed}: the account after one ledger entry, or after a batch's entries of one kind on it: a
 * batch of 50 creates holds with one event, a batch complete captures each user's tasks with one (the ledger keeps
 * every entry; what a consumer of the event needs is the account as it now stands).
 *
 * @param entryKind grant, hold, capture or release
 * @param amount    the entries' amount together (positive)
 * @param taskId    the task of the entry when the event covers one entry for a task; null for a grant or when it
 *                  covers several entries
 * @param entries   how many ledger entries the event covers (1 for a grant, a single create or a single complete);
 *                  0 only in events written before this field existed
 */
public record CreditsChanged(
        UUID userId, long balance, long held, long available, String entryKind, long amount, UUID taskId, int entries) {

    /** The account after one ledger entry. */
    public CreditsChanged(
            UUID userId, long balance, long held, long available, String entryKind, long amount, UUID taskId) {
        this(userId, balance, held, available, entryKind, amount, taskId, 1);
    }
}
